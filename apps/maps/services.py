"""The map pipeline: mark a topic dirty with the change, build on commit, coalesce."""

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import orjson
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from apps.forum.models import Topic
from apps.maps.builder import SUPPORT, build_graph, collector_paused
from apps.maps.models import ArgumentMap, MapDirtyMark, WholeJSONField

log = logging.getLogger(__name__)
# Namespace of the two-key advisory locks that let one build of a topic run at a time.
MAP_BUILD_LOCK = 2
# Seconds a queued build stands for later requests of the same topic. The build clears it
# as it starts, so it runs out only when the build is late or never starts (its worker
# died); short, so the 5 s sweep soon queues another (docs/map-rules.md, "Building").
QUEUED_FOR = 5
GATHER_FOR = 1  # seconds a build waits so that a burst of changes makes one build
KEEP_VERSIONS = 20  # map versions each topic keeps, beside those built within KEEP_FOR
KEEP_FOR = timedelta(days=7)


@dataclass
class BuildOutcome:
    built: bool  # the lock was ours and the state was read
    version: int | None  # the version now served (new or unchanged)
    still_dirty: bool  # marks arrived while building


def map_mark_dirty(*, topic: Topic) -> None:
    """Record, in the caller's transaction, that the topic's map must be rebuilt; enqueue
    the build once that transaction commits."""
    MapDirtyMark.objects.create(topic=topic)
    transaction.on_commit(partial(enqueue_map_build, topic.pk))


def enqueue_map_build(topic_id: int) -> None:
    """Queue a build unless one is already queued. A broker that is down loses nothing:
    the mark stays and the periodic sweep queues the build later."""
    from apps.maps.tasks import build_map

    try:
        if cache.add(_queued_key(topic_id), True, timeout=QUEUED_FOR):
            build_map.apply_async(args=[topic_id], countdown=GATHER_FOR, retry=False)
    except Exception as error:  # any broker or cache failure: the sweep covers it
        cache_delete_quietly(_queued_key(topic_id))
        log.warning(
            "Map build for topic %s not queued (%s); the sweep will queue it.", topic_id, error
        )


def map_build(*, topic_id: int) -> BuildOutcome:
    """Build the topic's map from one consistent snapshot and store it as a new version if
    the graph changed; clear only the marks this build saw."""
    cache_delete_quietly(_queued_key(topic_id))
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if own_transaction:  # one snapshot for every read of the build
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # Its commit need not wait for the disk: a build a crash loses leaves its
                # marks behind too, so the sweep builds again (docs/map-rules.md, "Building").
                cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [MAP_BUILD_LOCK, topic_id])
            if not cursor.fetchone()[0]:
                return BuildOutcome(built=False, version=None, still_dirty=True)
        topic = Topic.objects.get(pk=topic_id)
        seen = list(MapDirtyMark.objects.filter(topic=topic).values_list("pk", flat=True))
        with collector_paused():  # the graph, too, is freed before the collector runs again
            version = store_version(topic, build_graph(topic)).version
        MapDirtyMark.objects.filter(pk__in=seen).delete()
    still_dirty = MapDirtyMark.objects.filter(topic_id=topic_id).exists()
    return BuildOutcome(built=True, version=version, still_dirty=still_dirty)


def store_version(topic: Topic, graph: dict) -> ArgumentMap:
    """The latest version if its graph is this one, compared by digest; else a new one."""
    digest = hashlib.sha256(graph_document(graph)).hexdigest()
    latest = (
        ArgumentMap.objects.filter(topic=topic)
        .order_by("-version")
        .only("version", "digest")
        .first()
    )
    if latest and latest.digest == digest:
        return latest
    document = {key: value for key, value in graph.items() if key != "edges"}  # rows have them
    argument_map = ArgumentMap.objects.create(
        topic=topic,
        version=(latest.version + 1) if latest else 1,
        built_at=timezone.now(),
        # as text: the driver would otherwise turn the dict into text itself, more slowly
        graph_without_edges=Cast(Value(orjson.dumps(document).decode()), WholeJSONField()),
        digest=digest,
        stats=graph_stats(graph),
    )
    argument_map.graph_without_edges = document
    write_rows(argument_map, graph)
    with connection.cursor() as cursor:  # so that the planner knows the new version's size
        cursor.execute(ANALYZE_ROWS)
    return argument_map


def write_rows(argument_map: ArgumentMap, graph: dict) -> None:
    """The version's nodes and edges as MapClaim and MapRelation rows, in the build's
    transaction; COPY writes the ~70,000 edges of a large topic in a fraction of a second.
    The edges go in the order of their one index, so that each lands at its end."""
    nodes, edges = graph["nodes"], graph["edges"]
    ranks = claim_ranks((node["id"], node["strength"], node["supporters"]) for node in nodes)
    bearing: dict[int, list] = defaultdict(list)  # source -> (target rank, kind, target)
    for edge in edges:
        bearing[edge["source"]].append((ranks[edge["target"]], edge["kind"], edge["target"]))
    into = Counter((edge["target"], edge["kind"]) for edge in edges)
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_CLAIMS) as copy:
        copy.set_types(CLAIM_TYPES)
        for node in nodes:
            pk = node["id"]
            bears_on = sorted(bearing[pk])  # strongest target first, attacks before supports
            copy.write_row((
                argument_map.pk, pk, node["text"], node["strength"], node["base"],
                node["standing"], node["reason"], node["supporters"], node["opposers"],
                node["endorsements"]["supports"], node["endorsements"]["opposes"],
                into[pk, "support"], into[pk, "attack"], not bears_on, len(bears_on),
                ranks[pk], array(target for _, _, target in bears_on),
                array(rank for rank, _, _ in bears_on),
                array("t" if kind == SUPPORT else "f" for _, kind, _ in bears_on),
            ))  # fmt: skip
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_RELATIONS) as copy:
        copy.set_types(RELATION_TYPES)
        for edge in sorted(edges, key=lambda e: (e["target"], e["kind"], ranks[e["source"]])):
            source, target = edge["source"], edge["target"]
            copy.write_row((
                argument_map.pk, source, target, edge["kind"], edge["weight"], edge["share"],
                array(edge["evidence"]), ranks[source], ranks[target],
            ))  # fmt: skip


def claim_ranks(claims: Iterable[tuple[int, float, int]]) -> dict[int, int]:
    """Each claim's place, from 1, in the order every list of claims follows: strongest
    first, then more supporters, then the older claim. `claims`: (id, strength, supporters)."""
    ordered = sorted(claims, key=lambda claim: (-claim[1], -claim[2], claim[0]))
    return {claim[0]: place for place, claim in enumerate(ordered, start=1)}


# Reads of a version look its rows up by (version, claim): with statistics that miss the
# newest version, the planner takes it for empty and scans the whole version once per row
# (seconds on a large topic). Refreshed from this transaction, they count its rows; the
# column's small statistics target (maps 0011) keeps the sample, and so this, at a few ms.
ANALYZE_ROWS = "ANALYZE maps_mapclaim (argument_map_id), maps_maprelation (argument_map_id)"
COPY_CLAIMS = """
    COPY maps_mapclaim (argument_map_id, claim_id, text, strength, base, standing, reason,
        supporters, opposers, endorsed_supporting, endorsed_opposing, supported_by,
        attacked_by, main, bears_on, rank, bears_on_ids, bears_on_ranks, bears_on_supports)
    FROM STDIN
"""
COPY_RELATIONS = """
    COPY maps_maprelation (argument_map_id, source_id, target_id, kind, weight, share,
        evidence, source_rank, target_rank) FROM STDIN
"""
# The columns' types, given: psycopg then dumps each row's values without choosing a dumper
# for each: a third of the COPY's time. Arrays go as their text (`array`), which PostgreSQL
# reads as the column's type: psycopg dumps a list item by item in Python, and that was
# most of the COPY's time on the client.
CLAIM_TYPES = ["bigint", "bigint", "varchar", "float8", "float8", "varchar", "text", "integer",
               "integer", "integer", "integer", "integer", "integer", "boolean", "integer",
               "integer", "text", "text", "text"]  # fmt: skip
RELATION_TYPES = ["bigint", "bigint", "bigint", "varchar", "integer", "float8", "text",
                  "integer", "integer"]  # fmt: skip


def array(items: Iterable) -> str:
    """A PostgreSQL array of numbers (or of t and f) as COPY reads it: {1,2,3}."""
    return "{" + ",".join(map(str, items)) + "}"


def graph_document(graph: dict) -> bytes:
    """The graph's canonical JSON, UTF-8: the same graph, however its keys were ordered,
    gives the same text (and so the same digest). orjson writes a large topic's 12 MB in a
    fifth of the time the standard library takes (bench 4)."""
    return orjson.dumps(graph, option=orjson.OPT_SORT_KEYS)


def graph_stats(graph: dict) -> dict:
    standings = [node["standing"] for node in graph["nodes"]]
    kinds = [edge["kind"] for edge in graph["edges"]]
    return {
        "claims": len(standings),
        "supports": kinds.count("support"),
        "attacks": kinds.count("attack"),
        **{standing: standings.count(standing) for standing in ("IN", "OUT", "UNDECIDED")},
        # False when the strength hit its iteration cap before the tolerance (map-rules.md)
        "strength_converged": graph["strength"]["converged"],
    }


def map_versions_prune() -> int:
    """Delete old versions: each topic keeps its last KEEP_VERSIONS and every version built
    within KEEP_FOR, and never loses its latest. Returns how many went."""
    ranked = ArgumentMap.objects.annotate(
        rank=Window(RowNumber(), partition_by="topic", order_by=F("version").desc())
    )
    old = ranked.filter(rank__gt=KEEP_VERSIONS, built_at__lt=timezone.now() - KEEP_FOR)
    doomed = [argument_map.pk for argument_map in old.only("pk")]
    ArgumentMap.objects.filter(pk__in=doomed).delete()  # rows go too, one statement each
    return len(doomed)


def dirty_topic_ids() -> list[int]:
    return sorted(set(MapDirtyMark.objects.values_list("topic_id", flat=True)))


def cache_delete_quietly(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as error:  # the flag only saves work; its expiry clears it anyway
        log.warning("Could not clear %s (%s).", key, error)


def _queued_key(topic_id: int) -> str:
    return f"map-build-queued:{topic_id}"
