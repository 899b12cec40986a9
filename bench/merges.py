"""Figure 6: a moderator merges two claims that carry many tags each, then undoes it:
seconds of each, and their SQL queries at two tag counts (they should not grow with it)."""

import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import MODERATORS
from apps.claims.models import Claim, ClaimTag
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from bench import bulk, database

OVERLAP = 0.10  # of a claim's tags, on posts that carry the other claim too (same stance)
OPPOSES = 0.3
THREADS = 50


def load(users: list, sizes: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """For each size, a target and a source claim with `size` tags each, a tenth of them
    on the same posts; returns size -> (target id, source id)."""
    rng = random.Random("merges")
    topic = bulk.topic("bench-merge")
    pairs, rows = {}, []
    for size in sizes:
        overlap = int(size * OVERLAP)
        posts = bulk.threads(
            topic, users, rng, count=THREADS, replies=2 * size - overlap, top_level=1.0
        )
        target, source = bulk.claims(
            topic,
            [f"Claim {size:,} to merge into: models memorize", f"Claim {size:,} merged away"],
        )
        for index, post in enumerate(posts):
            stance = ClaimTag.Stance.OPPOSES if rng.random() < OPPOSES else ClaimTag.Stance.SUPPORTS
            if index < size:
                rows.append((post.pk, target, stance))
            if index >= size - overlap:
                rows.append((post.pk, source, stance))
        pairs[size] = (target, source)
    bulk.tags(rows)
    database.vacuum("forum_post", "forum_thread", "claims_claim", "claims_claimtag")
    return pairs


def moderator():
    """A fresh instance each time, so every call loads the permissions as a request would."""
    user, _ = get_user_model().objects.get_or_create(username="bench-moderator")
    user.groups.add(Group.objects.get(name=MODERATORS))
    return get_user_model().objects.get(pk=user.pk)


def measure(pairs: dict[int, tuple[int, int]], rounds: int) -> dict[int, dict]:
    """Per size: median seconds of merge and undo over `rounds`, each call also counted
    under CaptureQueriesContext (it keeps each query's SQL: tens of queries, against
    seconds of work), sizes alternating within a round."""
    runs = {size: [] for size in pairs}
    for _ in range(rounds):
        for size, (target, source) in pairs.items():
            runs[size].append(_merge_and_undo(target, source))
    return {
        size: {
            "merge_s": statistics.median(run["merge_s"] for run in done),
            "undo_s": statistics.median(run["undo_s"] for run in done),
            "merge_queries": sorted({run["merge_queries"] for run in done}),
            "undo_queries": sorted({run["undo_queries"] for run in done}),
            "conflicts": int(size * OVERLAP),
        }
        for size, done in runs.items()
    }


def _merge_and_undo(target_id: int, source_id: int) -> dict:
    target, source = Claim.objects.get(pk=target_id), Claim.objects.get(pk=source_id)
    user = moderator()
    merge_s, merge_queries, merge = _timed(
        lambda: claim_merge(target=target, sources=[source], moderator=user, reason="bench")
    )
    assert not ClaimTag.objects.filter(claim_id=source_id).exists()
    user = moderator()
    undo_s, undo_queries, _ = _timed(
        lambda: claim_merge_undo(merge=merge, moderator=user, reason="bench")
    )
    assert Claim.objects.get(pk=source_id).status == Claim.Status.ACTIVE
    return {
        "merge_s": merge_s,
        "undo_s": undo_s,
        "merge_queries": merge_queries,
        "undo_queries": undo_queries,
    }


def _timed(call) -> tuple[float, int, object]:
    """Seconds and SQL queries of the call, and its result."""
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
    return seconds, len(captured), result
