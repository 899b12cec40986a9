"""Who may read what a notification is about. (Watching, marking read and settings are any
active member's: accounts.permissions.check_participate.)"""

from apps.forum.models import Post


def can_see_post(member, post: Post | None) -> bool:
    """A member may read a post's words unless it was deleted or removed since."""
    return post is not None and member.is_active and not post.is_tombstone
