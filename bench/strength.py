"""Figure 9: the claims' strength alone (apps/maps/strength.py), on a large random graph of
supports and attacks."""

import random
import statistics
import time
from collections import Counter

from apps.maps.strength import claim_strengths, strength_word
from bench.stats import distinct_pairs

PEOPLE = 6  # a claim has 0 to PEOPLE supporters and as many opposers, for its base score


def measure(*, claims: int, relations: int, runs: int) -> dict:
    """Median seconds of claim_strengths over `runs`, on `claims` claims with base scores
    (s + 1) / (s + o + 2) of random people counts and `relations` distinct random (source,
    target) pairs, no claim on itself, every other one an attack (seeded)."""
    rng = random.Random("strength")
    people = [(rng.randint(0, PEOPLE), rng.randint(0, PEOPLE)) for _ in range(claims)]
    base = [(supporters + 1) / (supporters + opposers + 2) for supporters, opposers in people]
    relation_list = distinct_pairs(rng, lambda: rng.randrange(claims), relations)
    supports, attacks = relation_list[0::2], relation_list[1::2]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = claim_strengths(base=base, supports=supports, attacks=attacks)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {
        "claims": claims,
        "relations": relations,
        "seconds": seconds,
        "iterations": result.iterations,
        "converged": result.converged,
        "step_ms": seconds * 1000 / result.iterations,
        "words": dict(Counter(strength_word(value) for value in result.values)),
    }
