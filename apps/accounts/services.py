"""Writes to members' accounts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.permissions import check_edit_profile
from apps.claims.models import Endorsement
from apps.forum.models import Post, Topic
from apps.forum.rendering import render_body
from apps.maps.services import map_mark_dirty

MAX_BIO_LENGTH = 2_000


def member_delete(*, member: User, actor) -> None:
    """Delete a member's account. Their endorsements go with it (withdrawn) and their posts
    stay, shown as by "deleted user"; the maps of the topics they counted in are rebuilt."""
    if not (actor.is_authenticated and actor.is_active and actor.has_perm("accounts.delete_user")):
        raise PermissionDenied("Only administrators can delete members.")
    with transaction.atomic():
        endorsed = Endorsement.objects.filter(user=member).values("claim__topic_id")
        posted = Post.objects.filter(author=member).values("thread__topic_id")
        for topic in Topic.objects.filter(Q(pk__in=endorsed) | Q(pk__in=posted)).order_by("pk"):
            map_mark_dirty(topic=topic)
        member.delete()


def profile_edit(*, member: User, editor, bio: str) -> User:
    """Set the member's bio: Markdown, rendered and sanitized as a post body is; blank clears it."""
    check_edit_profile(editor, member)
    bio = (bio or "").strip()
    if len(bio) > MAX_BIO_LENGTH:
        raise ValidationError(
            f"A bio can be at most {MAX_BIO_LENGTH:,} characters; this one has {len(bio):,}.",
            code="too_long",
        )
    if "\x00" in bio:
        raise ValidationError("The bio contains a NUL character.", code="null_character")
    member.bio, member.bio_html = bio, render_body(bio) if bio else ""
    member.save(update_fields=["bio", "bio_html"])
    return member
