"""Moderating threads: locking and unlocking them, deleting them with their posts."""

from django.core.exceptions import ValidationError

from apps.claims.models import ClaimTag
from apps.core.text import REASON, clean_text
from apps.forum.models import Thread
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty
from apps.moderation.models import ModerationAction
from apps.moderation.permissions import DELETE_THREADS, LOCK_THREADS, check_moderate

LOCKING = {True: ModerationAction.Kind.LOCK_THREAD, False: ModerationAction.Kind.UNLOCK_THREAD}


def thread_set_locked(*, thread: Thread, moderator, locked: bool, reason: str) -> Thread:
    check_moderate(moderator, LOCK_THREADS, "lock or unlock threads")
    check_topic_open(thread.topic)
    reason = clean_text(reason, REASON)
    if thread.locked == locked:
        raise ValidationError(
            f"The thread is already {'locked' if locked else 'unlocked'}.", code="no_change"
        )
    with writing_in(thread.topic):
        thread.locked = locked
        thread.save(update_fields=["locked"])
        ModerationAction.objects.create(
            topic=thread.topic, moderator=moderator, reason=reason, thread=thread,
            kind=LOCKING[locked],
            summary=f"“{thread.title}”"[:500],
        )  # fmt: skip
    return thread


def thread_delete(*, thread: Thread, moderator, reason: str) -> None:
    """Delete a thread with every post in it; the log keeps what was deleted and why."""
    check_moderate(moderator, DELETE_THREADS, "delete threads")
    check_topic_open(thread.topic)
    reason = clean_text(reason, REASON)
    with writing_in(thread.topic):
        posts = thread.posts.count()
        tagged = ClaimTag.objects.filter(post__thread=thread).exists()
        ModerationAction.objects.create(
            topic=thread.topic, kind=ModerationAction.Kind.DELETE_THREAD, moderator=moderator,
            reason=reason, summary=f"“{thread.title}” with its {posts} posts"[:500],
        )  # fmt: skip
        _delete_posts(thread)
        thread.delete()
        if tagged:
            map_mark_dirty(topic=thread.topic)


def _delete_posts(thread: Thread) -> None:
    """Replies protect their parents from deletion; when a whole thread goes, unlink first."""
    Thread.objects.filter(pk=thread.pk).update(opening_post=None)
    thread.posts.update(parent=None, tree_parent=None)
    thread.posts.all().delete()
