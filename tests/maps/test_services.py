"""map_build's store: a new version only when the graph's digest changes."""

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.maps.builder import build_graph
from apps.maps.exports import stored_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import graph_document, map_build
from tests.factories import UserFactory
from tests.maps.helpers import sample_debate, say

pytestmark = pytest.mark.django_db


@pytest.fixture
def debate(thread, member, other_member):
    return sample_debate(thread, member, other_member, UserFactory(username="carol"))


def sha256(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def test_an_unchanged_graph_makes_no_version_and_the_latest_graph_is_not_read(debate, topic):
    assert map_build(topic_id=topic.pk).version == 1
    ArgumentMap.objects.filter(topic=topic).update(
        graph_without_edges={"tampered": True}
    )  # digest kept

    with CaptureQueriesContext(connection) as queries:
        again = map_build(topic_id=topic.pk)

    assert again.version == 1
    assert ArgumentMap.objects.get(topic=topic).graph_without_edges == {"tampered": True}
    reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "argumentmap" in q["sql"]
    ]
    assert reads and not any("graph_without_edges" in sql for sql in reads)


def test_a_changed_graph_makes_a_new_version_stored_with_its_digest(debate, topic, member):
    map_build(topic_id=topic.pk)
    say(debate.posts["unproven"], member, supports=["Artists lose income"])

    changed = map_build(topic_id=topic.pk)

    first, second = ArgumentMap.objects.filter(topic=topic).order_by("version")
    assert (changed.version, second.version) == (2, 2)
    assert stored_graph(second) == build_graph(topic)
    assert second.digest == sha256(graph_document(build_graph(topic)))
    assert second.digest != first.digest


def estimated_rows(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]["Plan Rows"]


def test_the_planner_knows_each_new_versions_rows(debate, topic, member):
    """Each build refreshes the statistics of the rows' versions, so the planner counts the
    newest version's rows instead of taking the version for empty (and choosing plans that
    scan it once per row)."""
    map_build(topic_id=topic.pk)
    say(debate.posts["unproven"], member, supports=["Artists lose income"])
    map_build(topic_id=topic.pk)
    latest = ArgumentMap.objects.get(topic=topic, version=2)

    for table, count in (("maps_mapclaim", latest.claims.count()),
                         ("maps_maprelation", latest.relations.count())):  # fmt: skip
        sql = f"SELECT * FROM {table} WHERE argument_map_id = %s"
        assert estimated_rows(sql, [latest.pk]) == count > 1


def test_the_graph_read_back_from_its_document_and_rows_has_the_stored_digest(debate, topic):
    """The version stores its graph but the edges as JSON, and the edges as rows: read back
    together they are the graph that was built, with its digest."""
    map_build(topic_id=topic.pk)
    stored = ArgumentMap.objects.get(topic=topic)
    assert "edges" not in stored.graph_without_edges
    assert stored_graph(stored) == build_graph(topic)
    assert sha256(graph_document(stored_graph(stored))) == stored.digest


def test_graph_document_is_the_same_whatever_the_key_order():
    graph = {"rules": 1, "nodes": [{"id": 1, "text": "«a»"}], "edges": []}
    reordered = {"edges": [], "nodes": [{"text": "«a»", "id": 1}], "rules": 1}
    assert graph_document(graph) == graph_document(reordered)
    assert graph_document(graph) != graph_document({**graph, "rules": 2})
