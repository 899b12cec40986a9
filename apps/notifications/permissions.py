"""Who may watch threads, change notification settings, and read what a notification is about."""

from apps.accounts.permissions import can_participate, check_participate
from apps.forum.models import Post


def can_use_notifications(member) -> bool:
    """Watching, marking read and settings are a logged-in, active member's own."""
    return can_participate(member)


def check_use_notifications(member, action: str) -> None:
    check_participate(member, action)


def can_see_post(member, post: Post | None) -> bool:
    """A member may read a post's words unless it was deleted or removed since."""
    return post is not None and member.is_active and not post.is_tombstone
