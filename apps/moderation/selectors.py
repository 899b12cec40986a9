"""Reads for moderators: likely duplicates and what a merge would do."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count

from apps.claims.models import Claim, ClaimTag
from apps.forum.models import Post, Topic

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
class AffectedPost:
    post: Post
    stances: dict[int, str]  # claim id -> stance, for the claims being merged

    @property
    def conflict(self) -> bool:
        """Tagged with more than one of the claims: its tags must collapse into one."""
        return len(self.stances) > 1

    @property
    def needs_choice(self) -> bool:
        """Opposite stances: the moderator chooses which the merged tag keeps."""
        return len(set(self.stances.values())) > 1


@dataclass
class MergePreview:
    target: Claim
    sources: list[Claim]
    posts: list[AffectedPost] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def conflicts(self) -> list[AffectedPost]:
        return [affected for affected in self.posts if affected.conflict]


def merge_preview(*, target: Claim, sources: list[Claim]) -> MergePreview:
    """Every post tagging the claims, which of them conflict, and a fingerprint of the
    state the moderator saw, so a merge can refuse to run on a changed state."""
    claim_ids = [target.pk, *(source.pk for source in sources)]
    tags = list(
        ClaimTag.objects.filter(claim_id__in=claim_ids)
        .select_related("post__author")
        .only("claim_id", "stance", "post__author__username")  # what the merge screen shows
        .order_by("post_id", "claim_id")
    )
    by_post: dict[int, AffectedPost] = {}
    for tag in tags:
        affected = by_post.setdefault(tag.post_id, AffectedPost(post=tag.post, stances={}))
        affected.stances[tag.claim_id] = tag.stance
    return MergePreview(
        target=target,
        sources=sources,
        posts=list(by_post.values()),
        fingerprint=state_fingerprint(claim_ids),
    )


def posts_needing_choice(*, claim_ids: list[int]) -> list[int]:
    """Ids of the posts tagged with the claims in opposite stances: merging them needs the
    moderator's choice of stance (counted in SQL, as a merge may move many tags)."""
    return list(
        ClaimTag.objects.filter(claim_id__in=claim_ids)
        .values("post_id")
        .annotate(stances=Count("stance", distinct=True))
        .filter(stances__gt=1)
        .order_by("post_id")
        .values_list("post_id", flat=True)
    )


def state_fingerprint(claim_ids: list[int]) -> str:
    """A digest of the claims' statuses and every tag on them."""
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
    }
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:32]
