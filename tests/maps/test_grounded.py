"""grounded_labelling against an independent implementation (python-argumentation) and on
frameworks big enough that anything slower than linear would not finish."""

import random
import sys

import pytest
from py_arg.abstract_argumentation_classes.abstract_argumentation_framework import (
    AbstractArgumentationFramework,
)
from py_arg.abstract_argumentation_classes.argument import Argument
from py_arg.abstract_argumentation_classes.defeat import Defeat
from py_arg.algorithms.semantics.get_grounded_extension import get_grounded_extension

from apps.maps import grounded
from apps.maps.grounded import IN, OUT, UNDECIDED, grounded_labelling


def reference_labelling(nodes: list[int], attacks: list[tuple[int, int]]) -> dict[int, str]:
    """IN: py_arg's grounded extension; OUT: what it attacks; UNDECIDED: the rest."""
    arguments = {node: Argument(str(node)) for node in nodes}
    framework = AbstractArgumentationFramework(
        "random",
        list(arguments.values()),
        [Defeat(arguments[a], arguments[b]) for a, b in attacks],
    )
    extension = {int(argument.name) for argument in get_grounded_extension(framework)}
    attacked = {b for a, b in attacks if a in extension}
    return {
        node: IN if node in extension else OUT if node in attacked else UNDECIDED for node in nodes
    }


def random_framework(rng: random.Random) -> tuple[list[int], list[tuple[int, int]]]:
    size = rng.randint(0, 40)
    nodes = rng.sample(range(1, 10_000), size)  # ids as sparse and unordered as claim ids
    density = rng.choice([0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4])
    attacks = [(a, b) for a in nodes for b in nodes if a != b and rng.random() < density]
    attacks += [(a, a) for a in nodes if rng.random() < density / 2]  # self-attacks
    if nodes and rng.random() < 0.5:  # a planted cycle of random length
        cycle = rng.sample(nodes, rng.randint(1, len(nodes)))
        attacks += list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
    attacks += rng.sample(attacks, min(len(attacks), rng.randint(0, 3)))  # repeats
    rng.shuffle(attacks)
    return nodes, attacks


@pytest.mark.parametrize("seed", range(6))
def test_grounded_labelling_matches_python_argumentation_on_random_frameworks(seed):
    rng = random.Random(seed)
    seen = set()
    for _ in range(60):
        nodes, attacks = random_framework(rng)
        labels = grounded_labelling(list(nodes), list(attacks))
        assert labels == reference_labelling(nodes, attacks), (nodes, attacks)
        seen |= set(labels.values())
    assert seen == {IN, OUT, UNDECIDED}  # the frameworks exercised every label


def test_the_random_frameworks_include_the_hard_cases():
    """The generator above does make cycles, self-attacks, empty and attack-free frameworks."""
    rng = random.Random(0)
    frameworks = [random_framework(rng) for _ in range(360)]
    assert any(not nodes for nodes, _ in frameworks)
    assert any(nodes and not attacks for nodes, attacks in frameworks)
    assert any(any(a == b for a, b in attacks) for _, attacks in frameworks)
    assert max(len(nodes) for nodes, _ in frameworks) >= 38
    assert any(
        labels and set(labels.values()) == {UNDECIDED}
        for labels in (reference_labelling(*framework) for framework in frameworks[:60])
    )


@pytest.mark.parametrize(
    "nodes, attacks, expected",
    [
        ([], [], {}),
        ([1], [], {1: IN}),
        ([1], [(1, 1)], {1: UNDECIDED}),
        ([1, 2], [(1, 2)], {1: IN, 2: OUT}),
        ([1, 2], [(1, 2), (2, 1)], {1: UNDECIDED, 2: UNDECIDED}),
        ([1, 2, 3], [(1, 2), (2, 3)], {1: IN, 2: OUT, 3: IN}),  # reinstatement
        ([1, 2, 3], [(1, 2), (2, 3), (3, 1)], {1: UNDECIDED, 2: UNDECIDED, 3: UNDECIDED}),
        ([1, 2, 3, 4], [(1, 2), (2, 1), (3, 4)], {1: UNDECIDED, 2: UNDECIDED, 3: IN, 4: OUT}),
        ([1, 2], [(2, 2), (2, 1)], {1: UNDECIDED, 2: UNDECIDED}),
        ([1, 2, 3], [(3, 3), (1, 3), (3, 2)], {1: IN, 2: IN, 3: OUT}),  # self-attacker out
        ([5, 3], [(5, 3), (5, 3)], {5: IN, 3: OUT}),  # a repeated attack counts once
    ],
)
def test_grounded_labelling_of_small_frameworks(nodes, attacks, expected):
    assert grounded_labelling(nodes, attacks) == expected
    assert reference_labelling(nodes, attacks) == expected


# --- linear time, checked without a clock ------------------------------------------------


def big_framework(chain: int, ring: int) -> tuple[list[int], list[tuple[int, int]], dict]:
    """A chain 0 → 1 → … (alternating IN/OUT) with extra attacks from its OUT nodes, and a
    ring with chords after it (all UNDECIDED): the expected labels come with it."""
    nodes = list(range(chain + ring))
    attacks = [(i, i + 1) for i in range(chain - 1)]
    for i in range(1, chain, 2):  # OUT nodes: their attacks change nothing
        attacks += [(i, j) for j in (i + 2, i + 4) if j < chain]
        attacks.append((i, chain + i % ring))
    for step in (1, 7, 13, 101):
        attacks += [(chain + k, chain + (k + step) % ring) for k in range(ring)]
    expected = {i: IN if i % 2 == 0 else OUT for i in range(chain)}
    expected.update(dict.fromkeys(range(chain, chain + ring), UNDECIDED))
    return nodes, attacks, expected


def test_grounded_labelling_of_a_hundred_thousand_claims_and_three_hundred_thousand_attacks():
    nodes, attacks, expected = big_framework(50_000, 50_000)
    assert len(nodes) == 100_000 and len(attacks) >= 300_000
    random.Random(1).shuffle(attacks)
    labels = grounded_labelling(nodes, attacks)
    assert labels == expected
    assert [labels[i] for i in range(6)] == [IN, OUT, IN, OUT, IN, OUT]
    assert labels[49_999] == OUT and labels[49_998] == IN


def lines_run(nodes: list[int], attacks: list[tuple[int, int]]) -> int:
    """How many lines of apps/maps/grounded.py run while labelling: a clock-free measure
    of the work done."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != grounded.__file__:
            return None
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        grounded_labelling(nodes, attacks)
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: big_framework(n // 2, n // 2)[:2],
        # one attacker the ready node knocks out, fanning out to n targets
        lambda n: (list(range(n + 2)), [(0, 1)] + [(1, k) for k in range(2, n + 2)]),
        # a star of n OUT attackers all aimed at one node: n decrements of one counter
        lambda n: (
            list(range(2 * n + 1)),
            [(k, n + k) for k in range(n)] + [(n + k, 2 * n) for k in range(n)],
        ),
        # a long reinstatement chain, the worst case for fixpoint iteration
        lambda n: (list(range(n)), [(k, k + 1) for k in range(n - 1)]),
    ],
)
def test_grounded_labelling_does_work_linear_in_nodes_plus_attacks(shape):
    small, large = shape(2_000), shape(8_000)
    small_lines, large_lines = lines_run(*small), lines_run(*large)
    for (nodes, attacks), lines in ((small, small_lines), (large, large_lines)):
        assert lines <= 12 * (len(nodes) + len(attacks)), (len(nodes), len(attacks), lines)
    size_ratio = (len(large[0]) + len(large[1])) / (len(small[0]) + len(small[1]))
    assert large_lines <= 1.1 * size_ratio * small_lines
