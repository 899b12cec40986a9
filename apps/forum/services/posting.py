"""Posting: a thread with its opening post, and replies, each with its claim tags."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, TextChoices
from django.utils import timezone

from apps.accounts.permissions import check_participate
from apps.claims.models import MAX_TAGS_PER_POST, Claim, ClaimTag, claim_key
from apps.claims.services.tags import TagInput, check_tag_inputs, post_tags_set
from apps.core.text import BODY, TITLE, clean_text
from apps.forum.models import SEGMENT_DEPTH, Post, Thread, Topic
from apps.forum.permissions import check_reply, check_topic_open
from apps.forum.rendering import render_body
from apps.forum.selectors import claims_to_answer
from apps.forum.services.topics import writing_in
from apps.forum.trees import lock_tree, starts_tree
from apps.maps.services import map_mark_dirty
from apps.notifications.services import notifications_for_reply, notifications_for_thread


class Answer(TextChoices):
    """A replier's answer to one claim of the post it answers."""

    AGREE = "agree", "agree"
    DISAGREE = "disagree", "disagree"
    NOT_ADDRESSED = "not_addressed", "not addressed"


def thread_create(
    *, topic: Topic, author, title: str, body: str, tags: Sequence[TagInput] = ()
) -> Thread:
    """A thread and its opening post, which may carry claim tags like any reply."""
    check_participate(author, "start a thread")
    check_topic_open(topic)
    title = clean_text(title, TITLE)
    body = clean_text(body, BODY)
    check_tag_inputs(tags)
    now = timezone.now()
    with writing_in(topic):
        thread = Thread.objects.create(
            topic=topic, title=title, author=author, created=now, last_activity=now
        )
        opening_post = Post(thread=thread, topic=topic, author=author, depth=0, created=now)
        set_body(opening_post, body)
        opening_post.save()
        thread.opening_post = opening_post
        thread.save(update_fields=["opening_post"])
        if tags:
            post_tags_set(post=opening_post, actor=author, tags=tags)
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
    check_reply(author, parent.thread)
    check_topic_open(parent.thread.topic)
    if parent.is_tombstone:
        raise ValidationError("You cannot reply to a deleted or removed post.", code="tombstone")
    check_response(response)
    parent_claims = claims_to_answer(parent)
    answered = _answered(parent_claims, answers or {})
    _check_answers_and_rows(answered, tags)
    tags = [*(TagInput(claim.pk, stance) for claim, stance in answered), *tags]
    reply = Post(
        thread=parent.thread,
        topic_id=parent.topic_id,
        parent=parent,
        depth=parent.depth + 1,
        author=author,
        response=response,
        created=timezone.now(),
    )
    set_body(reply, clean_text(body, BODY))
    check_tag_inputs(tags)
    with writing_in(parent.thread.topic):
        _insert_reply(reply, parent)
        if tags:
            post_tags_set(post=reply, actor=author, tags=tags)
        if response != Post.Response.NEUTRAL and parent_claims:  # a stance on the parent's
            map_mark_dirty(topic=parent.thread.topic)
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


def _answered(parent_claims: list[ClaimTag], answers: Mapping[int, str]) -> list[tuple[Claim, str]]:
    """Each claim of the parent (its claims_to_answer) the reply answers, with the stance
    the answer gives the reply: agree takes the parent's stance on it, disagree the
    opposite one."""
    claims = {tag.claim.canonical.pk: tag for tag in parent_claims}
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
    (A row naming an alias of an answered claim is refused later by post_tags_set, as a claim
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


def check_response(response: str, *, opening_post: bool = False) -> None:
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


def set_body(post: Post, body: str) -> None:
    post.body = body
    post.body_html = render_body(body)
