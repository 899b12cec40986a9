"""A post's state: its author deletes it, a moderator removes it with a reason or restores
it. Either way a tombstone stays in the tree, so its replies keep their place."""

from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.claims.models import ClaimTag
from apps.core.text import REASON, clean_text
from apps.forum.models import Post
from apps.forum.permissions import check_delete_post, check_topic_open
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty
from apps.moderation.models import ModerationAction, Report
from apps.moderation.permissions import REMOVE_POSTS, check_moderate
from apps.moderation.report_outcomes import reports_settle


def post_touches_map(post: Post) -> bool:
    """Whether deleting the post, or changing its response, can change its topic's map:
    it, its parent or one of its replies carries a claim tag. (Its tags relate to its
    parent's and its replies' claims, and a response gives a stance on the parent's claim.)"""
    return ClaimTag.objects.filter(
        Q(post__in=[post.pk, post.parent_id]) | Q(post__parent=post)
    ).exists()


def post_delete(*, post: Post, actor) -> Post:
    """Leave a "deleted by creator" tombstone; the post's replies keep their place."""
    check_delete_post(actor, post)
    check_topic_open(post.thread.topic)
    if post.is_tombstone:
        raise ValidationError("This post is already deleted or removed.", code="tombstone")
    if post.depth == 0:
        raise ValidationError(
            "The opening post cannot be deleted; edit it instead.", code="opening_post"
        )
    with writing_in(post.thread.topic):
        post.state = Post.State.DELETED
        post.save(update_fields=["state"])
        if post_touches_map(post):
            map_mark_dirty(topic=post.thread.topic)
    return post


def post_remove(*, post: Post, moderator, reason: str) -> Post:
    """Leave a "removed by moderator: reason" tombstone; the post's replies keep their place."""
    check_moderate(moderator, REMOVE_POSTS, "remove posts")
    check_topic_open(post.thread.topic)
    reason = clean_text(reason, REASON)
    if post.state != Post.State.VISIBLE:
        raise ValidationError("Only a visible post can be removed.", code="not_visible")
    if post.depth == 0:
        raise ValidationError(
            "An opening post cannot be removed; lock the thread instead.", code="opening"
        )
    with writing_in(post.thread.topic):
        _set_post_state(
            post, Post.State.REMOVED, reason, moderator, ModerationAction.Kind.REMOVE_POST
        )
        reports_settle(
            item=post, state=Report.State.REMOVED, moderator=moderator, note=reason,
            outcome="the post removed",
            told=f"A moderator removed the post you reported: {reason}",
        )  # fmt: skip
    return post


def post_restore(*, post: Post, moderator, reason: str) -> Post:
    check_moderate(moderator, REMOVE_POSTS, "restore posts")
    check_topic_open(post.thread.topic)
    reason = clean_text(reason, REASON)
    if post.state != Post.State.REMOVED:
        raise ValidationError(
            "Only a post removed by a moderator can be restored.", code="not_removed"
        )
    with writing_in(post.thread.topic):
        return _set_post_state(
            post, Post.State.VISIBLE, reason, moderator, ModerationAction.Kind.RESTORE_POST
        )


def _set_post_state(post: Post, state: str, reason: str, moderator, kind: str) -> Post:
    """Caller is inside the write's transaction (writing_in)."""
    post.state = state
    post.removal_reason = reason if state == Post.State.REMOVED else ""
    post.save(update_fields=["state", "removal_reason"])
    ModerationAction.objects.create(
        topic=post.thread.topic, kind=kind, moderator=moderator, reason=reason, post=post,
        thread=post.thread, summary=f"post {post.pk} in “{post.thread.title}”"[:500],
    )  # fmt: skip
    if post_touches_map(post):
        map_mark_dirty(topic=post.thread.topic)
    return post
