"""claim_strengths: the quadratic energy model (Potyka, KR 2018) against the properties the
literature names, Potyka's own worked numbers, and a plain dict-based implementation."""

import random

import pytest

from apps.maps import strength
from apps.maps.strength import Strengths, claim_strengths, strength_word


def incoming_relations(size: int, supports, attacks) -> dict[int, list[tuple[int, int]]]:
    """Claim -> [(source, +1 or -1)]: a repeated relation counts once, and a pair that both
    supports and attacks cancels out."""
    signs: dict[tuple[int, int], int] = {}
    for pairs, sign in ((supports, 1), (attacks, -1)):
        for pair in set(pairs):
            signs[pair] = signs.get(pair, 0) + sign
    incoming: dict[int, list[tuple[int, int]]] = {claim: [] for claim in range(size)}
    for (source, target), sign in signs.items():
        if sign:
            incoming[target].append((source, sign))
    return incoming


def model_targets(base, incoming, state: dict[int, float]) -> dict[int, float]:
    """f_a(s) = w_a - w_a·h(-E_a) + (1 - w_a)·h(E_a), E_a = supporters' minus attackers'."""

    def influence(energy: float) -> float:
        energy = max(energy, 0.0)
        return energy**2 / (1 + energy**2)

    targets = {}
    for claim, weight in enumerate(base):
        energy = sum(sign * state[source] for source, sign in incoming[claim])
        targets[claim] = weight - weight * influence(-energy) + (1 - weight) * influence(energy)
    return targets


def reference_strengths(base, supports, attacks) -> tuple[list[float], int, bool]:
    """The same model and the same RK4 (ds/dt = f(s) - s), written plainly over dicts, to
    cross-check the sparse implementation: values, iterations, converged."""
    incoming = incoming_relations(len(base), supports, attacks)

    def velocity(state: dict[int, float]) -> dict[int, float]:
        targets = model_targets(base, incoming, state)
        return {claim: targets[claim] - state[claim] for claim in state}

    step = strength.STEP
    state = dict(enumerate(base))
    for iteration in range(1, strength.MAX_ITERATIONS + 1):
        k1 = velocity(state)
        k2 = velocity({c: state[c] + step / 2 * k1[c] for c in state})
        k3 = velocity({c: state[c] + step / 2 * k2[c] for c in state})
        k4 = velocity({c: state[c] + step * k3[c] for c in state})
        slope = {c: (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]) / 6 for c in state}
        state = {c: state[c] + step * slope[c] for c in state}
        if max(abs(value) for value in slope.values()) < strength.TOLERANCE:
            return list(state.values()), iteration, True
    return list(state.values()), strength.MAX_ITERATIONS, False


def random_debate(rng: random.Random, largest: int = 20):
    """Base scores (from people, extreme, or any) and random supports and attacks, with a
    planted cycle of mixed relations, self-relations, repeats and pairs of both kinds."""
    size = rng.randint(1, largest)
    base = [
        rng.choice([0.0, 1.0, 0.5, rng.random(), (rng.randint(0, 5) + 1) / rng.randint(7, 12)])
        for _ in range(size)
    ]
    density = rng.choice([0.0, 0.05, 0.1, 0.2, 0.35])
    supports, attacks = [], []
    for source in range(size):
        for target in range(size):
            roll = rng.random()
            if roll < density / 2:
                supports.append((source, target))
            elif roll < density:
                attacks.append((source, target))
    if size > 1 and rng.random() < 0.8:
        cycle = rng.sample(range(size), rng.randint(2, size))
        for pair in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            (supports if rng.random() < 0.5 else attacks).append(pair)
    for pairs in (supports, attacks):
        pairs += rng.sample(pairs, min(len(pairs), rng.randint(0, 2)))  # repeats
    if supports and rng.random() < 0.3:
        attacks.append(rng.choice(supports))  # a pair of both kinds
    rng.shuffle(supports)
    rng.shuffle(attacks)
    return base, supports, attacks


def cross_check_debates(seed: int) -> list:
    rng = random.Random(f"cross-check-{seed}")
    return [random_debate(rng, largest=16) for _ in range(55)]


def has_cycle(size: int, pairs: list[tuple[int, int]]) -> bool:
    """Whether the relations, of either kind, run in a circle (Kahn's algorithm)."""
    targets = {claim: [b for a, b in set(pairs) if a == claim] for claim in range(size)}
    sources = {claim: sum(b == claim for _, b in set(pairs)) for claim in range(size)}
    ready = [claim for claim, count in sources.items() if count == 0]
    removed = 0
    while ready:
        claim = ready.pop()
        removed += 1
        for target in targets[claim]:
            sources[target] -= 1
            if sources[target] == 0:
                ready.append(target)
    return removed < size


# --- the dict-based cross-check -----------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_claim_strengths_match_a_dict_based_implementation_on_random_debates(seed):
    for base, supports, attacks in cross_check_debates(seed):
        result = claim_strengths(base=base, supports=supports, attacks=attacks)
        values, iterations, converged = reference_strengths(base, supports, attacks)
        assert result.values == pytest.approx(values, abs=1e-6, rel=0), (base, supports, attacks)
        assert abs(result.iterations - iterations) <= 1 and result.converged == converged


def test_the_cross_checked_debates_include_the_hard_cases():
    """330 debates: cycles, self-relations, pairs of both kinds, base scores of 0 and 1,
    and strengths that moved far from their base."""
    debates = [debate for seed in range(6) for debate in cross_check_debates(seed)]
    assert len(debates) == 330
    assert sum(has_cycle(len(base), s + a) for base, s, a in debates) >= 200
    assert any(any(a == b for a, b in s + t) for _, s, t in debates)
    assert any(set(s) & set(t) for _, s, t in debates)
    assert any({0.0, 1.0} <= set(base) for base, _, _ in debates)
    moved = max(
        abs(value - weight)
        for base, supports, attacks in debates[:30]
        for value, weight in zip(
            claim_strengths(base=base, supports=supports, attacks=attacks).values, base, strict=True
        )
    )
    assert moved > 0.3


def test_the_strengths_found_are_the_models_equilibrium():
    """Where it converges, f(s) = s to within the tolerance: the strengths the semantics
    defines, whatever the path the integration took."""
    for base, supports, attacks in cross_check_debates(0):
        result = claim_strengths(base=base, supports=supports, attacks=attacks)
        if not result.converged:
            continue
        state = dict(enumerate(result.values))
        incoming = incoming_relations(len(base), supports, attacks)
        targets = model_targets(base, incoming, state)
        assert max(abs(targets[c] - state[c]) for c in state) < 10 * strength.TOLERANCE


# --- properties the literature names ------------------------------------------------------


def test_a_claim_with_no_supporter_or_attacker_keeps_its_base_score():
    base = [0.0, 0.2, 0.5, 0.9, 1.0]
    result = claim_strengths(base=base, supports=[], attacks=[])
    assert result == Strengths(values=base, iterations=1, converged=True)
    # Claims 0 and 4 only act on others: they keep their base exactly; the others move.
    result = claim_strengths(base=base, supports=[(0, 1), (4, 2)], attacks=[(4, 3), (2, 1)])
    assert result.values[0] == 0.0 and result.values[4] == 1.0
    assert result.values[2] > 0.5 and result.values[3] < 0.9


def test_a_supporter_and_an_attacker_of_equal_strength_balance_out():
    result = claim_strengths(base=[0.4, 0.7, 0.7], supports=[(1, 0)], attacks=[(2, 0)])
    assert result.values == [0.4, 0.7, 0.7]


@pytest.mark.parametrize("seed", range(4))
def test_one_more_supporter_never_lowers_a_claim_and_one_more_attacker_never_raises_it(seed):
    rng = random.Random(f"monotonicity-{seed}")
    compared = moved = 0
    for _ in range(40):
        base, supports, attacks = random_debate(rng, largest=15)
        before = claim_strengths(base=base, supports=supports, attacks=attacks)
        pair = (rng.randrange(len(base)), rng.randrange(len(base)))
        supported = claim_strengths(base=base, supports=[*supports, pair], attacks=attacks)
        attacked = claim_strengths(base=base, supports=supports, attacks=[*attacks, pair])
        if not (before.converged and supported.converged and attacked.converged):
            continue  # no settled strengths to compare
        target = pair[1]
        assert supported.values[target] >= before.values[target] - 1e-7, (base, supports, pair)
        assert attacked.values[target] <= before.values[target] + 1e-7, (base, attacks, pair)
        compared += 1
        moved += supported.values[target] - attacked.values[target] > 1e-3
    assert compared >= 35 and moved >= 15  # the added relations did move claims


def test_symmetric_debates_give_equal_strengths():
    # Two claims attacking each other, each backed by a supporter of its own.
    duel = claim_strengths(
        base=[0.5, 0.5, 0.8, 0.8], supports=[(2, 0), (3, 1)], attacks=[(0, 1), (1, 0)]
    )
    assert duel.values[0] == pytest.approx(duel.values[1], abs=1e-12)
    # A ring of attacks: every claim stands where its neighbours do.
    ring = claim_strengths(
        base=[0.6] * 5, supports=[], attacks=[(k, (k + 1) % 5) for k in range(5)]
    )
    assert ring.values == pytest.approx([ring.values[0]] * 5, abs=1e-12)
    assert ring.values[0] < 0.6


@pytest.mark.parametrize("seed", range(5))
def test_two_copies_of_a_debate_give_each_claim_and_its_copy_equal_strengths(seed):
    """A random debate beside a copy of itself, the claims in a shuffled order."""
    rng = random.Random(f"copies-{seed}")
    base, supports, attacks = random_debate(rng, largest=12)
    size = len(base)
    position = list(range(2 * size))
    rng.shuffle(position)

    def placed(pairs):
        both = pairs + [(a + size, b + size) for a, b in pairs]
        return [(position[a], position[b]) for a, b in both]

    shuffled_base = [0.0] * (2 * size)
    for claim, weight in enumerate(base + base):
        shuffled_base[position[claim]] = weight
    result = claim_strengths(base=shuffled_base, supports=placed(supports), attacks=placed(attacks))
    for claim in range(size):
        copy = result.values[position[claim + size]]
        assert result.values[position[claim]] == pytest.approx(copy, abs=1e-9)


def test_the_order_of_the_relations_changes_nothing():
    base, supports, attacks = random_debate(random.Random("order"), largest=20)
    result = claim_strengths(base=base, supports=supports, attacks=attacks)
    reordered = claim_strengths(
        base=base, supports=sorted(supports, reverse=True), attacks=attacks[::-1]
    )
    assert reordered == result  # the same numbers, to the last bit


# --- base scores of 0 and 1, and Potyka's worked numbers ----------------------------------


def test_base_zero_and_one_move_only_towards_the_other_end():
    """f = w - w·h(-E) + (1-w)·h(E): attacks pull towards 0 in proportion to w, supports
    towards 1 in proportion to 1 - w. So 0 stays 0 when attacked and rises when supported;
    1 stays 1 when supported and falls when attacked; every strength stays in [0, 1]."""
    result = claim_strengths(
        base=[0.0, 0.0, 1.0, 1.0, 0.9], supports=[(4, 1), (4, 2)], attacks=[(4, 0), (4, 3)]
    )
    assert result.values[0] == 0.0 and result.values[1] > 0.3
    assert result.values[2] == 1.0 and result.values[3] < 0.7
    for base, supports, attacks in cross_check_debates(1):
        values = claim_strengths(base=base, supports=supports, attacks=attacks).values
        assert all(0.0 <= value <= 1.0 for value in values)


def stock_example() -> tuple[list[float], list, list]:
    """Potyka's stock example, bags/stock_example.bag of his Uncertainpy
    (github.com/nicopotyka/Uncertainpy): Buy, Sell and arguments 1 to 5, by position."""
    names = ["Buy", "Sell", "1", "2", "3", "4", "5"]
    at = {name: position for position, name in enumerate(names)}
    supports = [("1", "Sell"), ("2", "Buy"), ("4", "2"), ("5", "Buy")]
    attacks = [("Buy", "Sell"), ("Sell", "Buy"), ("2", "1"), ("3", "2"), ("4", "3"), ("5", "1")]
    return (
        [0.5, 0.5, 0.8, 0.7, 0.3, 0.9, 0.9],
        [(at[a], at[b]) for a, b in supports],
        [(at[a], at[b]) for a, b in attacks],
    )


def ten_by_ten_example() -> tuple[list[float], list, list]:
    """The last cell of Potyka's notebook: A (base 1) supports B0..B9 (base 0), every B
    supports every C (base 0), and each of C0..C9 attacks A. Positions: A, B0..B9, C0..C9."""
    bs, cs = range(1, 11), range(11, 21)
    supports = [(0, b) for b in bs] + [(b, c) for b in bs for c in cs]
    return [1.0] + [0.0] * 20, supports, [(c, 0) for c in cs]


# Printed by Potyka's own code (QuadraticEnergyModel, RK4, delta=10e-2, epsilon=10e-4) in
# examples/gradual/gradual_argumentation_examples.ipynb of github.com/nicopotyka/Uncertainpy,
# with "Time: 8.4" and "Time: 36.0": 84 and 360 steps of 0.1.
POTYKA_STOCK = [0.8208178793031596, 0.36345378093100583, 0.20494963930535626,
                0.8050136080030856, 0.165776045953347, 0.9, 0.9]  # fmt: skip
POTYKA_TEN_BY_TEN = [0.22473333877611876] + [0.04775030440346225] * 10 + [0.18525787504970218] * 10


@pytest.mark.parametrize(
    "example, expected, steps",
    [(stock_example, POTYKA_STOCK, 84), (ten_by_ten_example, POTYKA_TEN_BY_TEN, 360)],
)
def test_potykas_worked_numbers_at_his_own_step_and_tolerance(
    example, expected, steps, monkeypatch
):
    monkeypatch.setattr(strength, "TOLERANCE", 1e-3)  # his epsilon
    monkeypatch.setattr(strength, "STEP", 0.1)  # his delta
    base, supports, attacks = example()
    result = claim_strengths(base=base, supports=supports, attacks=attacks)
    assert result.values == pytest.approx(expected, abs=1e-12, rel=0)
    assert result.iterations == steps and result.converged


@pytest.mark.parametrize(
    "example, expected, steps",
    [(stock_example, POTYKA_STOCK, 84), (ten_by_ten_example, POTYKA_TEN_BY_TEN, 360)],
)
def test_the_maps_tolerance_carries_potykas_numbers_on_to_equilibrium(
    example, expected, steps, monkeypatch
):
    """He stops once no strength moves faster than 0.001; the map goes on to TOLERANCE, to
    strengths within two thousandths of his."""
    monkeypatch.setattr(strength, "STEP", 0.1)  # his delta, so his step counts compare
    base, supports, attacks = example()
    result = claim_strengths(base=base, supports=supports, attacks=attacks)
    assert result.converged and result.iterations > steps
    assert result.values == pytest.approx(expected, abs=2e-3, rel=0)
    assert result.values != pytest.approx(expected, abs=1e-4, rel=0)


# --- convergence, bad input, words --------------------------------------------------------


def test_hitting_the_iteration_cap_reports_not_converged(monkeypatch):
    base, supports, attacks = ten_by_ten_example()
    settled = claim_strengths(base=base, supports=supports, attacks=attacks)
    assert settled.converged and settled.iterations < strength.MAX_ITERATIONS
    monkeypatch.setattr(strength, "MAX_ITERATIONS", 3)
    capped = claim_strengths(base=base, supports=supports, attacks=attacks)
    assert capped.converged is False and capped.iterations == 3
    assert capped.values == pytest.approx(reference_strengths(base, supports, attacks)[0])
    assert capped.values != pytest.approx(settled.values, abs=1e-3)


def test_repeated_relations_count_once_and_opposite_ones_cancel():
    base = [0.5, 0.5]
    once = claim_strengths(base=base, supports=[(0, 1)], attacks=[])
    assert claim_strengths(base=base, supports=[(0, 1)] * 3, attacks=[]) == once
    assert once.values[1] > 0.5
    both = claim_strengths(base=base, supports=[(0, 1)], attacks=[(0, 1), (0, 1)])
    assert both.values == base


def test_no_claims_give_no_strengths():
    assert claim_strengths(base=[], supports=[], attacks=[]) == Strengths([], 0, True)


@pytest.mark.parametrize(
    "base, supports, attacks, message",
    [
        ([0.5, 1.5], [], [], "base score must be a number from 0 to 1"),
        ([0.5, -0.1], [], [], "base score must be a number from 0 to 1"),
        ([0.5, float("nan")], [], [], "base score must be a number from 0 to 1"),
        ([0.5, 0.5], [(0, 2)], [], "claim position 2; base has 2 claims"),
        ([0.5, 0.5], [], [(-1, 0)], "claim position -1; base has 2 claims"),
        ([], [(0, 0)], [], "claim position 0; base has 0 claims"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(base, supports, attacks, message):
    with pytest.raises(ValueError, match=message):
        claim_strengths(base=base, supports=supports, attacks=attacks)


@pytest.mark.parametrize(
    "value, word",
    [
        (1.0, "strong"),
        (0.75, "strong"),
        (0.7499, "fairly strong"),
        (0.55, "fairly strong"),
        (0.5499, "balanced"),
        (0.4501, "balanced"),
        (0.45, "fairly weak"),
        (0.2501, "fairly weak"),
        (0.25, "weak"),
        (0.0, "weak"),
    ],
)
def test_strength_words_follow_the_documented_thresholds(value, word):
    assert strength_word(value) == word


# --- shares and the step ------------------------------------------------------------------


def test_a_relations_share_scales_what_its_source_counts_for():
    """Energy is the shares times the sources' strengths: two attackers at half share act
    as one attacker at full share when their strengths are equal."""
    base = [0.5, 0.8, 0.8, 0.8]
    one = claim_strengths(base=base, supports=[], attacks=[(1, 0)])
    halves = claim_strengths(
        base=base, supports=[], attacks=[(2, 0), (3, 0)], attack_shares=[0.5, 0.5]
    )
    assert halves.values[0] == pytest.approx(one.values[0], abs=1e-9)
    full = claim_strengths(base=base, supports=[], attacks=[(2, 0), (3, 0)])
    assert full.values[0] < one.values[0]


def test_a_repeated_pair_counts_once_at_its_largest_share():
    base = [0.5, 0.9]
    largest = claim_strengths(base=base, supports=[(1, 0)], attacks=[], support_shares=[0.7])
    repeated = claim_strengths(
        base=base, supports=[(1, 0), (1, 0)], attacks=[], support_shares=[0.2, 0.7]
    )
    assert repeated == largest


@pytest.mark.parametrize("shares", [[0.0], [1.5], [-1.0], [0.5, 0.5]])
def test_a_share_outside_0_to_1_or_one_per_relation_is_refused(shares):
    with pytest.raises(ValueError, match="share"):
        claim_strengths(base=[0.5, 0.5], supports=[(0, 1)], attacks=[], support_shares=shares)


def test_the_step_changes_how_fast_the_strengths_settle_not_where(monkeypatch):
    """STEP is 0.5 where Potyka's examples use 0.1: on random debates with cycles that
    settle, both rest at the same strengths."""
    rng = random.Random("step")
    for _ in range(60):
        base, supports, attacks = random_debate(rng)
        fast = claim_strengths(base=base, supports=supports, attacks=attacks)
        monkeypatch.setattr(strength, "STEP", 0.1)
        slow = claim_strengths(base=base, supports=supports, attacks=attacks)
        monkeypatch.undo()
        if fast.converged and slow.converged:
            assert fast.values == pytest.approx(slow.values, abs=1e-6)
            assert fast.iterations <= slow.iterations
