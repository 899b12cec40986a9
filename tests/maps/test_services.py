"""map_build's store: a new version only when the graph's digest changes."""

import hashlib
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.maps.builder import build_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import graph_document, map_build
from tests.factories import UserFactory
from tests.maps.helpers import sample_debate, say

pytestmark = pytest.mark.django_db
MIGRATION = "0002_argumentmap_digest_graph_as_json"


@pytest.fixture
def debate(thread, member, other_member):
    return sample_debate(thread, member, other_member, UserFactory(username="carol"))


def sha256(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def test_an_unchanged_graph_makes_no_version_and_the_latest_graph_is_not_read(debate, topic):
    assert map_build(topic_id=topic.pk).version == 1
    ArgumentMap.objects.filter(topic=topic).update(graph={"tampered": True})  # digest kept

    with CaptureQueriesContext(connection) as queries:
        again = map_build(topic_id=topic.pk)

    assert again.version == 1
    assert ArgumentMap.objects.get(topic=topic).graph == {"tampered": True}
    reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "argumentmap" in q["sql"]
    ]
    assert reads and not any('"graph"' in sql for sql in reads)


def test_a_changed_graph_makes_a_new_version_stored_with_its_digest(debate, topic, member):
    map_build(topic_id=topic.pk)
    say(debate.posts["unproven"], member, supports=["Artists lose income"])

    changed = map_build(topic_id=topic.pk)

    first, second = ArgumentMap.objects.filter(topic=topic).order_by("version")
    assert (changed.version, second.version) == (2, 2)
    assert second.graph == build_graph(topic)
    assert second.digest == sha256(graph_document(build_graph(topic)))
    assert second.digest != first.digest


def test_the_digest_of_the_graph_read_back_is_the_stored_digest(debate, topic):
    """The `json` column keeps the text it was sent, the canonical document with its keys
    sorted, so the graph reads back in that order, not the builder's; the canonical document,
    and so the digest, do not depend on the order."""
    map_build(topic_id=topic.pk)
    stored = ArgumentMap.objects.get(topic=topic)
    assert list(stored.graph) != list(build_graph(topic))  # read back with its keys sorted
    assert list(stored.graph) == sorted(stored.graph)
    assert sha256(graph_document(stored.graph)) == stored.digest


def test_graph_document_is_the_same_whatever_the_key_order():
    graph = {"rules": 1, "nodes": [{"id": 1, "text": "«a»"}], "edges": []}
    reordered = {"edges": [], "nodes": [{"text": "«a»", "id": 1}], "rules": 1}
    assert graph_document(graph) == graph_document(reordered)
    assert graph_document(graph) != graph_document({**graph, "rules": 2})


def test_the_migration_fills_the_digest_of_maps_stored_before_it(debate, topic):
    map_build(topic_id=topic.pk)
    ArgumentMap.objects.update(digest="")
    migration = importlib.import_module(f"apps.maps.migrations.{MIGRATION}")

    migration.fill_digests(django_apps, None)

    stored = ArgumentMap.objects.get(topic=topic)
    assert stored.digest == sha256(graph_document(stored.graph))
    assert map_build(topic_id=topic.pk).version == 1
