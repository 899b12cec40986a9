"""Figure 4: building a topic's argument map from a large tagged discussion, against the
floor: one SQL query that aggregates the same reply pairs, and one that reads the topic's
endorsements."""

import json
import random
import statistics
import time
from functools import partial

from django.db import connection

from apps.claims.models import ClaimTag
from apps.forum.models import Post, Topic
from apps.maps import builder
from apps.maps.builder import build_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import map_build
from bench import bulk, claimtext, database

THREADS = 500
TOP_LEVEL = 0.40  # replies to a thread's untagged opening post; the rest answer a tagged reply
TOMBSTONES = 0.03  # deleted or removed: their tags stop counting
ENGAGES = 0.5  # a reply tags one of its parent's claims: opposes when it disagrees, and so on
OPPOSES = 0.2  # stance of a reply's own claims
TAG_COUNTS = (1, 2, 3)  # tags a post carries, in equal shares: two on average
ENDORSEMENT_OPPOSES = 0.3  # share of endorsements that dispute their claim

# The pairs of a tagged visible reply and its tagged visible parent, counted per
# (claim of reply, claim of parent): the least any map build has to read and aggregate.
FLOOR_SQL = """
    SELECT made.claim_id, answered.claim_id, count(*)
    FROM forum_post reply
    JOIN forum_post parent ON parent.id = reply.parent_id
    JOIN claims_claimtag made ON made.post_id = reply.id
    JOIN claims_claimtag answered ON answered.post_id = parent.id
    JOIN claims_claim claim ON claim.id = made.claim_id
    WHERE claim.topic_id = %s AND reply.state = 'visible' AND parent.state = 'visible'
    GROUP BY 1, 2
"""
# The topic's endorsements: one member's vote on one claim each, which the build counts
# among the claim's people.
FLOOR_ENDORSEMENTS_SQL = """
    SELECT endorsement.claim_id, endorsement.user_id, endorsement.stance
    FROM claims_endorsement endorsement
    JOIN claims_claim claim ON claim.id = endorsement.claim_id
    WHERE claim.topic_id = %s
"""


def load(users: list, *, posts: int, claims: int, endorsements: int) -> tuple[Topic, dict]:
    """A topic of THREADS threads with `posts` tagged replies and two tags a reply on
    average, on `claims` claims of Zipf-like popularity, and `endorsements` by members."""
    rng = random.Random("map")
    topic = bulk.topic("bench-map")
    claim_ids = bulk.claims(topic, claimtext.claim_texts(claims, rng))
    popularity = bulk_weights(len(claim_ids))
    replies = bulk.threads(
        topic, users, rng, count=THREADS, replies=posts, top_level=TOP_LEVEL, tombstones=TOMBSTONES
    )
    counts = [TAG_COUNTS[n % len(TAG_COUNTS)] for n in range(len(replies))]
    rng.shuffle(counts)
    stances: dict[int, dict[int, str]] = {}  # post id -> claim id -> stance
    for reply, count in zip(replies, counts, strict=True):
        stances[reply.pk] = _tags_of(reply, stances.get(reply.parent.pk), count, rng, popularity)
    rows = [
        (post, claim_ids[claim], stance)
        for post, tags in stances.items()
        for claim, stance in tags.items()
    ]
    bulk.tags(rows)
    votes = _endorsements(claim_ids, users, endorsements, rng, popularity)
    bulk.endorsements(votes)
    database.vacuum(
        "forum_post", "forum_thread", "claims_claim", "claims_claimtag", "claims_endorsement"
    )
    shape = {
        "posts": len(replies),
        "threads": THREADS,
        "claims": len(claim_ids),
        "tags": len(rows),
        "endorsements": len(votes),
        "answer_tagged": sum(reply.parent.depth > 0 for reply in replies) / len(replies),
    }
    return topic, shape


def bulk_weights(count: int) -> list[float]:
    """Cumulative Zipf-like popularity of `count` claims, the first the most tagged."""
    total, weights = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 10)
        weights.append(total)
    return weights


def _tags_of(reply, parent_tags, count: int, rng: random.Random, popularity) -> dict[int, str]:
    """Claim index -> stance: maybe one of the parent's claims, as the response implies,
    then claims of the reply's own, mostly supported."""
    tags = {}
    if parent_tags and rng.random() < ENGAGES:
        claim = rng.choice(sorted(parent_tags))
        if reply.response == Post.Response.DISAGREE:
            tags[claim] = ClaimTag.Stance.OPPOSES
        elif reply.response == Post.Response.AGREE:
            tags[claim] = ClaimTag.Stance.SUPPORTS
        else:
            tags[claim] = rng.choice(ClaimTag.Stance.values)
    indexes = range(len(popularity))
    while len(tags) < count:
        claim = rng.choices(indexes, cum_weights=popularity)[0]
        if claim not in tags:
            opposes = rng.random() < OPPOSES
            tags[claim] = ClaimTag.Stance.OPPOSES if opposes else ClaimTag.Stance.SUPPORTS
    return tags


def _endorsements(claim_ids, users, count: int, rng: random.Random, popularity) -> list:
    """`count` (claim id, user id, stance) rows, one member and claim each, the claims drawn
    with the tags' popularity."""
    votes: dict[tuple[int, int], str] = {}
    indexes = range(len(claim_ids))
    while len(votes) < count:
        claim = claim_ids[rng.choices(indexes, cum_weights=popularity)[0]]
        vote = (claim, rng.choice(users).pk)
        if vote not in votes:
            opposes = rng.random() < ENDORSEMENT_OPPOSES
            votes[vote] = ClaimTag.Stance.OPPOSES if opposes else ClaimTag.Stance.SUPPORTS
    return [(claim, user, stance) for (claim, user), stance in votes.items()]


def measure(topic: Topic, runs: int) -> dict:
    """Median seconds of the floor query, build_graph and map_build, alternating in each
    run; before each map build (untimed) one tag changes its stance, so that the build
    compares with the latest version and stores a new one, as after a real change."""
    flipped = (
        ClaimTag.objects.filter(claim__topic=topic, post__state=Post.State.VISIBLE)
        .order_by("pk")
        .first()
    )
    work = {
        "floor": partial(_floor, topic),
        "build": partial(_timed_build, topic),
        "map_build": partial(_timed_map_build, topic, flipped),
    }
    for call in work.values():  # warm the caches, and store a first version
        call()
    times = {key: [] for key in work}
    for _ in range(runs):
        for key, call in work.items():
            times[key].append(call())
    by_query = [queries for _, queries in times["build"]]
    times["build"] = [seconds for seconds, _ in times["build"]]
    floor_rows, endorsement_rows = _floor(topic, rows=True)
    graph = build_graph(topic)
    return {
        **{f"{key}_s": statistics.median(values) for key, values in times.items()},
        "build_sql_s": statistics.median(sum(queries.values()) for queries in by_query),
        "build_query_s": {
            name: statistics.median(queries.get(name, 0.0) for queries in by_query)
            for name in by_query[0]
        },
        "tags_plan": plan_facts(getattr(builder, "TAGS_SQL", None), topic),
        "floor_groups": len(floor_rows),
        "pairs": sum(count for _, _, count in floor_rows),
        "floor_endorsements": len(endorsement_rows),
        "stats": ArgumentMap.objects.filter(topic=topic).order_by("-version").first().stats,
        "graph_mib": len(json.dumps(graph)) / 2**20,
    }


def _floor(topic: Topic, rows: bool = False):
    """Seconds of the floor's two queries, or (with `rows`) what they return."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [topic.pk])
        pairs = cursor.fetchall()
        cursor.execute(FLOOR_ENDORSEMENTS_SQL, [topic.pk])
        endorsements = cursor.fetchall()
    return (pairs, endorsements) if rows else time.perf_counter() - start


def _timed_build(topic: Topic) -> tuple[float, dict[str, float]]:
    """Seconds of build_graph, and the seconds of each of its queries."""
    with QueryTimer() as timer:
        start = time.perf_counter()
        build_graph(topic)
        return time.perf_counter() - start, timer.by_query


def plan_facts(sql: str | None, topic: Topic) -> dict | None:
    """From EXPLAIN ANALYZE of one of the builder's queries: its time, the rows it returns
    and how many of its sorts, aggregates and hashes spilled to disk."""
    if sql is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", {"topic": topic.pk})
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    nodes = list(_walk(plan["Plan"]))
    return {
        "ms": plan["Execution Time"],
        "rows": plan["Plan"]["Actual Rows"],
        "spills": sum(
            node.get("Sort Space Type") == "Disk"
            or node.get("Disk Usage", 0) > 0
            or node.get("Hash Batches", 1) > 1
            for node in nodes
        ),
    }


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def _timed_map_build(topic: Topic, flipped: ClaimTag) -> float:
    """Change one tag, keep only the latest version (untimed), then time map_build. The
    deleted versions' rows are vacuumed, as autovacuum would between two builds (it is off
    here): left dead, every build's 57,000 relation rows went to a table of millions of
    dead ones, and their COPY took 1.28 s instead of 0.45 s."""
    flipped.stance = (
        ClaimTag.Stance.OPPOSES
        if flipped.stance == ClaimTag.Stance.SUPPORTS
        else ClaimTag.Stance.SUPPORTS
    )
    flipped.save(update_fields=["stance"])
    latest = ArgumentMap.objects.filter(topic=topic).order_by("-version").first()
    if latest:
        ArgumentMap.objects.filter(topic=topic, version__lt=latest.version).delete()
        database.vacuum("maps_argumentmap", "maps_mapclaim", "maps_maprelation")
    start = time.perf_counter()
    outcome = map_build(topic_id=topic.pk)
    elapsed = time.perf_counter() - start
    assert outcome.built and (latest is None or outcome.version > latest.version), outcome
    return elapsed


class QueryTimer:
    """Seconds spent in the database's execute calls (the server's work and the transfer;
    turning rows into Python objects comes after, in fetchall)."""

    def __init__(self):
        self.by_query: dict[str, float] = {}  # the builder's name for the SQL -> seconds
        self.names = {sql: name for name, sql in vars(builder).items() if name.endswith("_SQL")}

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            # the builder's query as sent, or wrapped (builder._columns packs its columns)
            name = next((name for text, name in self.names.items() if text in sql), "other")
            self.by_query[name] = self.by_query.get(name, 0.0) + time.perf_counter() - start

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)
