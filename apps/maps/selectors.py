"""Reads of built maps."""

from dataclasses import dataclass, field
from html import unescape

from django.utils.html import strip_tags
from django.utils.text import Truncator

from apps.forum.models import Post, Topic
from apps.maps.models import ArgumentMap, MapRequest


def latest_map(topic: Topic) -> ArgumentMap | None:
    return ArgumentMap.objects.filter(topic=topic).order_by("-version").first()


def is_dirty(topic: Topic) -> bool:
    return MapRequest.objects.filter(topic=topic).exists()


# Evidence posts shown per relation on a claim's page; the rest are counted.
EVIDENCE_SHOWN = 3
EXCERPT_CHARS = 160


def strongest_first(node: dict) -> tuple:
    """Sort key: strength descending, then more supporters, then id."""
    return (-node["strength"], -node["supporters"], node["id"])


@dataclass
class EvidencePost:
    """A post that drew a relation: who wrote it and how it begins."""

    id: int
    author: str | None  # None: a deleted user
    excerpt: str | None  # None: the post is no longer visible


@dataclass
class Neighbour:
    """A claim with an edge into the claim on show, and the posts that drew the edge."""

    node: dict
    weight: int  # distinct authors of the evidence posts
    evidence: list[EvidencePost]
    more_evidence: int  # evidence posts beyond the ones shown


@dataclass
class ClaimRelations:
    node: dict | None  # the claim's node in the map, if it is on it
    supported_by: list[Neighbour] = field(default_factory=list)  # strongest first
    attacked_by: list[Neighbour] = field(default_factory=list)
    supports: list[dict] = field(default_factory=list)  # what it supports, strongest first
    attacks: list[dict] = field(default_factory=list)


def claim_relations(argument_map: ArgumentMap | None, claim_id: int) -> ClaimRelations:
    """The claim's node in a built map, the claims it supports and attacks, and the claims
    that support and attack it with the posts that drew each relation; strongest first."""
    graph = argument_map.graph if argument_map else {"nodes": [], "edges": []}
    nodes = {node["id"]: node for node in graph["nodes"]}
    if claim_id not in nodes:
        return ClaimRelations(node=None)
    relations = ClaimRelations(node=nodes[claim_id])
    incoming = []
    for edge in graph["edges"]:
        if edge["source"] == claim_id:
            outgoing = relations.supports if edge["kind"] == "support" else relations.attacks
            outgoing.append(nodes[edge["target"]])
        if edge["target"] == claim_id:
            incoming.append(edge)
    evidence = _evidence_posts(graph, [edge["evidence"][:EVIDENCE_SHOWN] for edge in incoming])
    for edge in incoming:
        shown = edge["evidence"][:EVIDENCE_SHOWN]
        neighbours = relations.supported_by if edge["kind"] == "support" else relations.attacked_by
        neighbours.append(
            Neighbour(
                node=nodes[edge["source"]],
                weight=edge["weight"],
                evidence=[evidence[pk] for pk in shown],
                more_evidence=len(edge["evidence"]) - len(shown),
            )
        )
    relations.supported_by.sort(key=lambda neighbour: strongest_first(neighbour.node))
    relations.attacked_by.sort(key=lambda neighbour: strongest_first(neighbour.node))
    relations.supports.sort(key=strongest_first)
    relations.attacks.sort(key=strongest_first)
    return relations


def _evidence_posts(graph: dict, id_lists: list[list[int]]) -> dict[int, EvidencePost]:
    """The posts by id, with authors as the map names them and excerpts read in one query."""
    ids = {pk for ids in id_lists for pk in ids}
    authors = {post["id"]: post["author"] for post in graph["posts"] if post["id"] in ids}
    bodies = dict(Post.objects.visible().filter(pk__in=ids).values_list("pk", "body_html"))
    return {
        pk: EvidencePost(id=pk, author=authors.get(pk), excerpt=_excerpt(bodies.get(pk)))
        for pk in ids
    }


def _excerpt(body_html: str | None) -> str | None:
    if body_html is None:
        return None
    text = " ".join(unescape(strip_tags(body_html)).split())
    return Truncator(text).chars(EXCERPT_CHARS)


@dataclass
class OutlineEntry:
    node: dict
    supported_by: list[dict]  # strongest first
    attacked_by: list[dict]


def map_outline(argument_map: ArgumentMap) -> list[OutlineEntry]:
    """The map as nested lists: every claim, strongest first, with the claims that support
    and attack it."""
    nodes = {node["id"]: node for node in argument_map.graph["nodes"]}
    entries = {
        pk: OutlineEntry(node=node, supported_by=[], attacked_by=[]) for pk, node in nodes.items()
    }
    for edge in argument_map.graph["edges"]:
        target = entries[edge["target"]]
        (target.supported_by if edge["kind"] == "support" else target.attacked_by).append(
            nodes[edge["source"]]
        )
    for entry in entries.values():
        entry.supported_by.sort(key=strongest_first)
        entry.attacked_by.sort(key=strongest_first)
    return sorted(entries.values(), key=lambda entry: strongest_first(entry.node))
