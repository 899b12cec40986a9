"""Who may start threads, reply, edit and delete posts. (Moderators' actions on posts,
threads and topics: apps/moderation/permissions.py.)"""

from django.core.exceptions import PermissionDenied

from apps.accounts.permissions import can_participate, check_participate
from apps.forum.models import Post, Thread


def can_reply(user, thread: Thread) -> bool:
    return can_participate(user) and not thread.locked


def check_reply(user, thread: Thread) -> None:
    check_participate(user, "reply")
    if thread.locked:
        raise PermissionDenied("This thread is locked: it takes no new replies.")


def can_edit_post(user, post: Post, *, thread: Thread | None = None) -> bool:
    """The author, while the thread is open. `thread` is the post's, when the caller has it."""
    thread = thread or post.thread
    return can_delete_post(user, post) and not thread.locked


def check_edit_post(user, post: Post) -> None:
    check_delete_post(user, post, action="edit")
    if post.thread.locked:
        raise PermissionDenied("This thread is locked: its posts can no longer be edited.")


def can_delete_post(user, post: Post) -> bool:
    """The author alone, leaving a tombstone."""
    return can_participate(user) and user.pk == post.author_id


def check_delete_post(user, post: Post, *, action: str = "delete") -> None:
    check_participate(user, action)
    if user.pk != post.author_id:
        raise PermissionDenied(f"Only the author can {action} this post.")
