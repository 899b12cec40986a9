"""Writes to topics, threads and posts: one function per operation, one transaction each."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, TextChoices
from django.utils import timezone

from apps.claims.models import MAX_TAGS_PER_POST, Claim, ClaimTag, claim_key
from apps.claims.services import TagInput, check_tag_inputs, tags_write
from apps.forum.models import SEGMENT_DEPTH, Post, PostRevision, Thread, Topic
from apps.forum.rendering import render_body
from apps.forum.selectors import claims_to_answer
from apps.maps.services import map_mark_dirty
from apps.notifications.services import notifications_for_reply, notifications_for_thread

MAX_BODY_LENGTH = 20_000
MAX_TITLE_LENGTH = 200
# Namespace of the two-key advisory locks that serialize writes to one post tree.
POST_TREE_LOCK = 1


class Answer(TextChoices):
    """A replier's answer to one claim of the post it answers."""

    AGREE = "agree", "agree"
    DISAGREE = "disagree", "disagree"
    NOT_ADDRESSED = "not_addressed", "not addressed"


def thread_create(
    *, topic: Topic, author, title: str, body: str, tags: Sequence[TagInput] = ()
) -> Thread:
    """A thread and its opening post, which may carry claim tags like any reply."""
    _require_member(author, "start a thread")
    title = clean_title(title)
    body = clean_body(body)
    check_tag_inputs(tags)
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
        tags_write(post=opening_post, tags=tags, creator=author)
        notifications_for_thread(thread=thread)
    return thread


def reply_create(
    *,
    parent: Post,
    author,
    body: str,
    response: str = Post.Response.NEUTRAL,
    tags: Sequence[TagInput] = (),
    answers: Mapping[int, str] | None = None,
) -> Post:
    """A reply to `parent`. `answers` (claim id -> Answer) answer the parent's claims one by
    one and are stored as the reply's tags, beside the claims it tags itself in `tags`."""
    _require_member(author, "reply")
    if parent.thread.locked:
        raise PermissionDenied("This thread is locked: it takes no new replies.")
    if parent.is_tombstone:
        raise ValidationError("You cannot reply to a deleted or removed post.", code="tombstone")
    _check_response(response)
    answered = _answered(parent, answers or {})
    _check_answers_and_rows(answered, tags)
    tags = [*(TagInput(claim.pk, stance) for claim, stance in answered), *tags]
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
        notifications_for_reply(reply=reply)
        _count_reply(reply, parent)
    return reply


def _insert_reply(reply: Post, parent: Post) -> None:
    """Insert `reply` under `parent`, holding the lock of every tree above it: their posts'
    counts change too (_count_reply). Caller is inside a transaction."""
    for tree_id in sorted(_trees_above(parent)):  # in id order, as every writer takes them
        lock_tree(tree_id)
    # Joining the parent's tree, saving re-reads the parent's place under the lock.
    reply.tree_parent = None if starts_tree(reply.depth) else parent
    reply.save()


# The segments a post's ancestors are in, from its own tree up to its top-level reply's: a
# segment's root hangs from a post of the tree above, unless it is a top-level reply.
SEGMENTS_ABOVE = """
    WITH RECURSIVE segment(tree_id, lft, rght) AS (
        SELECT tree_id, lft, rght FROM forum_post WHERE id = %s
      UNION ALL
        SELECT hanger.tree_id, hanger.lft, hanger.rght
        FROM segment
        JOIN forum_post root ON root.tree_id = segment.tree_id AND root.lft = 1
        JOIN forum_post hanger ON hanger.id = root.parent_id
        WHERE root.depth > 1
    )
"""


def _trees_above(parent: Post) -> list[int]:
    """Ids of the trees holding `parent` and its ancestors, the opening post's aside."""
    if parent.depth == 0:
        return []
    if parent.depth <= SEGMENT_DEPTH:  # in its top-level reply's tree, the only one above
        return [parent.tree_id]
    with connection.cursor() as cursor:
        cursor.execute(f"{SEGMENTS_ABOVE} SELECT tree_id FROM segment", [parent.pk])
        return [row[0] for row in cursor.fetchall()]


def _count_reply(reply: Post, parent: Post) -> None:
    """Bump the counters the reply changes: its parent's replies, the descendants of every
    post above it, the thread's replies. Their row locks are held until commit, so this
    comes last in the transaction: writers queue on them briefly. Caller holds the locks
    of the trees above the reply."""
    Post.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
    if parent.depth > 0:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""{SEGMENTS_ABOVE}
                UPDATE forum_post post SET descendant_count = post.descendant_count + 1
                FROM segment
                WHERE post.tree_id = segment.tree_id
                  AND post.lft <= segment.lft AND post.rght >= segment.rght
                """,
                [parent.pk],
            )
    Thread.objects.filter(pk=reply.thread_id).update(
        reply_count=F("reply_count") + 1, last_activity=reply.created
    )


def _answered(parent: Post, answers: Mapping[int, str]) -> list[tuple[Claim, str]]:
    """Each claim of the parent the reply answers, with the stance the answer gives the
    reply: agree takes the parent's stance on it, disagree the opposite one."""
    claims = {tag.claim.canonical.pk: tag for tag in claims_to_answer(parent)}
    answered = []
    for claim_id, answer in answers.items():
        if answer not in Answer.values:
            raise ValidationError(
                f"An answer is “agree”, “disagree” or “not addressed”, not “{answer}”.",
                code="answer",
            )
        if claim_id not in claims:
            raise ValidationError(
                f"Claim {claim_id} is not one of the claims of the post you answer:"
                " reload the page and answer again.",
                code="unknown_answer",
            )
        if answer != Answer.NOT_ADDRESSED:
            tag = claims[claim_id]
            stance = tag.stance if answer == Answer.AGREE else _other(tag.stance)
            answered.append((tag.claim.canonical, stance))
    return answered


def _other(stance: str) -> str:
    supports, opposes = ClaimTag.Stance.SUPPORTS, ClaimTag.Stance.OPPOSES
    return opposes if stance == supports else supports


def _check_answers_and_rows(answered: list[tuple[Claim, str]], rows: Sequence[TagInput]) -> None:
    """No claim both answered and tagged in a row, and at most MAX_TAGS_PER_POST in all.
    (A row naming an alias of an answered claim is refused later by tags_write, as a claim
    tagged twice.)"""
    for row in rows:
        for claim, _ in answered:
            if row.claim == claim.pk or (
                isinstance(row.claim, str) and claim_key(row.claim) == claim.key
            ):
                raise ValidationError(
                    f"You answered «{claim.text}» and also tagged it in a claim row:"
                    " keep one of the two.",
                    code="answered_and_tagged",
                )
    if answered and len(answered) + len(rows) > MAX_TAGS_PER_POST:
        answers = f"{len(answered)} answer{'s' if len(answered) > 1 else ''}"
        claim_rows = f"{len(rows)} claim row{'s' if len(rows) > 1 else ''}"
        raise ValidationError(
            f"A post can carry at most {MAX_TAGS_PER_POST} claim tags: your {answers} and"
            f" {claim_rows} make {len(answered) + len(rows)}. Mark some claims “not addressed”"
            " or clear a row.",
            code="too_many_tags",
        )


def post_edit(
    *,
    post: Post,
    editor,
    body: str | None = None,
    tags: Sequence[TagInput] | None = None,
    response: str | None = None,
) -> Post:
    """Change what the author wrote: the body (keeping the earlier version), the tags and the
    response to the parent post. Each is left as it is when None."""
    require_author(post, editor, "edit")
    if post.thread.locked:
        raise PermissionDenied("This thread is locked: its posts can no longer be edited.")
    if post.is_tombstone:
        raise ValidationError("A deleted or removed post cannot be edited.", code="tombstone")
    body = None if body is None else clean_body(body)
    check_tag_inputs(tags or [])
    if response is not None:
        _check_response(response, opening_post=post.parent_id is None)
    with transaction.atomic():
        if body is not None and body != post.body:
            _revise(post, body)
        if tags is not None:
            tags_write(post=post, tags=tags, creator=editor)
        if response is not None and response != post.response:
            post.response = response
            post.save(update_fields=["response"])
            if post_touches_map(post):
                map_mark_dirty(topic=post.thread.topic)
    return post


def _revise(post: Post, body: str) -> None:
    """Keep the post's current body as a revision, then replace it. Caller is inside a
    transaction."""
    PostRevision.objects.create(post=post, body=post.body, written=post.edited or post.created)
    _set_body(post, body)
    post.edited = timezone.now()
    post.save(update_fields=["body", "body_html", "edited"])


def _check_response(response: str, *, opening_post: bool = False) -> None:
    if opening_post:
        raise ValidationError(
            "The opening post answers no post, so it has no response (agree / disagree /"
            " neutral): tag its claims instead.",
            code="opening_post",
        )
    if response not in Post.Response.values:
        raise ValidationError(
            f"Response must be one of {', '.join(Post.Response.values)}.", code="response"
        )


def post_touches_map(post: Post) -> bool:
    """Whether deleting the post, or changing its response, can change its topic's map:
    it, its parent or one of its replies carries a claim tag. (Its tags relate to its
    parent's and its replies' claims, and a response gives a stance on the parent's claim.)"""
    return ClaimTag.objects.filter(
        Q(post__in=[post.pk, post.parent_id]) | Q(post__parent=post)
    ).exists()


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
        if post_touches_map(post):
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
