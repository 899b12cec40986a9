"""The soak's checks, read from its database once the load has stopped."""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from apps.claims.models import Claim, Endorsement, claim_key
from apps.forum.models import Post, Thread, Topic
from apps.maps.builder import build_graph
from apps.maps.models import ArgumentMap, MapDirtyMark
from apps.maps.services import graph_document
from bench.soak_load import Ledger, PostState


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def lost_writes(ledgers: dict[str, Ledger], *, refused_writes: int) -> list[Check]:
    """Every acknowledged reply, edit, delete and endorsement is in the database as it was
    acknowledged; nothing answered 503 ("nothing was saved") was saved."""
    claims = ClaimResolver()
    stored = {
        post.pk: post
        for post in Post.objects.filter(author__username__in=ledgers)
        .select_related("thread")
        .prefetch_related("tags")
    }
    expectations = {pk: e for ledger in ledgers.values() for pk, e in ledger.replies.items()}
    lost, saved_despite_503, examples = 0, 0, []
    for post_id, expected in expectations.items():
        post = stored.get(post_id)
        actual = post and claims.state_of(post)
        topic_id = post and post.thread.topic_id
        allowed = [claims.resolve(s, topic_id) for s in [expected.acknowledged, *expected.maybe]]
        if actual in allowed:
            continue
        if actual in [claims.resolve(s, topic_id) for s in expected.refused]:
            saved_despite_503 += 1
        else:
            lost += 1
        examples.append(f"post {post_id}: acknowledged {allowed[0]}, stored {actual}")
    unanswered = {body for ledger in ledgers.values() for body in ledger.unanswered}
    refused = {body for ledger in ledgers.values() for body in ledger.refused}
    bodies = {post.body for post in stored.values()}
    saved_despite_503 += len(refused & bodies)
    sent = unanswered | refused | {s.body for e in expectations.values() for s in e.maybe}
    stray = [pk for pk, post in stored.items() if pk not in expectations and post.body not in sent]
    endorsements, endorsements_lost, endorsements_despite_503 = _endorsements(ledgers)
    saved_despite_503 += endorsements_despite_503
    return [
        Check(
            "lost writes: 0",
            lost == 0 and endorsements_lost == 0 and not stray,
            f"{len(expectations):,} acknowledged replies (and their acknowledged edits and"
            f" deletes), {endorsements:,} endorsements: {lost + endorsements_lost} missing or"
            f" changed, {len(stray)} stored that no request sent; of {len(unanswered)} replies"
            f" that got no answer, {len(unanswered & bodies)} were stored"
            + (f"; e.g. {examples[0]}" if examples else ""),
        ),
        Check(
            "a 503 saved nothing",
            saved_despite_503 == 0,
            f"{refused_writes} writes answered 503: {saved_despite_503} stored anyway (an"
            " edit refused, then overwritten by an acknowledged one, is not counted)",
        ),
    ]


def _endorsements(ledgers: dict[str, Ledger]) -> tuple[int, int, int]:
    """Endorsements acknowledged, lost, and saved despite a 503."""
    stored = {
        (e.user.username, e.claim_id): e.stance
        for e in Endorsement.objects.filter(user__username__in=ledgers).select_related("user")
    }
    acknowledged = lost = saved_despite_503 = 0
    for name, ledger in ledgers.items():
        for claim_id, expected in ledger.endorsements.items():
            acknowledged += 1
            stance = stored.get((name, claim_id))
            if stance in [expected.acknowledged, *expected.maybe]:
                continue
            if stance in expected.refused:
                saved_despite_503 += 1
            else:
                lost += 1
    return acknowledged, lost, saved_despite_503


class ClaimResolver:
    """A tag sent by text names the topic's active claim with that key."""

    def __init__(self):
        self.keys = {
            (topic_id, key): pk
            for pk, topic_id, key in Claim.objects.filter(status="active").values_list(
                "pk", "topic_id", "key"
            )
        }

    @staticmethod
    def state_of(post: Post) -> PostState:
        tags = frozenset((tag.claim_id, tag.stance) for tag in post.tags.all())
        return PostState(post.body, post.response, post.state, tags)

    def resolve(self, state: PostState, topic_id: int | None) -> PostState:
        tags = frozenset(
            (self.keys.get((topic_id, claim_key(claim))) if isinstance(claim, str) else claim,
             stance)
            for claim, stance in state.tags
        )  # fmt: skip
        return PostState(state.body, state.response, state.state, tags)


def reply_counters() -> Check:
    """Each post's replies and descendants, each thread's replies, counted again."""
    rows = list(Post.objects.values_list("pk", "parent_id", "depth", "reply_count",
                                         "descendant_count", "thread_id"))  # fmt: skip
    children = defaultdict(list)
    for pk, parent, *_ in rows:
        if parent:
            children[parent].append(pk)
    descendants = {}
    for pk, *_ in sorted(rows, key=lambda row: -row[2]):  # deepest first
        descendants[pk] = sum(1 + descendants[child] for child in children[pk])
    wrong = [
        pk
        for pk, _, depth, replies, below, _ in rows
        if replies != len(children[pk]) or (depth > 0 and below != descendants[pk])
    ]
    replies_in = Counter(thread for _, _, depth, _, _, thread in rows if depth > 0)
    threads = Thread.objects.values_list("pk", "reply_count")
    wrong_threads = [pk for pk, count in threads if count != replies_in[pk]]
    return Check(
        "reply counters exact",
        not wrong and not wrong_threads,
        f"{len(rows):,} posts, {len(threads)} threads: {len(wrong)} posts and"
        f" {len(wrong_threads)} threads with a wrong count"
        + (f" (e.g. post {wrong[0]})" if wrong else ""),
    )


def map_equals_fresh_build() -> Check:
    """The latest stored version of each topic's map is what a build now gives."""
    stale = []
    topics = Topic.objects.filter(claims__isnull=False).distinct()
    for topic in topics:
        latest = ArgumentMap.objects.filter(topic=topic).order_by("-version").first()
        fresh = hashlib.sha256(graph_document(build_graph(topic))).hexdigest()
        if latest is None or latest.digest != fresh:
            stale.append(f"{topic.slug} (version {latest and latest.version})")
    versions = ", ".join(
        f"{slug} v{version}"
        for slug, version in ArgumentMap.objects.order_by("topic__slug", "-version")
        .distinct("topic__slug")
        .values_list("topic__slug", "version")
    )
    return Check(
        "stored map = fresh build",
        not stale,
        f"{len(topics)} topics ({versions})" + (f"; stale: {', '.join(stale)}" if stale else ""),
    )


def no_marks_left(drained_after: float | None) -> Check:
    left = MapDirtyMark.objects.count()
    when = (
        "never drained" if drained_after is None else f"none {drained_after:.1f} s after the load"
    )
    return Check("no dirty marks left", left == 0, f"{left} left; {when}")
