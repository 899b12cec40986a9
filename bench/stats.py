"""Small statistics shared by the figures."""

import math


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def distinct_pairs(rng, pick, count: int) -> list[tuple]:
    """`count` distinct (a, b) pairs of values drawn by `pick()`, none of a value with itself,
    in no helpful order (seeded by `rng`)."""
    pairs: set[tuple] = set()
    while len(pairs) < count:
        a, b = pick(), pick()
        if a != b:
            pairs.add((a, b))
    ordered = sorted(pairs)
    rng.shuffle(ordered)
    return ordered
