"""Reads of built maps."""

from dataclasses import dataclass, field

from apps.forum.models import Topic
from apps.maps.models import ArgumentMap, MapRequest


def latest_map(topic: Topic) -> ArgumentMap | None:
    return ArgumentMap.objects.filter(topic=topic).order_by("-version").first()


def is_dirty(topic: Topic) -> bool:
    return MapRequest.objects.filter(topic=topic).exists()


@dataclass
class ClaimRelations:
    node: dict | None  # the claim's node in the map, if it is on it
    supports: list[dict] = field(default_factory=list)  # claims this one supports
    attacks: list[dict] = field(default_factory=list)
    supported_by: list[dict] = field(default_factory=list)
    attacked_by: list[dict] = field(default_factory=list)


def claim_relations(argument_map: ArgumentMap | None, claim_id: int) -> ClaimRelations:
    """The claim's standing and neighbours in a built map."""
    if argument_map is None:
        return ClaimRelations(node=None)
    nodes = {node["id"]: node for node in argument_map.graph["nodes"]}
    relations = ClaimRelations(node=nodes.get(claim_id))
    for edge in argument_map.graph["edges"]:
        if edge["source"] == claim_id:
            getattr(relations, "supports" if edge["kind"] == "support" else "attacks").append(
                nodes[edge["target"]]
            )
        if edge["target"] == claim_id:
            getattr(
                relations, "supported_by" if edge["kind"] == "support" else "attacked_by"
            ).append(nodes[edge["source"]])
    return relations


@dataclass
class OutlineEntry:
    node: dict
    supported_by: list[dict]
    attacked_by: list[dict]


def map_outline(argument_map: ArgumentMap) -> list[OutlineEntry]:
    """The map as nested lists: every claim with the claims that support and attack it."""
    nodes = {node["id"]: node for node in argument_map.graph["nodes"]}
    entries = {
        pk: OutlineEntry(node=node, supported_by=[], attacked_by=[]) for pk, node in nodes.items()
    }
    for edge in argument_map.graph["edges"]:
        target = entries[edge["target"]]
        (target.supported_by if edge["kind"] == "support" else target.attacked_by).append(
            nodes[edge["source"]]
        )
    order = {"IN": 0, "UNDECIDED": 1, "OUT": 2}
    return sorted(
        entries.values(),
        key=lambda e: (order[e.node["standing"]], -e.node["supports"], e.node["id"]),
    )
