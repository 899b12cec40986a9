"""Reads of claims: similar claims for autocomplete and search, a claim's posts, a member's
endorsement."""

from django.contrib.postgres.search import TrigramWordDistance
from django.core.paginator import Page, Paginator

from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.forum.models import Post, Topic

SUGGESTIONS = 10
POSTS_PER_PAGE = 20  # of each stance on a claim's page


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


def claim_posts(*, claim: Claim, pages: dict[str, str | None]) -> dict[str, Page]:
    """A page of each stance's visible posts tagging the claim or its aliases, oldest
    first, POSTS_PER_PAGE a page; `pages` gives each stance's page number as asked (bad
    numbers give the nearest page). Filtered on the claims' ids, so the tag index serves
    it however many tags the topic has."""
    claims = [claim.pk, *claim.aliases.values_list("pk", flat=True)]
    tags = (
        ClaimTag.objects.filter(claim_id__in=claims, post__state=Post.State.VISIBLE)
        .select_related("post__author", "post__thread")
        .order_by("post__created", "post_id")
    )
    return {
        stance: Paginator(tags.filter(stance=stance), POSTS_PER_PAGE).get_page(pages.get(stance))
        for stance in ClaimTag.Stance.values
    }


def endorsement_of(*, claim: Claim, user) -> Endorsement | None:
    """The user's endorsement of the claim (an alias stands for its target); None for a
    visitor or when there is none."""
    if not user.is_authenticated:
        return None
    return Endorsement.objects.filter(claim=claim.canonical, user=user).first()
