"""Figure 7: claim autocomplete over a topic with many claims: similar_claims latency for
what people type (prefixes, words of a claim, misspellings), and the plan of its query."""

import random
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.claims.selectors import similar_claims
from apps.forum.models import Topic
from bench import bulk, claimtext, database
from bench.stats import percentile

INDEX = "claim_text_trgm"
KINDS = ("prefix", "words", "misspelled")
WARM_UP = 5


def load(claims: int) -> Topic:
    topic = bulk.topic("bench-autocomplete")
    bulk.claims(topic, claimtext.claim_texts(claims, random.Random("autocomplete")))
    database.vacuum("claims_claim")
    return topic


def queries(topic: Topic, count: int) -> list[tuple[str, str]]:
    """(kind, query): what people type, from claims of the topic, a third of each kind."""
    rng = random.Random("queries")
    texts = list(topic.claims.order_by("pk").values_list("text", flat=True))
    made = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        words = rng.choice(texts).split()
        if kind == "prefix":  # the first few letters to a few words, as typed so far
            text = " ".join(words)
            query = text[: rng.randint(3, min(30, len(text)))]
        else:  # one to three words from anywhere in a claim
            start = rng.randrange(len(words))
            query = " ".join(words[start : start + rng.randint(1, 3)])
            if kind == "misspelled":
                query = _misspell(query, rng)
        made.append((kind, query))
    return made


def _misspell(query: str, rng: random.Random) -> str:
    """One typing slip in a word of 4+ letters: letters swapped, dropped, doubled or wrong."""
    words = query.split()
    long_words = [n for n, word in enumerate(words) if len(word) >= 4]
    if not long_words:
        return query + "s"
    n = rng.choice(long_words)
    word, at = words[n], rng.randrange(1, len(words[n]) - 1)
    slip = rng.randrange(4)
    if slip == 0:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif slip == 1:
        word = word[:at] + word[at + 1 :]
    elif slip == 2:
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + rng.choice("aeiourstn") + word[at + 1 :]
    words[n] = word
    return " ".join(words)


def measure(topic: Topic, typed: list[tuple[str, str]], *, budget: float) -> dict:
    """Milliseconds of each similar_claims call (after a warm-up), until all are typed or
    `budget` seconds have passed, and EXPLAIN ANALYZE of the query behind the first query
    of each kind."""
    for _, query in typed[:WARM_UP]:
        similar_claims(topic=topic, query=query)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    found, deadline = 0, time.monotonic() + budget
    for kind, query in typed:
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        suggestions = similar_claims(topic=topic, query=query)
        times[kind].append((time.perf_counter() - start) * 1000)
        found += bool(suggestions)
    every = [ms for values in times.values() for ms in values]
    plans = {kind: _plan(topic, next(q for k, q in typed if k == kind)) for kind in KINDS}
    return {
        "claims": topic.claims.count(),
        "queries": len(every),
        "planned_queries": len(typed),
        "found_share": found / len(every),
        "p50_ms": percentile(every, 0.50),
        "p95_ms": percentile(every, 0.95),
        "kind_p95_ms": {kind: percentile(values, 0.95) for kind, values in times.items()},
        "kind_median_ms": {kind: statistics.median(values) for kind, values in times.items()},
        "plans": plans,
        "uses_index": {kind: INDEX in plan["text"] for kind, plan in plans.items()},
    }


def _plan(topic: Topic, query: str) -> dict:
    """The query similar_claims ran for `query`, under EXPLAIN (ANALYZE, BUFFERS)."""
    with CaptureQueriesContext(connection) as captured:
        similar_claims(topic=topic, query=query)
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        text = "\n".join(line for (line,) in cursor.fetchall())
    return {"query": query, "sql": sql, "text": text}
