"""Composite reads: the thread page, a post in its context, a thread in tree order."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from apps.claims.models import ClaimTag
from apps.forum.models import SEGMENT_DEPTH, Post, Thread

TOP_LEVEL_PER_PAGE = 20
PAGE_POST_BUDGET = 80  # posts on a thread page, whatever the thread's size
POSTS_PER_BRANCH = 40
POSTS_PER_SUBTREE = 200
SORTS = {
    "oldest": (F("created").asc(), F("id").asc()),
    "newest": (F("created").desc(), F("id").desc()),
    "replies": (F("descendant_count").desc(), F("created").asc(), F("id").asc()),
}
# The same orders for the replies of each post shown: (key, reverse) for sorted().
SIBLING_ORDERS = {
    "oldest": (lambda post: (post.created, post.pk), False),
    "newest": (lambda post: (post.created, post.pk), True),
    "replies": (lambda post: (-post.descendant_count, post.created, post.pk), False),
}
SORT_LABELS = {"oldest": "Oldest", "newest": "Newest", "replies": "Most replies"}
# As a list attribute: a prefetch into post.tags builds a queryset for every post.
WITH_TAGS = Prefetch(
    "tags",
    queryset=ClaimTag.objects.select_related("claim").order_by("pk"),
    to_attr="claim_tags",
)


@dataclass
class PostNode:
    post: Post
    replies: list["PostNode"] = field(default_factory=list)
    detached: bool = False  # its parent is not on this page

    @property
    def unseen_replies(self) -> int:
        """The posts below this one that are not below a reply shown under it."""
        shown = sum(1 + reply.post.descendant_count for reply in self.replies)
        return self.post.descendant_count - shown


@dataclass
class ThreadPage:
    branches: list[PostNode]
    sort: str
    page: int
    has_next: bool


@dataclass
class PostContext:
    ancestors: list[Post]
    earlier_context: int | None  # the post before the first ancestor shown, if any
    subtree: list[PostNode]
    next_after: str | None  # where the next page of the subtree starts


def claims_to_answer(post: Post) -> list[ClaimTag]:
    """The tags a reply to `post` answers one by one, one per claim, in the order the post
    shows them: none on a tombstone, whose tags no longer count."""
    if post.is_tombstone:
        return []
    tags = getattr(post, "claim_tags", None)  # prefetched with WITH_TAGS
    if tags is None:
        tags = post.tags.select_related("claim").order_by("pk")
    by_claim: dict[int, ClaimTag] = {}
    for tag in tags:
        by_claim.setdefault(tag.claim.canonical.pk, tag)
    return list(by_claim.values())


def thread_page(*, thread: Thread, sort: str = "oldest", page: int = 1) -> ThreadPage:
    """One page of top-level replies with as much of each branch as the page's post budget
    allows, the replies of every post in the order `sort` gives: a small thread shows whole,
    a huge one costs the same as a small one. A branch too long for the page shows its
    first posts in tree order."""
    offset = (page - 1) * TOP_LEVEL_PER_PAGE
    roots = list(
        Post.objects.in_thread(thread)
        .top_level()
        .order_by(*SORTS[sort])
        .values_list("tree_id", "lft", "rght")[offset : offset + TOP_LEVEL_PER_PAGE + 1]
    )
    has_next = len(roots) > TOP_LEVEL_PER_PAGE
    quotas = branch_quotas(
        [(tree_id, (rght - lft + 1) // 2) for tree_id, lft, rght in roots[:TOP_LEVEL_PER_PAGE]]
    )
    posts = (
        Post.objects.filter(pk__in=_first_posts_of_trees(quotas))
        .select_related("author")
        .prefetch_related(WITH_TAGS)
        .order_by("tree_id", "lft")
    )
    forest = {node.post.tree_id: node for node in nest(posts)}
    branches = [forest[tree_id] for tree_id in quotas]
    sort_replies(branches, sort)
    return ThreadPage(branches=branches, sort=sort, page=page, has_next=has_next)


def branch_quotas(sizes: list[tuple[int, int]]) -> dict[int, int]:
    """tree id -> how many of its posts the page shows: every root, then the rest of the
    page's budget to the branches in order, at most POSTS_PER_BRANCH each."""
    spare = PAGE_POST_BUDGET - len(sizes)
    quotas = {}
    for tree_id, size in sizes:
        extra = min(min(size, POSTS_PER_BRANCH) - 1, spare)
        quotas[tree_id] = 1 + extra
        spare -= extra
    return quotas


def sort_replies(nodes: list[PostNode], sort: str) -> None:
    """Order the replies of every post below `nodes`, at every level, by `sort`."""
    key, reverse = SIBLING_ORDERS[sort]
    below = list(nodes)
    while below:
        node = below.pop()
        node.replies.sort(key=lambda reply: key(reply.post), reverse=reverse)
        below.extend(node.replies)


def _first_posts_of_trees(quotas: dict[int, int]) -> list[int]:
    """Ids of the first posts, in tree order, of each tree: one index range scan a tree."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT first.id
            FROM unnest(%s::int[], %s::int[]) AS branch(tree_id, quota)
            CROSS JOIN LATERAL (
                SELECT id FROM forum_post
                WHERE tree_id = branch.tree_id ORDER BY lft LIMIT branch.quota
            ) AS first
            """,
            [list(quotas), list(quotas.values())],
        )
        return [row[0] for row in cursor.fetchall()]


def post_context(*, post: Post, after: tuple[int, int] | None = None) -> PostContext:
    """A post with the ancestors in its tree (shown one line each, so without their tags)
    and one page of its subtree in tree order.

    A post that ends a segment has its replies in trees of their own: they are shown too.
    """
    ancestors = list(post.get_ancestors().select_related("author")) if post.tree_parent_id else []
    segment_root = ancestors[0] if ancestors else post
    hanging = (  # the trees its replies start, for a post that ends a segment
        list(post.replies.filter(tree_parent=None).values_list("tree_id", flat=True))
        if post.is_segment_end
        else []
    )
    subtree = Post.objects.filter(
        Q(tree_id=post.tree_id, lft__gte=post.lft, lft__lte=post.rght) | Q(tree_id__in=hanging)
    )
    if after:
        subtree = subtree.filter(Q(tree_id__gt=after[0]) | Q(tree_id=after[0], lft__gt=after[1]))
    rows = list(
        subtree.select_related("author")
        .prefetch_related(WITH_TAGS)
        .order_by("tree_id", "lft")[: POSTS_PER_SUBTREE + 1]
    )
    next_after = None
    if len(rows) > POSTS_PER_SUBTREE:
        rows = rows[:POSTS_PER_SUBTREE]
        next_after = f"{rows[-1].tree_id}.{rows[-1].lft}"
    forest = nest(rows)
    if forest and forest[0].post.pk == post.pk:
        forest[0].detached = False  # its context is just above it
    return PostContext(
        ancestors=ancestors,
        earlier_context=segment_root.parent_id if segment_root.depth > 1 else None,
        subtree=forest,
        next_after=next_after,
    )


def nest(posts: Iterable[Post]) -> list[PostNode]:
    """Nest posts given in tree order by their parent ids; posts whose parent is
    absent become roots of the returned forest, marked detached unless top-level."""
    nodes: dict[int, PostNode] = {}
    forest: list[PostNode] = []
    for post in posts:
        node = nodes[post.pk] = PostNode(post)
        parent = nodes.get(post.parent_id)
        if parent:
            parent.replies.append(node)
        else:
            node.detached = post.depth > 1
            forest.append(node)
    return forest


class PostsInTreeOrder:
    """A thread's posts depth-first across its trees, as a sequence a Paginator can page."""

    # Each segment tree sorts under the position of the post it hangs from.
    SQL = f"""
        WITH RECURSIVE segment(tree_id, sort_key) AS (
            SELECT tree_id, ARRAY[tree_id] FROM forum_post
            WHERE thread_id = %s AND depth <= 1
          UNION ALL
            SELECT child.tree_id, segment.sort_key || hanger.lft || child.tree_id
            FROM segment
            JOIN forum_post hanger
              ON hanger.tree_id = segment.tree_id AND hanger.depth > 0
             AND hanger.depth %% {SEGMENT_DEPTH} = 0
            JOIN forum_post child
              ON child.parent_id = hanger.id AND child.tree_parent_id IS NULL
        )
        SELECT post.id FROM forum_post post JOIN segment USING (tree_id)
        WHERE post.thread_id = %s
        ORDER BY segment.sort_key || post.lft
        LIMIT %s OFFSET %s
    """

    def __init__(self, thread: Thread, queryset: QuerySet[Post]):
        self.thread = thread
        self.queryset = queryset

    def count(self) -> int:
        return Post.objects.in_thread(self.thread).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Post]:
        with connection.cursor() as cursor:
            limit = window.stop - window.start
            cursor.execute(self.SQL, [self.thread.pk, self.thread.pk, limit, window.start])
            ids = [row[0] for row in cursor.fetchall()]
        posts = self.queryset.in_bulk(ids)
        return [posts[pk] for pk in ids]
