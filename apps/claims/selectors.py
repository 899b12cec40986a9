"""Reads of claims: similar claims for autocomplete and search, a claim's posts, a member's
endorsement."""

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordDistance
from django.db.models import F

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


@dataclass(frozen=True)
class PostCursor:
    """Where a page of a claim's posts starts: after one post id, or ends: before one."""

    after: int | None = None
    before: int | None = None

    @classmethod
    def parse(cls, *, after: str | None, before: str | None) -> "PostCursor":
        """From the query string; what is not a post id counts as absent (the first page)."""
        return cls(after=_post_id(after), before=None if _post_id(after) else _post_id(before))


@dataclass(frozen=True)
class PostPage:
    """One stance's page of posts (LISTED rows), oldest first, and the cursors of the pages
    around it: `earlier` is where the page before ends (before that post), `later` where the
    page after starts (after that post); None where there is none. `stray`: a cursor past
    every post."""

    posts: list[dict]
    earlier: int | None
    later: int | None
    stray: bool


def claim_posts(*, claim: Claim, cursors: dict[str, PostCursor]) -> dict[str, PostPage]:
    """A page of each stance's visible posts tagging the claim or its aliases, in the order
    they were written, POSTS_PER_PAGE a page from each stance's cursor. Paged by post id on
    the (claim, stance, post) index, so a page reads its own posts and no count: its cost
    is one page's however many posts tag the claim."""
    claims = [claim.pk, *claim.aliases.values_list("pk", flat=True)]
    tags = ClaimTag.objects.filter(claim_id__in=claims, post__state=Post.State.VISIBLE)
    return {
        stance: _post_page(tags.filter(stance=stance), cursors.get(stance, PostCursor()))
        for stance in ClaimTag.Stance.values
    }


# What a listed post shows (apps/forum/templatetags/posts.py post_listed), as plain rows:
# a page holds 20 posts of each stance, and model instances of each tag, post, author and
# thread cost more than the rest of the post's rendering.
LISTED = {
    "created": F("post__created"), "body_html": F("post__body_html"),
    "username": F("post__author__username"), "thread_title": F("post__thread__title"),
}  # fmt: skip


def _post_page(tags, cursor: PostCursor) -> PostPage:
    shown = tags.values("post_id", **LISTED)
    if cursor.before:
        older = shown.filter(post_id__lt=cursor.before).order_by("-post_id")
        rows = list(older[: POSTS_PER_PAGE + 1])[::-1]
        more_before, more_after = len(rows) > POSTS_PER_PAGE, True
        rows = rows[-POSTS_PER_PAGE:]
    else:
        newer = shown.filter(post_id__gt=cursor.after or 0).order_by("post_id")
        rows = list(newer[: POSTS_PER_PAGE + 1])
        more_before, more_after = bool(cursor.after), len(rows) > POSTS_PER_PAGE
        rows = rows[:POSTS_PER_PAGE]
    if not rows:
        return PostPage(
            posts=[], earlier=None, later=None, stray=bool(cursor.after or cursor.before)
        )
    return PostPage(
        posts=rows,
        earlier=rows[0]["post_id"] if more_before else None,
        later=rows[-1]["post_id"] if more_after else None,
        stray=False,
    )


def _post_id(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def endorsement_of(*, claim: Claim, user) -> Endorsement | None:
    """The user's endorsement of the claim (an alias stands for its target); None for a
    visitor or when there is none."""
    if not user.is_authenticated:
        return None
    return Endorsement.objects.filter(claim=claim.canonical, user=user).first()
