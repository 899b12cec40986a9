"""Figure 11: search over 100,000 posts and 100,000 claims: what a search page costs (the
words' check, the count, the first page with its snippets or map rows) for what people type,
and the plans of the queries behind it."""

import json
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.forum.models import Post, Topic
from apps.search.selectors import (
    claim_hits,
    claim_search,
    post_hits,
    post_search,
    search_words,
)
from apps.search.views import PER_PAGE
from bench import autocomplete, bulk, claimtext, database
from bench.stats import percentile

# The indexes a search may read of the table it searches: its words' GIN index, or for a
# common word an index in creation order, the forum's or the topic's (the newest matches,
# without reading the rest).
POST_INDEXES = ("post_search", "post_visible_by_created", "post_visible_in_topic")
CLAIM_INDEXES = ("claim_search", "claim_by_created")
# The claims' vocabulary, for a misspelled word: a few thousand words, read by trigrams or,
# as the planner sees fit for so small a table, scanned.
VOCABULARY, SPELLING_INDEX = "claims_claimword", "claim_word_trgm"
THREADS = 500
TOMBSTONES = 0.03
DEMO = Path(__file__).resolve().parent.parent / "apps" / "forum" / "demo" / "ai-art-copyright.json"
TAIL_SHARE = 0.1  # words from a long tail of rare ones: names, places, jargon
TAIL_WORDS = 30_000
POST_KINDS = ("word", "two words", "phrase", "minus", "rare word")
CLAIM_KINDS = ("claim words", "misspelled")
WARM_UP = 5


class Language:
    """Words as the demo debate uses them (its bodies' word frequencies), with a long tail of
    made-up rare words (Zipf weights), for bodies and queries alike."""

    def __init__(self, rng: random.Random):
        bodies = [post["body"] for post in json.loads(DEMO.read_text())["posts"]]
        counts = Counter(word for body in bodies for word in re.findall(r"[a-z]+", body.lower()))
        self.common, weights = zip(*counts.most_common(), strict=True)
        self.common_cum = list(_cumulative(weights))
        syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "zu", "pel", "dra", "nix", "or", "e"]
        tail = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(TAIL_WORDS)}
        self.tail = sorted(tail)
        rng.shuffle(self.tail)
        self.tail_cum = list(_cumulative(1 / rank for rank in range(1, len(self.tail) + 1)))

    def words(self, rng: random.Random, count: int) -> list[str]:
        tail = sum(rng.random() < TAIL_SHARE for _ in range(count))
        drawn = rng.choices(self.common, cum_weights=self.common_cum, k=count - tail)
        drawn += rng.choices(self.tail, cum_weights=self.tail_cum, k=tail)
        rng.shuffle(drawn)
        return drawn

    def body(self, rng: random.Random) -> str:
        paragraphs = [
            " ".join(self.words(rng, rng.randint(8, 60))) for _ in range(rng.randint(1, 3))
        ]
        return "\n\n".join(paragraph.capitalize() + "." for paragraph in paragraphs)


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def load(users: list, *, posts: int, claims: int) -> tuple[Topic, Topic, dict]:
    """A topic of `posts` replies in THREADS threads, bodies in the demo's words, and a topic
    of `claims` claims (autocomplete's texts), a fiftieth of them merged into another."""
    rng = random.Random("search")
    language = Language(rng)
    topic = bulk.topic("bench-search")
    replies = bulk.threads(
        topic, users, rng, count=THREADS, replies=posts, top_level=0.4, tombstones=TOMBSTONES
    )
    _rewrite_bodies(topic, language, rng)
    claims_topic = bulk.topic("bench-search-claims")
    ids = bulk.claims(claims_topic, claimtext.claim_texts(claims, random.Random("search-claims")))
    aliases = rng.sample(ids, len(ids) // 50)
    _merge(aliases, rng.sample(sorted(set(ids) - set(aliases)), len(aliases)))
    database.vacuum("forum_topic", "forum_thread", "forum_post", "claims_claim")
    shape = {
        "posts": len(replies),
        "tombstones": sum(node.state != "visible" for node in replies),
        "claims": len(ids),
        "aliases": len(aliases),
        "vocabulary": len(language.common),
        "tail": len(language.tail),
    }
    return topic, claims_topic, shape | {"language": language}


def _rewrite_bodies(topic: Topic, language: Language, rng: random.Random) -> None:
    """bulk.threads writes 40 distinct bodies; search needs each post's own words. Only the
    topic's bodies are rewritten (search reads them, never body_html; the other figures'
    posts keep theirs); PostgreSQL recomputes the vector."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM forum_post WHERE topic_id = %s ORDER BY id", [topic.pk])
        ids = [pk for (pk,) in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE bench_body (id bigint PRIMARY KEY, body text)")
        with cursor.copy("COPY bench_body (id, body) FROM STDIN") as copy:
            for pk in ids:
                copy.write_row((pk, language.body(rng)))
        cursor.execute(
            "UPDATE forum_post post SET body = new.body FROM bench_body new WHERE new.id = post.id"
        )
        cursor.execute("DROP TABLE bench_body")


def _merge(aliases: list[int], targets: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE claims_claim SET status = 'merged', merged_into_id = %s WHERE id = %s",
            list(zip(targets, aliases, strict=True)),
        )


def queries(topic: Topic, claims_topic: Topic, language: Language, count: int) -> list[tuple]:
    """(kind, words): what people type, an equal share of each kind; the words are drawn
    as the posts use them, so common words come up as often as they are written."""
    rng = random.Random("search-queries")
    texts = list(claims_topic.claims.order_by("pk").values_list("text", flat=True))
    kinds = POST_KINDS + CLAIM_KINDS
    made = []
    while len(made) < count:
        kind = kinds[len(made) % len(kinds)]
        words = _query(kind, language, texts, rng)
        try:
            made.append((kind, search_words(words)))
        except ValidationError:  # only stop words: the page says so; draw again
            continue
    return made


def _query(kind: str, language: Language, texts: list[str], rng: random.Random) -> str:
    if kind == "word":
        return language.words(rng, 1)[0]
    if kind == "two words":
        return " ".join(language.words(rng, 2))
    if kind == "phrase":
        return '"' + " ".join(language.body(rng).split()[:2]).strip(".").lower() + '"'
    if kind == "minus":
        first, second = language.words(rng, 2)
        return f"{first} -{second}"
    if kind == "rare word":
        return rng.choice(language.tail[: len(language.tail) // 10])
    words = rng.choice(texts).split()
    start = rng.randrange(len(words))
    claim_words = " ".join(words[start : start + rng.randint(1, 3)])
    return autocomplete._misspell(claim_words, rng) if kind == "misspelled" else claim_words


def search_page(kind: str, words: str, topic: Topic, claims_topic: Topic) -> int:
    """What the search page does for these words, but rendering: check them, rank the
    matches, read the first page (with snippets, or with the claims' map rows)."""
    words = search_words(words)
    if kind in CLAIM_KINDS:
        page = Paginator(claim_search(words=words, topic=claims_topic), PER_PAGE).get_page(1)
        claim_hits(page.object_list)
    else:
        page = Paginator(post_search(words=words, topic=topic), PER_PAGE).get_page(1)
        post_hits(page.object_list, words=words)
    return page.paginator.count


def measure(topic: Topic, claims_topic: Topic, typed: list[tuple], *, budget: float) -> dict:
    """Milliseconds of each search page (after a warm-up), until all are typed or `budget`
    seconds have passed; EXPLAIN ANALYZE of the queries behind the median-count search of
    each kind."""
    for kind, words in typed[:WARM_UP]:
        search_page(kind, words, topic, claims_topic)
    times: dict[str, list[float]] = {kind: [] for kind in POST_KINDS + CLAIM_KINDS}
    matches: dict[str, list[tuple[int, str]]] = {kind: [] for kind in times}
    deadline = time.monotonic() + budget
    for kind, words in typed:
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        count = search_page(kind, words, topic, claims_topic)
        times[kind].append((time.perf_counter() - start) * 1000)
        matches[kind].append((count, words))
    every = [ms for values in times.values() for ms in values]
    posts = [ms for kind in POST_KINDS for ms in times[kind]]
    claims = [ms for kind in CLAIM_KINDS for ms in times[kind]]
    plans = {kind: _plans(kind, _typical(matches[kind]), topic, claims_topic) for kind in times}
    return {
        "posts": Post.objects.filter(thread__topic=topic).count(),
        "claims": claims_topic.claims.count(),
        "queries": len(every),
        "planned_queries": len(typed),
        "p50_ms": percentile(every, 0.50),
        "p95_ms": percentile(every, 0.95),
        "posts_p95_ms": percentile(posts, 0.95),
        "claims_p95_ms": percentile(claims, 0.95),
        "kind_p95_ms": {kind: percentile(values, 0.95) for kind, values in times.items()},
        "kind_median_ms": {kind: statistics.median(values) for kind, values in times.items()},
        "kind_median_matches": {
            kind: statistics.median(count for count, _ in found) for kind, found in matches.items()
        },
        "slowest": sorted(_timed(times, matches), reverse=True)[:5],
        "plans": plans,
        "indexes": {kind: _indexes_read(kind, plan["text"]) for kind, plan in plans.items()},
    }


def _timed(times: dict, matches: dict):
    """(ms, kind, words, matches) of every search."""
    for kind, values in times.items():
        for ms, (count, words) in zip(values, matches[kind], strict=True):
            yield ms, kind, words, count


def _typical(found: list[tuple[int, str]]) -> str:
    """The words of the search whose match count is the median of its kind."""
    ordered = sorted(found)
    return ordered[len(ordered) // 2][1]


def _indexes_read(kind: str, plan: str) -> list[str]:
    """The search's indexes the plan reads (one for the words, and one for claims' spelling),
    "vocabulary scanned" when it reads the claims' vocabulary without its index, and "whole
    table" when it scans the searched table (posts or claims) without one."""
    table = "claims_claim" if kind in CLAIM_KINDS else "forum_post"
    indexes = (*CLAIM_INDEXES, SPELLING_INDEX) if kind in CLAIM_KINDS else POST_INDEXES
    read = [index for index in indexes if f" {index} " in plan or plan.endswith(f" {index}")]
    read += ["vocabulary scanned"] if f"Seq Scan on {VOCABULARY} " in plan else []
    return read + (["whole table"] if f"Seq Scan on {table} " in plan else [])


def _plans(kind: str, words: str, topic: Topic, claims_topic: Topic) -> dict:
    """The queries that find and rank the matches under EXPLAIN (ANALYZE, BUFFERS): after
    the words' check, up to the one that ranks (for claims, the spelling's correction first)."""
    with CaptureQueriesContext(connection) as captured:
        search_page(kind, words, topic, claims_topic)
    sqls = [query["sql"] for query in captured.captured_queries[1:]]
    sqls = sqls[: next(n for n, sql in enumerate(sqls) if "ts_rank" in sql) + 1]
    texts = []
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            texts.append("\n".join(line for (line,) in cursor.fetchall()))
    return {"query": words, "sql": "\n\n".join(sqls), "text": "\n\n".join(texts)}
