"""Fast loading for the large figures: threads of replies written with COPY, each post with
valid MPTT fields (as check_trees would rebuild them), ids from the tables' own sequences;
claims with bulk_create, claim tags and endorsements with COPY. 100,000 posts load in
seconds, where reply_create would take many minutes."""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from apps.claims.models import Claim, claim_key
from apps.claims.services.claims import claim_words_record
from apps.forum.models import TREE_ID_SEQUENCE, Post, Thread, Topic
from apps.forum.rendering import render_body
from apps.forum.trees import starts_tree
from bench import data

MAX_DEPTH = 12  # replies to a reply no deeper than this, so some chains cross a tree segment
BODIES = 40  # distinct bodies, rendered once each
POST_COLUMNS = (
    "id", "thread_id", "topic_id", "parent_id", "tree_parent_id", "tree_id", "lft", "rght", "level",
    "depth", "author_id", "body", "body_html", "response", "state", "removal_reason",
    "reply_count", "descendant_count", "created",
)  # fmt: skip


@dataclass(eq=False)
class Node:
    """A post to be written: where it hangs in its thread and in its MPTT tree."""

    pk: int
    thread_id: int
    parent: "Node | None"
    depth: int
    author_id: int
    response: str = Post.Response.NEUTRAL
    state: str = Post.State.VISIBLE
    tree_children: list["Node"] = field(default_factory=list)
    reply_count: int = 0
    descendant_count: int = 0  # every reply below it; the opening post counts none
    tree_id: int = 0
    lft: int = 0
    rght: int = 0
    level: int = 0

    @property
    def tree_parent(self) -> "Node | None":
        return None if self.parent is None or starts_tree(self.depth) else self.parent


def topic(slug: str) -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"title": slug.title()})[0]


def threads(
    topic: Topic,
    users: list,
    rng: random.Random,
    *,
    count: int,
    replies: int,
    top_level: float,
    tombstones: float = 0.0,
) -> list[Node]:
    """`count` threads with `replies` replies among them, written in one COPY; returns the
    replies in id order. A reply answers its thread's opening post with chance `top_level`,
    else an earlier reply of the thread; a share `tombstones` is deleted or removed."""
    now = timezone.now()
    rows = Thread.objects.bulk_create(
        Thread(topic=topic, title=f"Bench thread {n}", author=rng.choice(users), created=now)
        for n in range(count)
    )
    ids = iter(_next_values("pg_get_serial_sequence('forum_post', 'id')", count + replies))
    openings = [
        Node(next(ids), thread.pk, None, 0, thread.author_id, reply_count=0) for thread in rows
    ]
    earlier: list[list[Node]] = [[] for _ in rows]  # replies that can take a reply, by thread
    made = []
    for index in range(replies):
        place = index % count
        candidates = earlier[place]
        parent = (
            openings[place]
            if rng.random() < top_level or not candidates
            else rng.choice(candidates)
        )
        node = Node(next(ids), rows[place].pk, parent, parent.depth + 1, rng.choice(users).pk)
        node.response = rng.choice(Post.Response.values)
        if rng.random() < tombstones:
            node.state = rng.choice([Post.State.DELETED, Post.State.REMOVED])
        parent.reply_count += 1
        if node.depth < MAX_DEPTH:
            candidates.append(node)
        made.append(node)
    for node in reversed(made):  # children before their parents
        if node.depth > 1:
            node.parent.descendant_count += node.descendant_count + 1
    _number_trees(openings + made)
    _copy_posts(openings + made, topic, rng, now)
    _set_openings(rows, openings)
    return made


def _number_trees(nodes: list[Node]) -> None:
    """tree_id, lft, rght and level, siblings in id order: what check_trees rebuilds."""
    roots = []
    for node in nodes:  # in id order: parents come first
        if node.tree_parent is None:
            roots.append(node)
        else:
            node.tree_parent.tree_children.append(node)
    for root, tree_id in zip(roots, _next_values(f"'{TREE_ID_SEQUENCE}'", len(roots)), strict=True):
        counter = 1
        stack = [(root, 0, False)]
        while stack:
            node, level, done = stack.pop()
            if done:
                node.rght = counter
            else:
                node.tree_id, node.lft, node.level = tree_id, counter, level
                stack.append((node, level, True))
                stack.extend((child, level + 1, False) for child in reversed(node.tree_children))
            counter += 1


def _copy_posts(nodes: list[Node], topic: Topic, rng: random.Random, now) -> None:
    bodies = [data.body(random.Random(f"body-{n}")) for n in range(BODIES)]
    rendered = [(body, render_body(body)) for body in bodies]
    start = now - timedelta(seconds=len(nodes))
    with connection.cursor() as cursor:
        columns = ", ".join(POST_COLUMNS)
        with cursor.copy(f"COPY forum_post ({columns}) FROM STDIN") as copy:
            for offset, node in enumerate(nodes):
                body, html = rng.choice(rendered)
                copy.write_row(
                    (
                        node.pk, node.thread_id, topic.pk,
                        node.parent.pk if node.parent else None,
                        node.tree_parent.pk if node.tree_parent else None,
                        node.tree_id, node.lft, node.rght, node.level, node.depth,
                        node.author_id, body, html, node.response, node.state,
                        "bench" if node.state == Post.State.REMOVED else "",
                        node.reply_count, node.descendant_count,
                        start + timedelta(seconds=offset),
                    )
                )  # fmt: skip


def _set_openings(rows: list[Thread], openings: list[Node]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE forum_thread thread
            SET opening_post_id = opening.id, reply_count = counts.replies
            FROM unnest(%s::bigint[], %s::bigint[]) AS opening(thread_id, id),
                 LATERAL (SELECT count(*) AS replies FROM forum_post
                          WHERE thread_id = opening.thread_id AND depth > 0) AS counts
            WHERE thread.id = opening.thread_id
            """,
            [[thread.pk for thread in rows], [node.pk for node in openings]],
        )


def claims(topic: Topic, texts: list[str]) -> list[int]:
    """Active claims of the topic with these texts (distinct keys), their words in search's
    vocabulary as claim_create records them; their ids in order."""
    made = Claim.objects.bulk_create(
        (Claim(topic=topic, text=text, key=claim_key(text)) for text in texts), batch_size=5000
    )
    claim_words_record(texts)
    return [claim.pk for claim in made]


def tags(rows: list[tuple[int, int, str]]) -> None:
    """ClaimTag rows (post id, claim id, stance), unique per (post, claim), in one COPY."""
    sql = "COPY claims_claimtag (post_id, claim_id, stance) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def endorsements(rows: list[tuple[int, int, str]]) -> None:
    """Endorsement rows (claim id, user id, stance), unique per (claim, user), in one COPY."""
    now = timezone.now()
    sql = "COPY claims_endorsement (claim_id, user_id, stance, created, updated) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for claim, user, stance in rows:
            copy.write_row((claim, user, stance, now, now))


def _next_values(sequence: str, count: int) -> list[int]:
    """`count` fresh values of a sequence (given as SQL for its name)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval({sequence}) FROM generate_series(1, %s) ORDER BY 1", [count]
        )
        return [value for (value,) in cursor.fetchall()]
