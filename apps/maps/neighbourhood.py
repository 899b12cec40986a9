"""A claim's neighbourhood in the topic's latest map: what the graph view draws, read from
the version's rows in a fixed number of queries whatever the topic's size."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from apps.forum.models import Topic
from apps.maps.models import ArgumentMap, MapClaim, MapRelation
from apps.maps.strength import strength_word

# The focused claim, its strongest direct neighbours and the strongest beyond: a first
# drawing to read, not to search; the rest is counted in "more" on the claims it relates to
# and drawn by focusing one of them. Chromium holds the drawing as pixels at the zoom where
# labels are legible, and each claim drawn costs the page about a MiB: 31 claims (a layer of
# 11 side by side, 2,842 px) took the renderer to 208 MiB, 13 to about 187 (bench 10).
MAX_NODES = 13
PER_HOP = {1: 6, 2: MAX_NODES - 7}
CLAIM_FIELDS = ("claim_id", "rank", "text", "strength", "standing", "supporters", "opposers",
                "supported_by", "attacked_by", "bears_on")  # fmt: skip


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

    def as_json(self) -> dict:
        """The graph view's JSON: flat fields, so each node and edge is its own __dict__
        (dataclasses.asdict deep-copied every field: a third of the view's time)."""
        return {
            "version": self.version,
            "focus": self.focus,
            "nodes": [vars(node) for node in self.nodes],
            "edges": [vars(edge) for edge in self.edges],
        }


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
        for row in _strongest_neighbours(argument_map.pk, frontier, rows, limit):
            rows[row["claim_id"]] = row
            hops[row["claim_id"]] = hop
    edges = _edges_between(relations, rows, hops)
    return Neighbourhood(
        version=argument_map.version,
        focus=claim_id,
        nodes=_nodes(rows, hops, edges),
        edges=edges,
    )


# Each frontier claim's strongest neighbours not drawn yet, at most `limit` of each kind of
# relation: its supporters and attackers read in rank order from the relations' index, what
# it bears on from its row's arrays; of those, the strongest `limit`. So a hop reads a few
# index rows per frontier claim however many relations they have.
NEAREST_SQL = f"""
    SELECT {", ".join(f"claim.{name}" for name in CLAIM_FIELDS)}
    FROM (
        SELECT DISTINCT neighbour.claim_id, neighbour.rank
        FROM unnest(%(frontier)s::bigint[]) AS frontier(claim_id)
        CROSS JOIN LATERAL (
            (SELECT source_id AS claim_id, source_rank AS rank FROM maps_maprelation
             WHERE argument_map_id = %(map)s AND target_id = frontier.claim_id
                AND kind = 'support' AND source_id <> ALL(%(drawn)s)
             ORDER BY source_rank LIMIT %(limit)s)
            UNION ALL
            (SELECT source_id, source_rank FROM maps_maprelation
             WHERE argument_map_id = %(map)s AND target_id = frontier.claim_id
                AND kind = 'attack' AND source_id <> ALL(%(drawn)s)
             ORDER BY source_rank LIMIT %(limit)s)
            UNION ALL
            (SELECT outgoing.claim_id, outgoing.rank FROM maps_mapclaim source
             CROSS JOIN LATERAL unnest(source.bears_on_ids, source.bears_on_ranks)
                AS outgoing (claim_id, rank)
             WHERE source.argument_map_id = %(map)s AND source.claim_id = frontier.claim_id
                AND outgoing.claim_id <> ALL(%(drawn)s)
             ORDER BY outgoing.rank LIMIT %(limit)s)
        ) neighbour
        ORDER BY neighbour.rank
        LIMIT %(limit)s
    ) nearest
    JOIN maps_mapclaim claim
        ON claim.argument_map_id = %(map)s AND claim.claim_id = nearest.claim_id
    ORDER BY nearest.rank
"""


def _strongest_neighbours(map_id: int, frontier: list[int], drawn: dict, limit: int) -> list:
    """The rows of the claims related either way to a claim of `frontier`, not drawn yet,
    strongest first, at most `limit`: one query, in which the relations' indexes hold each
    end's rank, so no claim row is read but those kept."""
    if limit <= 0 or not frontier:
        return []
    parameters = {"map": map_id, "frontier": frontier, "drawn": list(drawn), "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_SQL, parameters)
        return [dict(zip(CLAIM_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def _edges_between(relations: QuerySet, rows: dict, hops: dict[int, int]) -> list[GraphEdge]:
    """The relations that lead out from the focused claim: between two drawn claims one hop
    apart. Those between claims of the same hop are counted in "more", not drawn: they
    crossed the layers and took the layout ten times as long (bench 10). Read by target,
    kind and the source's rank, all in the map_relation_into index."""
    ranks = [row["rank"] for row in rows.values()]
    between = relations.filter(
        target__in=list(rows), kind__in=["support", "attack"], source_rank__in=ranks
    ).order_by("source", "target", "kind")
    return [
        GraphEdge(source=source, target=target, kind=kind, weight=weight)
        for source, target, kind, weight in between.values_list(
            "source", "target", "kind", "weight"
        )
        if abs(hops[source] - hops[target]) == 1
    ]


def _nodes(rows: dict, hops: dict, edges: list[GraphEdge]) -> list[GraphNode]:
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
            more=row["supported_by"] + row["attacked_by"] + row["bears_on"] - drawn[pk],
        )
        for pk, row in rows.items()
    ]
