"""Writes to topics, threads and posts: one function per operation, one transaction each."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.claims.models import ClaimTag
from apps.claims.services import TagInput, check_tag_inputs, tags_write
from apps.forum.models import SEGMENT_DEPTH, Post, PostRevision, Thread, Topic
from apps.forum.rendering import render_body
from apps.maps.services import map_mark_dirty

MAX_BODY_LENGTH = 20_000
MAX_TITLE_LENGTH = 200
# Namespace of the two-key advisory locks that serialize writes to one post tree.
POST_TREE_LOCK = 1


def thread_create(*, topic: Topic, author, title: str, body: str) -> Thread:
    _require_member(author, "start a thread")
    title = clean_title(title)
    body = clean_body(body)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            topic=topic, title=title, author=author, created=now, last_activity=now
        )
        opening_post = Post(thread=thread, author=author, depth=0, created=now)
        _set_body(opening_post, body)
        opening_post.save()
        thread.opening_post = opening_post
        thread.save(update_fields=["opening_post"])
    return thread


def reply_create(
    *,
    parent: Post,
    author,
    body: str,
    response: str = Post.Response.NEUTRAL,
    tags: list[TagInput] = (),
) -> Post:
    _require_member(author, "reply")
    if parent.thread.locked:
        raise PermissionDenied("This thread is locked: it takes no new replies.")
    if parent.is_tombstone:
        raise ValidationError("You cannot reply to a deleted or removed post.", code="tombstone")
    if response not in Post.Response.values:
        raise ValidationError(
            f"Response must be one of {', '.join(Post.Response.values)}.", code="response"
        )
    reply = Post(
        thread=parent.thread,
        parent=parent,
        depth=parent.depth + 1,
        author=author,
        response=response,
        created=timezone.now(),
    )
    _set_body(reply, clean_body(body))
    check_tag_inputs(tags)
    with transaction.atomic():
        _insert_reply(reply, parent)
        tags_write(post=reply, tags=tags, creator=author)
        _count_reply(reply, parent)
    return reply


def _insert_reply(reply: Post, parent: Post) -> None:
    """Insert `reply` under `parent`. Caller is inside a transaction."""
    if starts_tree(reply.depth):
        reply.tree_parent = None
    else:
        lock_tree(parent.tree_id)
        reply.tree_parent = parent  # saving re-reads the parent's place under the lock
    reply.save()


def _count_reply(reply: Post, parent: Post) -> None:
    """Bump the counters every reply of a thread shares. Their row locks are held until
    commit, so this comes last in the transaction: writers queue on them briefly."""
    Post.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
    Thread.objects.filter(pk=reply.thread_id).update(
        reply_count=F("reply_count") + 1, last_activity=reply.created
    )


def post_edit(*, post: Post, editor, body: str, tags: list[TagInput] | None = None) -> Post:
    """Change a post's body, keeping the earlier version, and its tags unless `tags` is None."""
    require_author(post, editor, "edit")
    if post.thread.locked:
        raise PermissionDenied("This thread is locked: its posts can no longer be edited.")
    if post.is_tombstone:
        raise ValidationError("A deleted or removed post cannot be edited.", code="tombstone")
    body = clean_body(body)
    check_tag_inputs(tags or [])
    with transaction.atomic():
        if body != post.body:
            PostRevision.objects.create(
                post=post, body=post.body, written=post.edited or post.created
            )
            _set_body(post, body)
            post.edited = timezone.now()
            post.save(update_fields=["body", "body_html", "edited"])
        if tags is not None:
            tags_write(post=post, tags=tags, creator=editor)
    return post


def post_delete(*, post: Post, actor) -> Post:
    """Leave a "deleted by creator" tombstone; the post's replies keep their place."""
    require_author(post, actor, "delete")
    if post.is_tombstone:
        raise ValidationError("This post is already deleted or removed.", code="tombstone")
    if post.depth == 0:
        raise ValidationError(
            "The opening post cannot be deleted; edit it instead.", code="opening_post"
        )
    with transaction.atomic():
        post.state = Post.State.DELETED
        post.save(update_fields=["state"])
        if ClaimTag.objects.filter(Q(post=post) | Q(post__parent=post)).exists():
            map_mark_dirty(topic=post.thread.topic)
    return post


def starts_tree(depth: int) -> bool:
    """Replies to the opening post, and every SEGMENT_DEPTH levels below, root a new tree."""
    return (depth - 1) % SEGMENT_DEPTH == 0


def lock_tree(tree_id: int) -> None:
    """Serialize writes to one MPTT tree until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [POST_TREE_LOCK, tree_id])


def clean_body(body: str) -> str:
    return _clean_text(body.strip() if body else "", what="post", max_length=MAX_BODY_LENGTH)


def clean_title(title: str) -> str:
    return _clean_text(" ".join((title or "").split()), what="title", max_length=MAX_TITLE_LENGTH)


def _clean_text(text: str, *, what: str, max_length: int) -> str:
    if not text:
        raise ValidationError(f"The {what} is empty: write something.", code="empty")
    if len(text) > max_length:
        raise ValidationError(
            f"The {what} can be at most {max_length:,} characters; this one has {len(text):,}.",
            code="too_long",
        )
    if "\x00" in text:
        raise ValidationError(f"The {what} contains a NUL character.", code="null_character")
    return text


def _set_body(post: Post, body: str) -> None:
    post.body = body
    post.body_html = render_body(body)


def _require_member(user, action: str) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied(f"Log in to {action}.")


def require_author(post: Post, user, action: str) -> None:
    _require_member(user, action)
    if post.author_id != user.pk:
        raise PermissionDenied(f"Only the author can {action} this post.")
