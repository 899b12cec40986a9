"""Figure 2: reply_create latency in a small and a large thread, parents drawn from the shape."""

import random
import statistics
import time

from apps.forum.models import Post
from apps.forum.services.posting import reply_create
from bench import data, database
from bench.stats import percentile


def measure(large: data.Shape, users: list, *, small_size: int, rounds: int, count: int) -> dict:
    """Each round grows a fresh small thread, then alternates `count` timed inserts between
    it and the large thread, so noise falls on both alike. Medians over the rounds."""
    per_round = []
    for round_number in range(rounds):
        rng = random.Random(f"insert-{round_number}")
        _, small = data.make_thread(users, rng, "Insert benchmark")
        data.grow(small, users, small_size)
        database.vacuum()
        samples = {"small": [], "large": []}
        for _ in range(count):
            for key, shape in (("small", small), ("large", large)):
                samples[key].append(_timed_insert(shape, users))
        per_round.append({key: _summary(values) for key, values in samples.items()})
    return {
        key: {stat: statistics.median(result[key][stat] for result in per_round) for stat in stats}
        for key, stats in per_round[0].items()
    }


def _timed_insert(shape: data.Shape, users: list) -> tuple[float, int]:
    """Milliseconds of one reply_create, and the rows its tree shift rewrote."""
    arguments = data.reply_arguments(shape, users)
    start = time.perf_counter()
    reply = reply_create(**arguments)
    elapsed = (time.perf_counter() - start) * 1000
    shape.add(reply)
    return elapsed, rows_rewritten(reply)


def rows_rewritten(reply: Post) -> int:
    """Rows the nested-set shift moved: those now right of the reply or around it."""
    if reply.tree_parent_id is None:
        return 0
    return Post.objects.filter(tree_id=reply.tree_id, rght__gt=reply.rght).count()


def _summary(samples: list[tuple[float, int]]) -> dict:
    times = [ms for ms, _ in samples]
    return {
        "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95),
        "p95_rows": percentile([rows for _, rows in samples], 0.95),
    }
