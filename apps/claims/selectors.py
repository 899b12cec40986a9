"""Reads of claims: similar claims for autocomplete and search, a claim's posts, a member's
endorsement."""

from django.contrib.postgres.search import TrigramWordDistance
from django.db.models import Q

from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.forum.models import Post, Topic

SUGGESTIONS = 10


def similar_claims(*, topic: Topic, query: str, limit: int = SUGGESTIONS) -> list[Claim]:
    """The topic's claims most like `query`, best first; an alias stands for its target.

    Claims whose words resemble the query (pg_trgm's word similarity, 0.6 or more) are read
    nearest first from the claim_text_trgm GiST index, which stops at the limit however
    many claims share a common word; ties are then ordered by id here."""
    # No claim holds a NUL, and PostgreSQL refuses one in a query: a blank as good as any.
    query = " ".join(query.replace("\x00", " ").split())[:200]
    if not query:
        return []
    matches = (
        Claim.objects.in_topic(topic)
        .filter(text__trigram_word_similar=query)
        .annotate(distance=TrigramWordDistance(query, "text"))
        .select_related("merged_into")
        .order_by("distance")[: limit * 3]
    )
    ranked: dict[int, Claim] = {}
    for match in sorted(matches, key=lambda match: (match.distance, match.pk)):
        claim = match.canonical
        if claim.pk not in ranked:
            ranked[claim.pk] = claim
    return list(ranked.values())[:limit]


def claim_posts(*, claim: Claim) -> dict[str, list[Post]]:
    """Visible posts tagging the claim or its aliases, by stance, oldest first."""
    tags = (
        ClaimTag.objects.filter(Q(claim=claim) | Q(claim__merged_into=claim))
        .filter(post__state=Post.State.VISIBLE)
        .select_related("post__author", "post__thread")
        .order_by("post__created", "post_id")
    )
    by_stance: dict[str, list[Post]] = {stance: [] for stance in ClaimTag.Stance.values}
    for tag in tags:
        by_stance[tag.stance].append(tag.post)
    return by_stance


def endorsement_of(*, claim: Claim, user) -> Endorsement | None:
    """The user's endorsement of the claim (an alias stands for its target); None for a
    visitor or when there is none."""
    if not user.is_authenticated:
        return None
    return Endorsement.objects.filter(claim=claim.canonical, user=user).first()
