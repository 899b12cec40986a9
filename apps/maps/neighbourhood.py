"""A claim's neighbourhood in the topic's latest map: what the graph view draws, read from
the version's rows in a fixed number of queries whatever the topic's size."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from apps.forum.models import Topic
from apps.maps.models import ArgumentMap, MapClaim, MapRelation
from apps.maps.strength import strength_word

# The focused claim and its strongest neighbours: enough to read, few enough to draw at
# once on a phone. The neighbours left out are counted on the nodes they relate to. A
# layered drawing is as wide as its widest layer: 30 direct neighbours side by side took
# 250 MB of the page's memory in Chromium (bench 10), so each hop is capped too.
MAX_NODES = 60
PER_HOP = {1: 15, 2: MAX_NODES - 16}
CLAIM_FIELDS = ("claim_id", "text", "strength", "standing", "supporters", "opposers",
                "supported_by", "attacked_by", "main")  # fmt: skip
STRONGEST_FIRST = ("-strength", "-supporters", "claim_id")  # as selectors.strongest_first


@dataclass
class GraphNode:
    id: int
    text: str
    strength: float
    word: str  # the strength's word (apps/maps/strength.py)
    standing: str
    supporters: int
    opposers: int
    hop: int  # relations from the focused claim: 0, 1 or 2
    more: int  # its relations (support or attack, either way) that are not drawn


@dataclass
class GraphEdge:
    source: int
    target: int
    kind: str  # "support" or "attack"
    weight: int


@dataclass
class Neighbourhood:
    version: int
    focus: int
    nodes: list[GraphNode]  # the focused claim, then each hop strongest first
    edges: list[GraphEdge]  # the relations between drawn claims one hop apart


def claim_neighbourhood(*, topic: Topic, claim_id: int) -> Neighbourhood | None:
    """The claims within two relations of `claim_id` in the topic's latest map, at most
    MAX_NODES: the claim, then its direct supporters, attackers and the claims it supports
    and attacks, then theirs, each hop strongest first. None: the claim is not on the map
    (unknown, of another topic, merged into another, or not tagged yet)."""
    argument_map = (
        ArgumentMap.objects.filter(topic=topic).order_by("-version").only("version").first()
    )
    if argument_map is None:
        return None
    claims = MapClaim.objects.filter(argument_map=argument_map)
    focus = claims.filter(claim_id=claim_id).values(*CLAIM_FIELDS).first()
    if focus is None:
        return None
    relations = MapRelation.objects.filter(argument_map=argument_map)
    rows, hops = {claim_id: focus}, {claim_id: 0}  # by claim id, in drawing order
    for hop, limit in PER_HOP.items():
        frontier = [pk for pk, distance in hops.items() if distance == hop - 1]
        for row in _strongest_neighbours(claims, relations, frontier, rows, limit):
            rows[row["claim_id"]] = row
            hops[row["claim_id"]] = hop
    edges = _edges_between(relations, hops)
    return Neighbourhood(
        version=argument_map.version,
        focus=claim_id,
        nodes=_nodes(rows, hops, edges, _relations_out(relations, rows)),
        edges=edges,
    )


def _strongest_neighbours(
    claims: QuerySet, relations: QuerySet, frontier: list[int], drawn: dict, limit: int
) -> list[dict]:
    """The rows of the claims related either way to a claim of `frontier`, not drawn yet,
    strongest first, at most `limit`: one query, sorted and cut by the database."""
    if limit <= 0 or not frontier:
        return []
    related = Q(claim_id__in=relations.filter(target__in=frontier).values("source")) | Q(
        claim_id__in=relations.filter(source__in=frontier).values("target")
    )
    return list(
        claims.filter(related)
        .exclude(claim_id__in=list(drawn))
        .order_by(*STRONGEST_FIRST)
        .values(*CLAIM_FIELDS)[:limit]
    )


def _edges_between(relations: QuerySet, hops: dict[int, int]) -> list[GraphEdge]:
    """The relations that lead out from the focused claim: between two drawn claims one hop
    apart. Those between claims of the same hop are counted in "more", not drawn: they
    crossed the layers and took the layout ten times as long (bench 10)."""
    ids = list(hops)
    between = relations.filter(source__in=ids, target__in=ids).order_by("source", "target", "kind")
    return [
        GraphEdge(source=source, target=target, kind=kind, weight=weight)
        for source, target, kind, weight in between.values_list(
            "source", "target", "kind", "weight"
        )
        if abs(hops[source] - hops[target]) == 1
    ]


def _relations_out(relations: QuerySet, rows: dict) -> dict[int, int]:
    """How many relations start at each drawn claim; a thesis (`main`) starts none."""
    sources = [pk for pk, row in rows.items() if not row["main"]]
    if not sources:
        return {}
    counted = relations.filter(source__in=sources).values("source").annotate(count=Count("pk"))
    return {entry["source"]: entry["count"] for entry in counted}


def _nodes(rows: dict, hops: dict, edges: list[GraphEdge], out: dict) -> list[GraphNode]:
    drawn = dict.fromkeys(rows, 0)
    for edge in edges:
        drawn[edge.source] += 1
        drawn[edge.target] += 1
    return [
        GraphNode(
            id=pk,
            text=row["text"],
            strength=row["strength"],
            word=strength_word(row["strength"]),
            standing=row["standing"],
            supporters=row["supporters"],
            opposers=row["opposers"],
            hop=hops[pk],
            more=row["supported_by"] + row["attacked_by"] + out.get(pk, 0) - drawn[pk],
        )
        for pk, row in rows.items()
    ]
