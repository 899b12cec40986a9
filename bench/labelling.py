"""Figure 5: the grounded labelling alone, on a large random attack graph."""

import random
import statistics
import time
from collections import Counter

from apps.maps.grounded import grounded_labelling
from bench.stats import distinct_pairs


def measure(*, nodes: int, attacks: int, runs: int) -> dict:
    """Median seconds of grounded_labelling over `runs`, on `nodes` claims with `attacks`
    distinct random attacks (seeded; no claim attacks itself, as the builder's rules give)."""
    rng = random.Random("grounded")
    claims = rng.sample(range(1, 20 * nodes), nodes)  # ids with gaps, as a topic's claims have
    attack_list = distinct_pairs(rng, lambda: rng.choice(claims), attacks)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        labels = grounded_labelling(claims, attack_list)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {
        "nodes": nodes,
        "attacks": attacks,
        "seconds": seconds,
        "per_s": (nodes + attacks) / seconds,
        "labels": dict(Counter(labels.values())),
    }
