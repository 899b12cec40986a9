"""Who may start threads, reply, edit and delete posts, who may manage topics, and what an
archived topic allows. (Moderators' actions on posts and threads:
apps/moderation/permissions.py.)"""

from django.core.exceptions import PermissionDenied

from apps.accounts.permissions import can_participate, check_participate
from apps.forum.models import Post, Thread, Topic
from apps.moderation.permissions import can_moderate

# The moderators group holds both: together they create, edit, archive and unarchive topics.
ADD_TOPICS = "forum.add_topic"
CHANGE_TOPICS = "forum.change_topic"
ARCHIVED = "This topic is archived: it is read-only. A moderator can unarchive it."


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


def can_manage_topics(user) -> bool:
    """Site-wide moderators create, edit, archive and unarchive topics."""
    return can_moderate(user, ADD_TOPICS) and user.has_perm(CHANGE_TOPICS)


def check_manage_topics(user, action: str) -> None:
    """`action` completes "Only moderators can …"."""
    if not can_manage_topics(user):
        raise PermissionDenied(f"Only moderators can {action}.")


def can_write_in(topic: Topic) -> bool:
    """Whether the topic takes new threads, replies, edits, tags, endorsements and merges."""
    return not topic.archived


def check_topic_open(topic: Topic) -> None:
    if not can_write_in(topic):
        raise PermissionDenied(ARCHIVED)
