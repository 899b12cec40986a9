"""Reads of built maps. Pages and the claim API read the rows of the latest version
(MapClaim, MapRelation), a bounded number of queries however large the topic; only the
exports read a version's whole graph."""

from dataclasses import dataclass, field
from math import ceil

from django.contrib.postgres.search import TrigramWordDistance
from django.core.paginator import Page, Paginator

from apps.forum.models import Post, Topic
from apps.forum.rendering import plain_excerpt
from apps.maps.models import ArgumentMap, MapClaim, MapDirtyMark

# Strongest first, then more supporters, then the older claim: every list of claims
# (services.claim_ranks).
RANKED = ("rank",)
# A claim row but its post lists, which grow with the debate and no page shows.
CLAIM_COLUMNS = """claim.id, claim.argument_map_id, claim.claim_id, claim.text, claim.strength,
    claim.base, claim.standing, claim.reason, claim.supporters, claim.opposers,
    claim.endorsed_supporting, claim.endorsed_opposing, claim.supported_by, claim.attacked_by,
    claim.main, claim.bears_on, claim.rank"""

# A column of a claim in focus, "n more" paging on; and the claims it bears on. Ten keep
# the page's cost near the demo's for a claim with thousands of relations (bench 10).
CARDS_PER_COLUMN = 10
OUTGOING_SHOWN = 10
EVIDENCE_SHOWN = 3  # evidence posts shown per relation; the rest are counted
EXCERPT_CHARS = 160
CLAIMS_PER_PAGE = 20  # the overview's lists


def latest_map(topic: Topic) -> ArgumentMap | None:
    """The latest version with its whole graph, megabytes in a large topic: for exports."""
    return ArgumentMap.objects.filter(topic=topic).order_by("-version").first()


def latest_version(topic: Topic) -> ArgumentMap | None:
    """The latest version's number, build time and stats, never its graph."""
    return (
        ArgumentMap.objects.filter(topic=topic)
        .only("topic", "version", "built_at", "stats")
        .order_by("-version")
        .first()
    )


def is_dirty(topic: Topic) -> bool:
    return MapDirtyMark.objects.filter(topic=topic).exists()


def map_claim(argument_map: ArgumentMap | None, claim_id: int) -> MapClaim | None:
    """The claim's row in the version, if the claim is on it."""
    if argument_map is None:
        return None
    return MapClaim.objects.filter(argument_map=argument_map, claim_id=claim_id).first()


# --- a claim and its neighbours ---------------------------------------------------------


@dataclass
class EvidencePost:
    """A post that drew a relation: who wrote it and how it begins."""

    id: int
    author: str | None  # None: a deleted user
    excerpt: str | None  # None: the post is no longer visible


@dataclass
class Column:
    """One page of the claims that support (or attack) a claim, strongest first. Each card
    is a MapClaim with the relation's `weight`, its `evidence` shown and `more_evidence`."""

    kind: str
    cards: list[MapClaim]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / CARDS_PER_COLUMN))

    @property
    def start(self) -> int:
        """The number of this page's first card, counting from 1."""
        return (self.page - 1) * CARDS_PER_COLUMN + 1

    @property
    def end(self) -> int:
        return self.start + len(self.cards) - 1

    @property
    def more(self) -> int:
        """Cards after this page."""
        return max(0, self.total - self.end)


@dataclass
class ClaimRelations:
    node: MapClaim | None  # the claim's row, if it is on the map
    supported_by: Column | None = None
    attacked_by: Column | None = None
    supports: list[MapClaim] = field(default_factory=list)  # what it bears on, strongest first
    attacks: list[MapClaim] = field(default_factory=list)
    more_outgoing: int = 0  # relations out of it beyond those listed


def claim_relations(
    argument_map: ArgumentMap | None, claim_id: int, *, more: str | None = None, page: int = 1
) -> ClaimRelations:
    """The claim's row; a page of the claims that support it and of those that attack it,
    each with the posts that drew the relation (page `page` of the column `more`, the first
    of the other); and the claims it supports and attacks. At most five queries."""
    node = map_claim(argument_map, claim_id)
    if node is None:
        return ClaimRelations(node=None)
    totals = {"support": node.supported_by, "attack": node.attacked_by}
    columns = {
        kind: _column(node, kind, total, page if kind == more else 1)
        for kind, total in totals.items()
    }
    _attach_evidence([card for column in columns.values() for card in column.cards])
    relations = ClaimRelations(
        node=node, supported_by=columns["support"], attacked_by=columns["attack"]
    )
    if not node.main:
        _attach_outgoing(relations)
    return relations


NEIGHBOURS_SQL = f"""
    SELECT {CLAIM_COLUMNS}, relation.weight, relation.evidence[1:%(shown)s] AS evidence_shown,
        cardinality(relation.evidence) AS evidence_count
    FROM maps_maprelation relation
    JOIN maps_mapclaim claim
        ON claim.argument_map_id = relation.argument_map_id AND claim.claim_id = relation.source_id
    WHERE relation.argument_map_id = %(map)s AND relation.target_id = %(claim)s
        AND relation.kind = %(kind)s
    ORDER BY relation.source_rank
    LIMIT %(limit)s OFFSET %(offset)s
"""


def _column(node: MapClaim, kind: str, total: int, page: int) -> Column:
    """Page `page` of the column, or its last page if there are fewer."""
    column = Column(kind=kind, cards=[], total=total, page=1)
    column.page = min(max(page, 1), column.pages)
    if total:
        column.cards = list(
            MapClaim.objects.raw(
                NEIGHBOURS_SQL,
                {
                    "shown": EVIDENCE_SHOWN,
                    "map": node.argument_map_id,
                    "claim": node.claim_id,
                    "kind": kind,
                    "limit": CARDS_PER_COLUMN,
                    "offset": column.start - 1,
                },
            )
        )
    return column


def _attach_evidence(cards: list[MapClaim]) -> None:
    posts = evidence_posts({pk for card in cards for pk in card.evidence_shown})
    for card in cards:
        card.evidence = [posts[pk] for pk in card.evidence_shown]
        card.more_evidence = card.evidence_count - len(card.evidence_shown)


def evidence_posts(ids: set[int]) -> dict[int, EvidencePost]:
    """The posts by id, with their authors' names and, if still visible, how they begin:
    one query."""
    if not ids:
        return {}
    found = {
        pk: EvidencePost(
            id=pk,
            author=author,
            excerpt=plain_excerpt(body, EXCERPT_CHARS) if state == Post.State.VISIBLE else None,
        )
        for pk, author, state, body in Post.objects.filter(pk__in=ids).values_list(
            "pk", "author__username", "state", "body_html"
        )
    }
    return {pk: found.get(pk) or EvidencePost(id=pk, author=None, excerpt=None) for pk in ids}


# The first claims it bears on, from its row's arrays (strongest first).
OUTGOING_SQL = f"""
    SELECT {CLAIM_COLUMNS},
        CASE WHEN outgoing.supports THEN 'support' ELSE 'attack' END AS relation_kind
    FROM maps_mapclaim source
    CROSS JOIN LATERAL unnest(
        source.bears_on_ids[1:%(limit)s], source.bears_on_supports[1:%(limit)s]
    ) WITH ORDINALITY AS outgoing (claim_id, supports, place)
    JOIN maps_mapclaim claim
        ON claim.argument_map_id = source.argument_map_id AND claim.claim_id = outgoing.claim_id
    WHERE source.argument_map_id = %(map)s AND source.claim_id = %(claim)s
    ORDER BY outgoing.place
"""


def _attach_outgoing(relations: ClaimRelations) -> None:
    node = relations.node
    targets = list(
        MapClaim.objects.raw(
            OUTGOING_SQL,
            {"map": node.argument_map_id, "claim": node.claim_id, "limit": OUTGOING_SHOWN},
        )
    )
    for target in targets:
        (relations.supports if target.relation_kind == "support" else relations.attacks).append(
            target
        )
    relations.more_outgoing = node.bears_on - len(targets)


@dataclass
class Crumb:
    claim: MapClaim
    path: list[int]  # the path taken to it: the crumbs before it


def focus_path(argument_map: ArgumentMap, claim_ids: list[int]) -> list[Crumb]:
    """The claims of the path taken to a claim in focus, in its order, those not on this
    version left out; one query."""
    found = {
        claim.claim_id: claim
        for claim in MapClaim.objects.filter(
            argument_map=argument_map, claim_id__in=set(claim_ids)
        ).only("claim_id", "text")
    }
    known = [found[pk] for pk in claim_ids if pk in found]
    return [
        Crumb(claim=claim, path=[crumb.claim_id for crumb in known[:position]])
        for position, claim in enumerate(known)
    ]


# --- the overview -----------------------------------------------------------------------


@dataclass
class OverviewEntry:
    claim: MapClaim
    strongest_pro: MapClaim | None  # the strongest claim supporting it
    strongest_con: MapClaim | None  # the strongest claim attacking it


def map_overview(
    argument_map: ArgumentMap, *, query: str = "", main_only: bool = True, page: object = 1
) -> Page:
    """A page of OverviewEntry: the version's claims like `query`, nearest first; or, with
    no query, its main claims (or all of them), strongest first. Three queries."""
    query = " ".join(query.replace("\x00", " ").split())  # PostgreSQL refuses a NUL
    claims = MapClaim.objects.filter(argument_map=argument_map)
    if query:
        claims = (
            claims.filter(text__trigram_word_similar=query)
            .annotate(distance=TrigramWordDistance(query, "text"))
            .order_by("distance", *RANKED)
        )
    else:
        claims = claims.filter(main=True) if main_only else claims
        claims = claims.order_by(*RANKED)
    listed = Paginator(claims, CLAIMS_PER_PAGE).get_page(page)
    listed.object_list = _with_strongest_neighbours(list(listed.object_list))
    return listed


STRONGEST_SQL = f"""
    SELECT {CLAIM_COLUMNS}, target AS relation_target, kind AS relation_kind
    FROM unnest(%(targets)s::bigint[]) target
    CROSS JOIN (VALUES ('support'), ('attack')) kinds (kind)
    CROSS JOIN LATERAL (
        SELECT relation.source_id FROM maps_maprelation relation
        WHERE relation.argument_map_id = %(map)s AND relation.target_id = target
            AND relation.kind = kinds.kind
        ORDER BY relation.source_rank
        LIMIT 1
    ) strongest
    JOIN maps_mapclaim claim
        ON claim.argument_map_id = %(map)s AND claim.claim_id = strongest.source_id
"""


def _with_strongest_neighbours(claims: list[MapClaim]) -> list[OverviewEntry]:
    """Each claim with its strongest supporter and attacker, read in one query."""
    targets = [claim.claim_id for claim in claims if claim.supported_by or claim.attacked_by]
    strongest = {}
    if targets:
        found = MapClaim.objects.raw(
            STRONGEST_SQL, {"map": claims[0].argument_map_id, "targets": targets}
        )
        strongest = {(claim.relation_target, claim.relation_kind): claim for claim in found}
    return [
        OverviewEntry(
            claim=claim,
            strongest_pro=strongest.get((claim.claim_id, "support")),
            strongest_con=strongest.get((claim.claim_id, "attack")),
        )
        for claim in claims
    ]


def rows_on_latest_maps(claim_ids: list[int]) -> dict[int, MapClaim]:
    """Each claim's row in its topic's latest map, by claim id (a claim not on it has none):
    one query, whichever topics the claims come from."""
    latest = (
        ArgumentMap.objects.filter(topic__claims__in=claim_ids)
        .order_by("topic_id", "-version")
        .distinct("topic_id")
        .values("pk")
    )
    rows = MapClaim.objects.filter(argument_map__in=latest, claim_id__in=claim_ids)
    return {row.claim_id: row for row in rows}
