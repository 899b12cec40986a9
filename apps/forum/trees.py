"""Verify every post tree against a rebuild from its parent links, and repair it; likewise
every post's count of the posts below it.

The rebuild orders siblings by id: replies are appended as last children, so
creation order is tree order.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max

from apps.forum.models import SEGMENT_DEPTH, TREE_ID_SEQUENCE, Post, Thread

MPTT_FIELDS = ("tree_id", "lft", "rght", "level")
# Namespace of the two-key advisory locks that serialize writes to one post tree.
POST_TREE_LOCK = 1


@dataclass
class TreeReport:
    trees: int = 0
    wrong_nodes: list[int] = field(default_factory=list)  # post ids whose bookkeeping is off
    wrong_counts: list[int] = field(default_factory=list)  # ids of posts miscounting descendants
    shared_tree_ids: list[int] = field(default_factory=list)  # tree ids held by two roots
    unreachable: list[int] = field(default_factory=list)  # posts no root leads to
    sequence_behind: bool = False

    @property
    def clean(self) -> bool:
        return not (
            self.wrong_nodes
            or self.wrong_counts
            or self.shared_tree_ids
            or self.unreachable
            or self.sequence_behind
        )


def check_trees(*, repair: bool = False) -> TreeReport:
    """Compare every tree with its rebuild; with repair, rewrite what differs."""
    report = TreeReport(shared_tree_ids=_shared_tree_ids())
    fresh_ids_for = set(_later_roots_of(report.shared_tree_ids))
    for thread_id in Thread.objects.order_by("pk").values_list("pk", flat=True):
        _check_thread(thread_id, report, fresh_ids_for, repair)
    report.sequence_behind = _sequence_behind()
    if repair and report.sequence_behind:
        _resync_sequence()
    return report


def _check_thread(thread_id: int, report: TreeReport, fresh_ids_for: set[int], repair: bool):
    posts = Post.objects.filter(thread_id=thread_id)
    with transaction.atomic():
        if repair:  # before reading: no reply may change the rows read meanwhile
            for tree_id in sorted(set(posts.values_list("tree_id", flat=True))):
                lock_tree(tree_id)
        rows = {
            row["id"]: row
            for row in posts.values(
                "id", "tree_parent_id", "parent_id", "depth", "descendant_count", *MPTT_FIELDS
            )
        }
        expected = _rebuild(rows, fresh_ids_for if repair else set())
        report.trees += sum(1 for row in rows.values() if row["tree_parent_id"] is None)
        report.unreachable += sorted(set(rows) - set(expected))
        wrong = [
            pk for pk, place in expected.items() if place != tuple(rows[pk][f] for f in MPTT_FIELDS)
        ]
        report.wrong_nodes += wrong
        if repair and wrong:
            _rewrite(wrong, expected)
        counts = descendant_counts(rows)
        miscounted = [pk for pk, count in counts.items() if rows[pk]["descendant_count"] != count]
        report.wrong_counts += miscounted
        if repair and miscounted:
            _recount(miscounted, counts)


def descendant_counts(rows: dict[int, dict]) -> dict[int, int]:
    """post id -> how many posts are below it, by the parent links, in every tree; the
    opening post counts none (its thread counts the replies)."""
    counts = dict.fromkeys(rows, 0)
    for pk in sorted(rows, key=lambda pk: rows[pk]["depth"], reverse=True):
        parent_id = rows[pk]["parent_id"]
        if rows[pk]["depth"] > 1 and parent_id in counts:
            counts[parent_id] += counts[pk] + 1
    return counts


def _rebuild(rows: dict[int, dict], fresh_ids_for: set[int]) -> dict[int, tuple]:
    """post id -> (tree_id, lft, rght, level) as a rebuild from the parent links gives them."""
    children = defaultdict(list)
    for pk in sorted(rows):
        children[rows[pk]["tree_parent_id"]].append(pk)
    expected = {}
    for root in children[None]:
        tree_id = _next_tree_id() if root in fresh_ids_for else rows[root]["tree_id"]
        _number(root, tree_id, children, expected)
    return expected


def _number(root: int, tree_id: int, children: dict, expected: dict) -> None:
    """Nested-set numbers for one tree, iteratively: chains can be thousands deep."""
    counter = 1
    lefts = {}
    stack = [(root, 0, False)]
    while stack:
        pk, level, done = stack.pop()
        if done:
            expected[pk] = (tree_id, lefts[pk], counter, level)
            counter += 1
            continue
        lefts[pk] = counter
        counter += 1
        stack.append((pk, level, True))
        stack.extend((child, level + 1, False) for child in reversed(children[pk]))


def _rewrite(wrong: list[int], expected: dict[int, tuple]) -> None:
    posts = Post.objects.in_bulk(wrong)
    for pk, post in posts.items():
        post.tree_id, post.lft, post.rght, post.level = expected[pk]
    Post.objects.bulk_update(posts.values(), MPTT_FIELDS, batch_size=1000)


def _recount(miscounted: list[int], counts: dict[int, int]) -> None:
    posts = Post.objects.in_bulk(miscounted)
    for pk, post in posts.items():
        post.descendant_count = counts[pk]
    Post.objects.bulk_update(posts.values(), ["descendant_count"], batch_size=1000)


def _shared_tree_ids() -> list[int]:
    roots = Post.objects.filter(tree_parent=None).values("tree_id")
    return sorted(roots.annotate(n=Count("id")).filter(n__gt=1).values_list("tree_id", flat=True))


def _later_roots_of(tree_ids: list[int]) -> list[int]:
    """Of the roots sharing a tree id, all but the first keep it: the rest need new ids."""
    later = []
    for tree_id in tree_ids:
        roots = Post.objects.filter(tree_parent=None, tree_id=tree_id).order_by("pk")
        later += list(roots.values_list("pk", flat=True))[1:]
    return later


def _next_tree_id() -> int:
    return Post.objects._get_next_tree_id()


def _sequence_behind() -> bool:
    highest = Post.objects.aggregate(highest=Max("tree_id"))["highest"] or 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value, is_called FROM {TREE_ID_SEQUENCE}")
        last_value, is_called = cursor.fetchone()
    next_value = last_value + 1 if is_called else last_value
    return next_value <= highest


def _resync_sequence() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(%s, (SELECT COALESCE(MAX(tree_id), 1) FROM forum_post))",
            [TREE_ID_SEQUENCE],
        )


def starts_tree(depth: int) -> bool:
    """Replies to the opening post, and every SEGMENT_DEPTH levels below, root a new tree."""
    return (depth - 1) % SEGMENT_DEPTH == 0


def lock_tree(tree_id: int) -> None:
    """Serialize writes to one MPTT tree until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [POST_TREE_LOCK, tree_id])
