"""Grounded labelling of an abstract argumentation framework (Dung), in linear time."""

from collections import defaultdict, deque

IN, OUT, UNDECIDED = "IN", "OUT", "UNDECIDED"


def grounded_labelling(nodes: list[int], attacks: list[tuple[int, int]]) -> dict[int, str]:
    """IN: every attacker is OUT (so unattacked nodes are IN); OUT: some attacker is IN;
    UNDECIDED: the rest. Each node and attack is handled a bounded number of times."""
    attacked_by_count = dict.fromkeys(nodes, 0)
    targets = defaultdict(list)
    for attacker, target in set(attacks):
        attacked_by_count[target] += 1
        targets[attacker].append(target)
    labels: dict[int, str] = {}
    ready = deque(node for node in sorted(nodes) if attacked_by_count[node] == 0)
    while ready:
        node = ready.popleft()
        labels[node] = IN
        for target in targets[node]:
            if target in labels:
                continue
            labels[target] = OUT
            for next_target in targets[target]:
                attacked_by_count[next_target] -= 1
                if attacked_by_count[next_target] == 0 and next_target not in labels:
                    ready.append(next_target)
    return {node: labels.get(node, UNDECIDED) for node in nodes}
