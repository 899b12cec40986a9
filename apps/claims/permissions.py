"""Who may tag posts with claims and merge claims."""

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from apps.accounts.permissions import can_participate, check_participate
from apps.forum.models import Post
from apps.moderation.permissions import MERGE_CLAIMS, can_moderate, check_moderate

TAG_ANY_POST = "claims.tag_any_post"


def can_tag_any_post(user) -> bool:
    """A moderator's: change the tags of anyone's post, in a locked thread too."""
    return can_moderate(user, TAG_ANY_POST)


def can_tag_post(user, post: Post) -> bool:
    return _author_of_open(user, post) or can_tag_any_post(user)


def check_tag_post(user, post: Post) -> None:
    check_participate(user, "tag posts")
    if _author_of_open(user, post) or can_tag_any_post(user):
        return
    if user.pk != post.author_id:
        raise PermissionDenied("Only the post's author or a moderator can change its tags.")
    raise PermissionDenied("This thread is locked: its posts' tags can no longer change.")


def _author_of_open(user, post: Post) -> bool:
    """Asked first: posting tags its own new post, and this reads no permission rows."""
    return can_participate(user) and user.pk == post.author_id and not post.thread.locked


def can_merge(user) -> bool:
    return can_moderate(user, MERGE_CLAIMS)


def check_merge(user, action: str = "merge claims") -> None:
    check_moderate(user, MERGE_CLAIMS, action)


class MayMergeClaims(BasePermission):
    """DRF: moderators who may merge claims (and read the duplicate queue)."""

    message = "Only moderators can do this."

    def has_permission(self, request, view) -> bool:
        return can_merge(request.user)
