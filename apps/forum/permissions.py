"""Who may write what in the forum."""

from django.core.exceptions import PermissionDenied

from apps.forum.models import Post


def require_member(user, action: str) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied(f"Log in to {action}.")


def require_author(post: Post, user, action: str) -> None:
    require_member(user, action)
    if post.author_id != user.pk:
        raise PermissionDenied(f"Only the author can {action} this post.")
