"""Writes to members' accounts."""

from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.permissions import check_delete_member, check_edit_profile
from apps.claims.models import Endorsement
from apps.core.text import BIO, clean_text
from apps.forum.models import Post, Topic
from apps.forum.rendering import render_body
from apps.maps.services import map_mark_dirty


def member_delete(*, member: User, actor) -> None:
    """Delete a member's account. Their endorsements go with it (withdrawn) and their posts
    stay, shown as by "deleted user"; the maps of the topics they counted in are rebuilt."""
    check_delete_member(actor)
    with transaction.atomic():
        endorsed = Endorsement.objects.filter(user=member).values("claim__topic_id")
        posted = Post.objects.filter(author=member).values("thread__topic_id")
        for topic in Topic.objects.filter(Q(pk__in=endorsed) | Q(pk__in=posted)).order_by("pk"):
            map_mark_dirty(topic=topic)
        member.delete()


def profile_edit(*, member: User, editor, bio: str) -> User:
    """Set the member's bio: Markdown, rendered and sanitized as a post body is; blank clears it."""
    check_edit_profile(editor, member)
    bio = clean_text(bio, BIO, required=False)
    member.bio, member.bio_html = bio, render_body(bio) if bio else ""
    member.save(update_fields=["bio", "bio_html"])
    return member
