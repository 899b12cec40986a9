"""Reads for moderators: likely duplicates, what a merge would do, and the report queue."""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Max, Min, Q

from apps.accounts.models import User
from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.forum.models import Post, Topic
from apps.forum.selectors import WITH_TAGS
from apps.maps.models import ArgumentMap, MapClaim
from apps.moderation.models import Report

# Pairs count as likely duplicates from pg_trgm's similarity threshold, 0.3 by default.
DUPLICATES_SHOWN = 50


@dataclass
class DuplicatePair:
    first: Claim
    second: Claim
    similarity: float


def likely_duplicates(*, topic: Topic, limit: int = DUPLICATES_SHOWN) -> list[DuplicatePair]:
    """Pairs of the topic's active claims, most similar first, leaving out dismissed pairs.
    Each pair was recorded when the newer claim was created (`ClaimNeighbour`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT near.neighbour_id, near.claim_id, near.similarity
            FROM claims_claimneighbour near
            JOIN claims_claim first ON first.id = near.neighbour_id
            JOIN claims_claim second ON second.id = near.claim_id
            WHERE second.topic_id = %(topic)s
              AND first.status = 'active' AND second.status = 'active'
              AND NOT EXISTS (
                  SELECT 1 FROM moderation_duplicatedismissal dismissed
                  WHERE dismissed.first_id = first.id AND dismissed.second_id = second.id
              )
            ORDER BY near.similarity DESC, first.id, second.id
            LIMIT %(limit)s
            """,
            {"topic": topic.pk, "limit": limit},
        )
        rows = cursor.fetchall()
    claims = Claim.objects.in_bulk({pk for row in rows for pk in row[:2]})
    return [DuplicatePair(claims[a], claims[b], round(score, 2)) for a, b, score in rows]


@dataclass
class Affected:
    """A post's tags, or a member's endorsements, on the claims being merged, at least one
    of them on a source: a merge changes them."""

    stances: dict[int, str]  # claim id -> stance
    claims: dict[int, Claim] = field(repr=False)  # the merge's claims, by id

    @property
    def now(self) -> list[tuple[Claim, str]]:
        """(claim, stance) of each of its rows, as they are before the merge."""
        return [(self.claims[claim_id], stance) for claim_id, stance in self.stances.items()]

    @property
    def kept_stance(self) -> str | None:
        """The stance of its one row after the merge, unless the moderator must choose it."""
        return None if self.needs_choice else next(iter(self.stances.values()))

    @property
    def conflict(self) -> bool:
        """On more than one of the claims: they must collapse into one."""
        return len(self.stances) > 1

    @property
    def needs_choice(self) -> bool:
        """Opposite stances: the moderator chooses which the merged one keeps."""
        return len(set(self.stances.values())) > 1


@dataclass
class AffectedPost(Affected):
    post: Post


@dataclass
class AffectedMember(Affected):
    member: User


@dataclass
class MergePreview:
    target: Claim
    sources: list[Claim]
    posts: list[AffectedPost] = field(default_factory=list)
    members: list[AffectedMember] = field(default_factory=list)  # who endorsed the claims
    fingerprint: str = ""

    @property
    def conflicts(self) -> list[AffectedPost]:
        return [affected for affected in self.posts if affected.conflict]

    @property
    def member_conflicts(self) -> list[AffectedMember]:
        return [affected for affected in self.members if affected.conflict]


def merge_preview(*, target: Claim, sources: list[Claim]) -> MergePreview:
    """Every post tagging the sources and every member endorsing them (with their rows on the
    target too: those on the target alone do not change), which of them conflict, and a
    fingerprint of the state the moderator saw, so a merge can refuse to run on a changed
    state."""
    claims = {claim.pk: claim for claim in [target, *sources]}
    claim_ids = list(claims)
    source_ids = claim_ids[1:]
    tags = (
        ClaimTag.objects.filter(claim_id__in=claim_ids)
        .filter(post__in=ClaimTag.objects.filter(claim_id__in=source_ids).values("post_id"))
        .select_related("post__author")
        .only("claim_id", "stance", "post__author__username")  # what the merge screen shows
        .order_by("post_id", "claim_id")
    )
    by_post: dict[int, AffectedPost] = {}
    for tag in tags:
        affected = by_post.setdefault(
            tag.post_id, AffectedPost(post=tag.post, stances={}, claims=claims)
        )
        affected.stances[tag.claim_id] = tag.stance
    endorsements = (
        Endorsement.objects.filter(claim_id__in=claim_ids)
        .filter(user__in=Endorsement.objects.filter(claim_id__in=source_ids).values("user_id"))
        .select_related("user")
        .only("claim_id", "stance", "user__username")
        .order_by("user_id", "claim_id")
    )
    by_member: dict[int, AffectedMember] = {}
    for endorsement in endorsements:
        affected = by_member.setdefault(
            endorsement.user_id,
            AffectedMember(member=endorsement.user, stances={}, claims=claims),
        )
        affected.stances[endorsement.claim_id] = endorsement.stance
    return MergePreview(
        target=target,
        sources=sources,
        posts=list(by_post.values()),
        members=list(by_member.values()),
        fingerprint=state_fingerprint(claim_ids),
    )


def posts_needing_choice(*, claim_ids: list[int]) -> list[int]:
    """Ids of the posts tagged with the claims in opposite stances: merging them needs the
    moderator's choice of stance (counted in SQL, as a merge may move many tags)."""
    return _needing_choice(ClaimTag.objects.filter(claim_id__in=claim_ids), "post_id")


def members_needing_choice(*, claim_ids: list[int]) -> list[int]:
    """Ids of the members endorsing the claims in opposite stances, likewise."""
    return _needing_choice(Endorsement.objects.filter(claim_id__in=claim_ids), "user_id")


def _needing_choice(stances, owner: str) -> list[int]:
    return list(
        stances.values(owner)
        .annotate(stances=Count("stance", distinct=True))
        .filter(stances__gt=1)
        .order_by(owner)
        .values_list(owner, flat=True)
    )


def state_fingerprint(claim_ids: list[int]) -> str:
    """A digest of the claims' statuses and every tag and endorsement on them."""
    state = {
        "claims": list(
            Claim.objects.filter(pk__in=claim_ids)
            .order_by("pk")
            .values_list("pk", "status", "merged_into")
        ),
        "tags": list(
            ClaimTag.objects.filter(claim_id__in=claim_ids)
            .order_by("pk")
            .values_list("pk", "post_id", "claim_id", "stance")
        ),
        "endorsements": list(
            Endorsement.objects.filter(claim_id__in=claim_ids)
            .order_by("pk")
            .values_list("pk", "user_id", "claim_id", "stance")
        ),
    }
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:32]


# --- the report queue -------------------------------------------------------------------

REPORTED_PER_PAGE = 20


@dataclass
class ReportedItem:
    """A post or a claim with open reports, in context: what the moderator judges."""

    reports: list[Report]  # the open ones, oldest first; the first is the item's handle
    post: Post | None = None
    claim: Claim | None = None
    map_claim: MapClaim | None = None  # the claim on the topic's latest map, if on it
    supporting: int = 0  # visible posts tagging the claim, by stance
    opposing: int = 0

    @property
    def first(self) -> Report:
        return self.reports[0]


def report_queue(*, topic: Topic | None = None, page_number=None) -> Page:
    """A page of the items with open reports (of one topic, or all), the oldest open
    report first; each item with all its open reports."""
    grouped = Report.objects.filter(state=Report.State.OPEN)
    if topic is not None:
        grouped = grouped.filter(topic=topic)
    grouped = (
        grouped.values("post_id", "claim_id")
        .annotate(since=Min("created"), oldest=Min("pk"))
        .order_by("since", "oldest")
    )
    page = Paginator(grouped, REPORTED_PER_PAGE).get_page(page_number)
    page.object_list = _in_context([(row["post_id"], row["claim_id"]) for row in page])
    return page


def reported_item(*, report: Report) -> ReportedItem:
    """The report's item in context with its open reports; none when they were resolved."""
    items = _in_context([(report.post_id, report.claim_id)])
    return items[0] if items else ReportedItem(reports=[], post=report.post, claim=report.claim)


def _in_context(keys: list[tuple[int | None, int | None]]) -> list[ReportedItem]:
    """The items with open reports among `keys` ((post id, claim id) pairs), in that order:
    a post with its thread, author, tags and parent; a claim with its map node and posts."""
    post_ids = [post_id for post_id, _ in keys if post_id]
    claim_ids = [claim_id for _, claim_id in keys if claim_id]
    reports = (
        Report.objects.filter(state=Report.State.OPEN)
        .filter(Q(post_id__in=post_ids) | Q(claim_id__in=claim_ids))
        .select_related("reporter", "topic")
        .order_by("created", "pk")
    )
    by_item: dict[tuple, list[Report]] = {}
    for report in reports:
        by_item.setdefault((report.post_id, report.claim_id), []).append(report)
    posts = (
        Post.objects.select_related("thread__topic", "author", "parent__author")
        .prefetch_related(WITH_TAGS)
        .in_bulk(post_ids)
    )
    claims = _claims_in_context(claim_ids)
    return [
        ReportedItem(reports=by_item[key], post=posts.get(key[0]), **claims.get(key[1], {}))
        for key in keys
        if key in by_item  # resolved since the page was counted
    ]


def _claims_in_context(claim_ids: list[int]) -> dict[int, dict]:
    """Each claim with its node on its topic's latest map and its visible posts by stance."""
    claims = Claim.objects.select_related("topic").in_bulk(claim_ids)
    latest = {
        topic_id: version
        for topic_id, version in ArgumentMap.objects.filter(
            topic_id__in={claim.topic_id for claim in claims.values()}
        )
        .values("topic_id")
        .annotate(version=Max("pk"))
        .values_list("topic_id", "version")
    }
    nodes = {
        node.claim_id: node
        for node in MapClaim.objects.filter(
            argument_map_id__in=latest.values(), claim_id__in=claims
        )
        if latest.get(claims[node.claim_id].topic_id) == node.argument_map_id
    }
    stances = (
        ClaimTag.objects.filter(claim_id__in=claims, post__state=Post.State.VISIBLE)
        .values("claim_id", "stance")
        .annotate(posts=Count("post_id"))
    )
    counted = {(row["claim_id"], row["stance"]): row["posts"] for row in stances}
    return {
        pk: {
            "claim": claim,
            "map_claim": nodes.get(pk),
            "supporting": counted.get((pk, ClaimTag.Stance.SUPPORTS), 0),
            "opposing": counted.get((pk, ClaimTag.Stance.OPPOSES), 0),
        }
        for pk, claim in claims.items()
    }
