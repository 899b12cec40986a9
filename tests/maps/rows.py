"""A built map version written straight as rows, of any size and shape: for the reads that
must cost the same whatever the topic's size, without building a debate post by post."""

from collections import Counter
from dataclasses import dataclass, field

from apps.claims.models import Claim, claim_key
from apps.forum.models import Topic
from apps.maps.models import ArgumentMap
from apps.maps.services import write_rows


@dataclass
class Node:
    text: str
    strength: float = 0.5
    supporters: int = 1
    opposers: int = 0


@dataclass
class Edge:
    source: int  # positions in the list of nodes
    target: int
    kind: str = "support"
    evidence: list[int] = field(default_factory=list)  # post ids

    @property
    def weight(self) -> int:
        return max(1, len(self.evidence))


def store_map(topic: Topic, nodes: list[Node], edges: list[Edge], version: int = 1) -> list[int]:
    """The claims (created if new) and a map version of them as rows; returns their ids in
    the order of `nodes`."""
    ids = [
        Claim.objects.get_or_create(topic=topic, key=claim_key(node.text), text=node.text)[0].pk
        for node in nodes
    ]
    kinds = Counter(edge.kind for edge in edges)
    argument_map = ArgumentMap.objects.create(
        topic=topic, version=version, graph_without_edges={}, digest=f"rows-{version}",
        stats={"claims": len(nodes), "supports": kinds["support"], "attacks": kinds["attack"],
               "IN": len(nodes), "OUT": 0, "UNDECIDED": 0, "strength_converged": True},
    )  # fmt: skip
    graph = {
        "nodes": [
            {"id": ids[position], "text": node.text, "strength": node.strength,
             "base": node.strength, "standing": "IN", "reason": "No objection",
             "supporters": node.supporters, "opposers": node.opposers,
             "endorsements": {"supports": 0, "opposes": 0}}
            for position, node in enumerate(nodes)
        ],
        "edges": [
            {"source": ids[edge.source], "target": ids[edge.target], "kind": edge.kind,
             "weight": edge.weight, "share": float(edge.weight), "evidence": edge.evidence}
            for edge in edges
        ],
    }  # fmt: skip
    write_rows(argument_map, graph)  # as map_build writes them
    return ids


def star(topic: Topic, *, pros: int, cons: int, theses: int = 1, evidence=()) -> list[int]:
    """`theses` main claims; the first has `pros` supporters and `cons` attackers, strength
    falling with position, each relation drawn by `evidence`; the strongest pro is itself
    attacked, and supports a second thesis too."""
    nodes = [Node(f"Thesis {n}", strength=0.5 - n / 1000) for n in range(theses)]
    edges = []
    for kind, count in (("support", pros), ("attack", cons)):
        for n in range(count):
            edges.append(Edge(len(nodes), 0, kind, list(evidence)))
            nodes.append(Node(f"A {kind} number {n}", strength=0.9 - n / 1000))
    nodes.append(Node("An objection to the strongest pro", strength=0.3))
    edges.append(Edge(len(nodes) - 1, theses, "attack", list(evidence)))
    if theses > 1:
        edges.append(Edge(theses, 1, "support", list(evidence)))
    return store_map(topic, nodes, edges)
