"""The read model: each stored version's nodes and edges as rows, and the pruning of old
versions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.maps.exports import stored_graph
from apps.maps.models import ArgumentMap, MapClaim, MapRelation
from apps.maps.services import KEEP_VERSIONS, map_build, map_versions_prune
from apps.maps.tasks import prune_map_versions
from tests.factories import TopicFactory, UserFactory, make_thread
from tests.maps.helpers import claim_id, say, tag_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def debate(thread, member, other_member):
    """A thesis, a reason for it and an objection to it, from two people."""
    opening = tag_post(thread.opening_post, supports=["Training is fair use"])
    reason = say(opening, other_member, supports=["Models learn styles"], response="agree")
    objection = say(
        opening, other_member, supports=["Artists lose income"], opposes=["Training is fair use"]
    )
    return {"opening": opening, "reason": reason, "objection": objection}


def rows_as_graph(argument_map: ArgumentMap) -> tuple[list[dict], list[dict]]:
    claims = [
        {
            "id": row.claim_id, "text": row.text, "strength": row.strength, "base": row.base,
            "standing": row.standing, "reason": row.reason, "supporters": row.supporters,
            "opposers": row.opposers,
            "endorsements": {"supports": row.endorsed_supporting,
                             "opposes": row.endorsed_opposing},
        }
        for row in argument_map.claims.order_by("claim_id")
    ]  # fmt: skip
    relations = [
        {"source": row.source_id, "target": row.target_id, "kind": row.kind,
         "weight": row.weight, "share": row.share, "evidence": row.evidence}
        for row in argument_map.relations.order_by("source_id", "target_id", "kind")
    ]  # fmt: skip
    return claims, relations


def test_a_new_version_stores_every_node_and_edge_as_rows_equal_to_its_graph(debate, topic):
    map_build(topic_id=topic.pk)

    argument_map = ArgumentMap.objects.get(topic=topic)
    claims, relations = rows_as_graph(argument_map)

    assert claims == [
        {key: value for key, value in node.items() if key != "posts"}
        for node in stored_graph(argument_map)["nodes"]
    ]  # a claim's posts are read from its tags, not from the version
    assert relations == stored_graph(argument_map)["edges"]
    assert len(relations) == 2  # the reason supports the thesis; the objection attacks it


def test_a_claim_row_counts_the_relations_into_it_and_knows_whether_it_is_a_thesis(debate, topic):
    map_build(topic_id=topic.pk)
    rows = {row.claim_id: row for row in MapClaim.objects.all()}

    thesis = rows[claim_id(topic, "Training is fair use")]
    reason = rows[claim_id(topic, "Models learn styles")]
    assert (thesis.supported_by, thesis.attacked_by, thesis.main) == (1, 1, True)
    assert (reason.supported_by, reason.attacked_by, reason.main) == (0, 0, False)


def test_an_unchanged_graph_writes_no_rows_again(debate, topic):
    map_build(topic_id=topic.pk)
    map_build(topic_id=topic.pk)

    assert ArgumentMap.objects.count() == 1
    assert MapClaim.objects.count() == 3
    assert MapRelation.objects.count() == 2


def test_each_version_keeps_its_own_rows(debate, topic, member):
    map_build(topic_id=topic.pk)
    say(debate["objection"], member, supports=["Income is not the question"], response="disagree")
    map_build(topic_id=topic.pk)

    first, second = ArgumentMap.objects.order_by("version")
    assert first.claims.count() == 3
    assert second.claims.count() == 4


def versions(topic, count: int, *, age: timedelta) -> list[ArgumentMap]:
    built = timezone.now() - age
    return [
        ArgumentMap.objects.create(
            topic=topic,
            version=version,
            built_at=built,
            graph_without_edges={},
            digest=str(version),
            stats={},
        )
        for version in range(1, count + 1)
    ]


def test_pruning_keeps_the_last_versions_of_each_topic_and_deletes_their_rows(topic):
    old = versions(topic, KEEP_VERSIONS + 5, age=timedelta(days=8))
    MapClaim.objects.create(
        argument_map=old[0], claim_id=1, text="a", strength=0.5, base=0.5, standing="IN",
        reason="No objection", supporters=0, opposers=0, endorsed_supporting=0,
        endorsed_opposing=0, supported_by=0,
        attacked_by=0, main=True, bears_on=0, rank=1, bears_on_ids=[], bears_on_ranks=[],
        bears_on_supports=[],
    )  # fmt: skip
    other = versions(TopicFactory(slug="other"), 3, age=timedelta(days=30))

    assert prune_map_versions() == 5

    kept = ArgumentMap.objects.filter(topic=topic).values_list("version", flat=True)
    assert sorted(kept) == list(range(6, KEEP_VERSIONS + 6))
    assert ArgumentMap.objects.filter(topic=other[0].topic).count() == 3
    assert not MapClaim.objects.exists()


def test_pruning_keeps_every_version_of_the_last_week(topic):
    versions(topic, KEEP_VERSIONS + 5, age=timedelta(days=6))

    assert map_versions_prune() == 0
    assert ArgumentMap.objects.count() == KEEP_VERSIONS + 5


def test_pruning_never_deletes_a_topics_latest_version(db):
    topic = make_thread(
        topic=TopicFactory(slug="quiet"), author=UserFactory(username="q"), title="t"
    ).topic
    versions(topic, 1, age=timedelta(days=400))

    assert map_versions_prune() == 0
    assert ArgumentMap.objects.filter(topic=topic).exists()
