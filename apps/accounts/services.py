"""Writes to members' accounts."""

from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.permissions import check_delete_member
from apps.claims.models import Endorsement
from apps.forum.models import Post, Topic
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
