"""Grounded labelling of an abstract argumentation framework (Dung), in linear time."""

from collections import deque

IN, OUT, UNDECIDED = "IN", "OUT", "UNDECIDED"
_LABELS = (UNDECIDED, IN, OUT)  # indexed by the state kept per node below


def grounded_labelling(nodes: list[int], attacks: list[tuple[int, int]]) -> dict[int, str]:
    """IN: every attacker is OUT (so unattacked nodes are IN); OUT: some attacker is IN;
    UNDECIDED: the rest. Each node and each attack is handled a bounded number of times."""
    place = {node: index for index, node in enumerate(nodes)}
    targets: list[list[int]] = [[] for _ in nodes]
    attackers_left = [0] * len(nodes)  # attackers not yet OUT (a repeated attack counts twice)
    for attacker, target in attacks:
        target_place = place[target]
        targets[place[attacker]].append(target_place)
        attackers_left[target_place] += 1
    state = [0] * len(nodes)  # 0 unlabelled, 1 IN, 2 OUT
    ready = deque(index for index, left in enumerate(attackers_left) if left == 0)
    while ready:
        node = ready.popleft()
        state[node] = 1
        for target in targets[node]:
            if state[target]:
                continue
            state[target] = 2
            for next_target in targets[target]:
                attackers_left[next_target] -= 1
                if attackers_left[next_target] == 0 and not state[next_target]:
                    ready.append(next_target)
    return {node: _LABELS[state[index]] for index, node in enumerate(nodes)}
