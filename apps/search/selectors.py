"""Search: posts by their words (PostgreSQL full-text search over the stored
Post.search_vector), claims by their words and their spelling (full-text search and trigrams
together). Queries use websearch_to_tsquery's syntax: "a phrase", -word, or."""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, FloatField, Func, Max, Q, Value
from django.db.models.functions import Coalesce, Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.models import User
from apps.claims.models import Claim
from apps.forum.models import Post, Topic
from apps.maps.models import ArgumentMap, MapClaim

CONFIG = "english"
MAX_QUERY_LENGTH = 200
# ts_headline marks the hits with these private-use characters; the text it reads has them
# removed first, so every one in a headline is a mark and none came from a post.
START, STOP = "\ue000", "\ue001"
# Ranking scores every candidate, so a search ranks at most the RANKED_POSTS newest posts
# (RANKED_CLAIMS claims) that match, which an index in creation order finds without reading
# the others (bench figure 11); its page says so. SPELT_ALIKE claims are read by spelling,
# and kept from SPELLING_FLOOR: autocomplete's 0.3 suits half-typed words, but finds "style"
# for "storm".
RANKED_POSTS, RANKED_CLAIMS, SPELT_ALIKE, SPELLING_FLOOR = 1000, 200, 50, 0.5
NEGATED = re.compile(r'(?:^|(?<=\s))-("[^"]*"?|\S+)')


def search_words(text: str) -> str:
    """The query as searched, blanks collapsed; refuses, saying what to do, one that holds
    control characters, is over-long, or has no word that search can look for."""
    if any(unicodedata.category(char) == "Cc" and not char.isspace() for char in text):
        raise ValidationError("Search words cannot hold control characters: type plain words.")
    words = " ".join(text.split())
    if not words:
        raise ValidationError("Type the words to search for.")
    if len(words) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Search for at most {MAX_QUERY_LENGTH} characters of words.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(query), querytree(query)"
            " FROM websearch_to_tsquery(%s::regconfig, %s) query",
            [CONFIG, words],
        )
        nodes, indexable = cursor.fetchone()
    if nodes == 0:
        raise ValidationError(
            "Nothing to search for: those words are too common (or only operators)."
            " Add a more specific word."
        )
    if indexable == "T":  # only negations: every post but a few would match
        raise ValidationError("Add a word to look for, not only words to leave out (-word).")
    return words


def _query(words: str) -> SearchQuery:
    return SearchQuery(words, config=CONFIG, search_type="websearch")


def _ranked(words: str) -> SearchQuery:
    """The words to rank by: ts_rank gives every match of a query with a -word the same
    (1e-20), so it ranks by the words looked for alone."""
    return _query(NEGATED.sub(" ", words))


def post_search(*, words: str, topic: Topic | None = None, author: User | None = None) -> list:
    """Visible posts matching `words` (checked by search_words), best first (ts_rank, then
    newest), as rows {"post": id, "rank": ...}, all of them in one query: at most the
    RANKED_POSTS newest matches are ranked, so paging the list costs no count query, and the
    order no join (post_hits reads a page's posts). Tombstones never match: the post_search
    GIN index holds only visible posts."""
    posts = Post.objects.visible().filter(search_vector=_query(words))
    if topic is not None:
        posts = posts.filter(topic=topic)
    if author is not None:
        posts = posts.filter(author=author)
    newest = posts.order_by("-created", "-pk").values("pk")[:RANKED_POSTS]
    return list(
        Post.objects.filter(pk__in=newest)
        .annotate(post=F("pk"), rank=SearchRank(F("search_vector"), _ranked(words)))
        .order_by("-rank", "-created", "-pk")
        .values("post", "rank")
    )


def post_hits(rows, *, words: str) -> list[Post]:
    """The posts of a page of post_search rows, in order, each with its thread, topic and
    author, its `rank` and its `headline`: a passage of its body around the words found,
    marked between START and STOP (show it through snippet_html)."""
    body = Replace(Replace("body", Value(START)), Value(STOP))
    headline = SearchHeadline(
        body,
        _query(words),
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,  # one passage from the first hits: fragments of a short
        min_words=15,  # post would be the bare words found
    )
    posts = (
        Post.objects.filter(pk__in=[row["post"] for row in rows])
        .annotate(headline=headline)
        .defer("search_vector", "body", "body_html")
        .select_related("thread__topic", "author")
        .in_bulk()
    )
    for row in rows:
        posts[row["post"]].rank = row["rank"]
    return [posts[row["post"]] for row in rows]


def snippet_html(headline: str) -> SafeString:
    """A headline as HTML: its text escaped, its hits in <mark>."""
    marked = escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(marked)  # noqa: S308 - escaped above; the marks are ours


def claim_search(*, words: str, topic: Topic | None = None, author: User | None = None) -> list:
    """Claims matching `words` by their words (full-text search: the RANKED_CLAIMS newest
    matches) or their spelling (the SPELT_ALIKE newest matching the words as corrected by
    corrected_spelling, those at least SPELLING_FLOOR alike by pg_trgm's word similarity to
    the words not left out: a slip or two in a word), as rows {"claim": id, "score": ...}, best
    first, all of them in one query (as post_search). Score: the similarity plus ts_rank.
    An alias stands for the claim it was merged into, which comes once, with the best score
    of its text and its aliases'."""
    query = _query(words)
    claims = Claim.objects.all()
    left_out = [term.strip('"') for term in NEGATED.findall(words)]
    if left_out:
        claims = claims.exclude(search_vector=_query(" or ".join(left_out)))
    if topic is not None:
        claims = claims.filter(topic=topic)
    if author is not None:
        claims = claims.filter(created_by=author)
    by_words = claims.filter(search_vector=query).order_by("-created", "-pk").values("pk")
    candidates = by_words[:RANKED_CLAIMS]
    similarity: Func | Value = Value(0.0, output_field=FloatField())
    spelling = " ".join(NEGATED.sub(" ", words).replace('"', " ").split())
    if spelling:
        similarity = TrigramWordSimilarity(spelling, "text")
        corrected = corrected_spelling(spelling)
        if corrected:
            by_spelling = claims.filter(search_vector=_query(corrected))
            newest = by_spelling.order_by("-created", "-pk").values("pk")
            candidates = candidates.union(newest[:SPELT_ALIKE])
    return list(
        Claim.objects.filter(pk__in=candidates)
        .annotate(similarity=similarity)
        .filter(Q(search_vector=query) | Q(similarity__gte=SPELLING_FLOOR))
        .annotate(claim=Coalesce("merged_into_id", "id"))
        .values("claim")
        .annotate(score=Max(F("similarity") + SearchRank(F("search_vector"), _ranked(words))))
        .order_by("-score", "claim")
    )


NEAREST_WORDS_SQL = """
    SELECT typed, known, CASE WHEN NOT known THEN (
        SELECT nearest.word FROM claims_claimword nearest
        WHERE nearest.word %% typed
        ORDER BY nearest.word <-> typed, nearest.word
        LIMIT 1
    ) END
    FROM unnest(tsvector_to_array(to_tsvector('simple', %s))) typed,
        LATERAL (SELECT EXISTS (SELECT 1 FROM claims_claimword WHERE word = typed) AS known) found
"""


def corrected_spelling(spelling: str) -> str | None:
    """The words of `spelling` with each word no claim uses replaced by the nearest one
    that claims use (ClaimWord, pg_trgm's similarity), or left out if none is near; None
    when every word is one claims use (nothing to correct) or none is left."""
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_WORDS_SQL, [spelling])
        typed = cursor.fetchall()
    if all(known for _, known, _ in typed):
        return None
    words = [word if known else nearest for word, known, nearest in typed]
    return " ".join(word for word in words if word) or None


@dataclass
class ClaimHit:
    claim: Claim
    node: MapClaim | None  # the claim's row in its topic's latest map; None when not on it


def claim_hits(rows) -> list[ClaimHit]:
    """The claims of a page of claim_search rows, in order, each with its row in its topic's
    latest map (two queries, whatever the page's topics)."""
    ids = [row["claim"] for row in rows]
    claims = Claim.objects.select_related("topic").in_bulk(ids)
    latest = (
        ArgumentMap.objects.filter(topic__in={claim.topic_id for claim in claims.values()})
        .order_by("topic_id", "-version")
        .distinct("topic_id")
        .values("pk")
    )
    nodes = MapClaim.objects.filter(argument_map__in=latest, claim_id__in=ids).annotate(
        map_version=F("argument_map__version")  # never the map's graph, megabytes of JSON
    )
    by_claim = {node.claim_id: node for node in nodes}
    return [ClaimHit(claims[pk], by_claim.get(pk)) for pk in ids]
