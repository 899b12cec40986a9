"""The graph view's data: a claim's neighbourhood, two hops, strongest first, at most
MAX_NODES, read from the latest version's rows in a fixed number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.maps.exports import stored_graph
from apps.maps.models import ArgumentMap
from apps.maps.neighbourhood import MAX_NODES, PER_HOP, claim_neighbourhood
from apps.maps.services import map_build, write_rows
from tests.factories import TopicFactory, UserFactory, make_thread
from tests.maps.helpers import sample_debate

pytestmark = pytest.mark.django_db


def stored_map(topic, relations: list[tuple[int, int, str]], strengths: dict, *, version=1):
    """A version's rows as the build writes them: claims by id with their strength, and
    (source, target, kind) relations; no graph, which the neighbourhood never reads."""
    argument_map = ArgumentMap.objects.create(
        topic=topic, version=version, graph_without_edges={}, digest=str(version), stats={}
    )
    ids = set(strengths) | {pk for source, target, _ in relations for pk in (source, target)}
    graph = {
        "nodes": [
            {"id": pk, "text": f"Claim {pk}", "strength": strengths.get(pk, 0.5), "base": 0.5,
             "standing": "IN", "reason": "No objection", "supporters": 1, "opposers": 0,
             "endorsements": {"supports": 0, "opposes": 0}}
            for pk in sorted(ids)
        ],
        "edges": [
            {"source": source, "target": target, "kind": kind, "weight": 1, "share": 1.0,
             "evidence": []}
            for source, target, kind in relations
        ],
    }  # fmt: skip
    write_rows(argument_map, graph)  # as map_build writes them
    return argument_map


def drawn(neighbourhood) -> dict[int, tuple[int, int]]:
    """Each drawn claim's (hop, more)."""
    return {node.id: (node.hop, node.more) for node in neighbourhood.nodes}


def test_it_holds_the_claim_what_it_relates_to_either_way_and_theirs_but_no_third_hop(topic):
    # 2 supports 1, 3 attacks 1, 1 supports 9; 4 supports 2, 5 attacks 9; 6 attacks 4.
    relations = [(2, 1, "support"), (3, 1, "attack"), (1, 9, "support"),
                 (4, 2, "support"), (5, 9, "attack"), (6, 4, "attack")]  # fmt: skip
    stored_map(topic, relations, {})

    neighbourhood = claim_neighbourhood(topic=topic, claim_id=1)

    assert neighbourhood.focus == 1 and neighbourhood.version == 1
    assert drawn(neighbourhood) == {
        1: (0, 0), 2: (1, 0), 3: (1, 0), 9: (1, 0),
        4: (2, 1),  # 6 attacks it, three relations away from 1
        5: (2, 0),
    }  # fmt: skip
    edges = {(edge.source, edge.target, edge.kind) for edge in neighbourhood.edges}
    assert edges == set(relations) - {(6, 4, "attack")}


def test_a_busy_claim_shows_its_strongest_neighbours_and_counts_the_rest(topic):
    supporters = range(100, 170)  # 70 claims support claim 1, more than MAX_NODES
    strengths = {pk: (pk - 100) / 100 for pk in supporters}
    stored_map(topic, [(pk, 1, "support") for pk in supporters] + [(7, 100, "attack")], strengths)

    neighbourhood = claim_neighbourhood(topic=topic, claim_id=1)

    first_hop = PER_HOP[1]
    assert len(neighbourhood.nodes) == 1 + first_hop  # the layer stays narrow
    assert [node.id for node in neighbourhood.nodes] == [1, *range(169, 169 - first_hop, -1)]
    assert neighbourhood.nodes[0].more == 70 - first_hop  # the weakest supporters
    assert {node.hop for node in neighbourhood.nodes[1:]} == {1}
    assert len(neighbourhood.edges) == first_hop


def test_the_first_hop_takes_the_strongest_of_supporters_attackers_and_what_it_bears_on(topic):
    # Ten of each around claim 1, their strengths interleaved: 100.. support it, 200..
    # attack it, and it supports 300...
    strengths = {100 + i: 0.90 - 0.03 * i for i in range(10)}
    strengths |= {200 + i: 0.89 - 0.03 * i for i in range(10)}
    strengths |= {300 + i: 0.88 - 0.03 * i for i in range(10)}
    relations = [(pk, 1, "support") for pk in range(100, 110)]
    relations += [(pk, 1, "attack") for pk in range(200, 210)]
    relations += [(1, pk, "support") for pk in range(300, 310)]
    stored_map(topic, relations, strengths)

    neighbourhood = claim_neighbourhood(topic=topic, claim_id=1)

    strongest = sorted(strengths, key=strengths.get, reverse=True)[: PER_HOP[1]]
    assert [node.id for node in neighbourhood.nodes] == [1, *strongest]
    assert set(strongest) == {100, 101, 200, 201, 300, 301}
    assert neighbourhood.nodes[0].more == 30 - PER_HOP[1]


def test_the_second_hop_fills_what_is_left_with_its_strongest_claims(topic):
    # Claim 1 has 10 supporters (ids 10..19); each of them has 10 attackers of its own.
    relations = [(pk, 1, "support") for pk in range(10, 20)]
    relations += [(100 * first + i, first, "attack") for first in range(10, 20) for i in range(10)]
    strengths = {
        100 * first + i: (first * 10 + i) / 1000 for first in range(10, 20) for i in range(10)
    }
    stored_map(topic, relations, strengths)

    neighbourhood = claim_neighbourhood(topic=topic, claim_id=1)

    first = [node.id for node in neighbourhood.nodes if node.hop == 1]
    assert first == [10, 11, 12, 13, 14, 15]  # of ten as strong, the older first
    second = [node for node in neighbourhood.nodes if node.hop == 2]
    assert len(second) == PER_HOP[2] == MAX_NODES - 7 == 6
    reachable = sorted((s for pk, s in strengths.items() if pk // 100 in first), reverse=True)
    assert [node.strength for node in second] == reachable[:6]  # 15's strongest attackers
    more = {node.id: node.more for node in neighbourhood.nodes if node.hop == 1}
    assert more == {10: 10, 11: 10, 12: 10, 13: 10, 14: 10, 15: 4}


def test_relations_within_one_hop_are_counted_not_drawn(topic):
    """Only relations leading out from the focused claim are drawn; those across a layer
    would cross it and slow the layout tenfold."""
    relations = [(2, 1, "support"), (3, 1, "attack"), (4, 2, "support"), (5, 3, "support"),
                 (4, 5, "attack"), (5, 4, "support"), (2, 3, "attack")]  # fmt: skip
    stored_map(topic, relations, {})

    neighbourhood = claim_neighbourhood(topic=topic, claim_id=1)

    edges = {(edge.source, edge.target, edge.kind) for edge in neighbourhood.edges}
    assert edges == set(relations) - {(4, 5, "attack"), (5, 4, "support"), (2, 3, "attack")}
    more = {node.id: node.more for node in neighbourhood.nodes}
    assert more == {1: 0, 2: 1, 3: 1, 4: 2, 5: 2}


def test_only_the_latest_version_is_read(topic):
    stored_map(topic, [(2, 1, "support"), (3, 1, "attack")], {}, version=1)
    stored_map(topic, [(2, 1, "attack")], {2: 0.9}, version=2)

    neighbourhood = claim_neighbourhood(topic=topic, claim_id=1)

    assert neighbourhood.version == 2
    assert [(node.id, node.strength) for node in neighbourhood.nodes] == [(1, 0.5), (2, 0.9)]
    assert [(edge.source, edge.kind) for edge in neighbourhood.edges] == [(2, "attack")]
    assert claim_neighbourhood(topic=topic, claim_id=3) is None


def queries_for(topic, claim_id: int) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert claim_neighbourhood(topic=topic, claim_id=claim_id) is not None
    return [query["sql"] for query in captured.captured_queries]


def test_the_query_count_is_the_same_on_a_small_and_a_large_map(topic):
    stored_map(topic, [(2, 1, "support"), (3, 2, "attack")], {})
    large = TopicFactory(slug="large")  # 2,021 claims, 2,020 relations around claim 1
    relations = [(pk, 1, "support") for pk in range(2, 22)]
    relations += [(100 * first + i, first, "attack") for first in range(2, 22) for i in range(100)]
    stored_map(large, relations, {})

    small_queries, large_queries = queries_for(topic, 1), queries_for(large, 1)

    assert len(small_queries) == len(large_queries) <= 6
    assert not any('"graph"' in sql for sql in large_queries)


@pytest.fixture
def debate(thread, member, other_member):
    debate = sample_debate(thread, member, other_member, UserFactory(username="carol"))
    map_build(topic_id=thread.topic_id)
    return debate


def two_hops(graph: dict, start: int) -> set[int]:
    """The claims within two relations of `start` in a stored graph, read the slow way."""
    reached = {start}
    for _ in range(2):
        reached |= {
            end
            for edge in graph["edges"]
            if edge["source"] in reached or edge["target"] in reached
            for end in (edge["source"], edge["target"])
        }
    return reached


def test_the_view_answers_the_built_neighbourhood_as_json(debate, topic):
    response = Client().get(f"/topics/{topic.slug}/map/claims/{debate.styles}/neighbourhood.json")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    graph = stored_graph(ArgumentMap.objects.get(topic=topic))
    assert {node["id"] for node in body["nodes"]} == two_hops(graph, debate.styles)
    assert body["focus"] == body["nodes"][0]["id"] == debate.styles
    assert set(body["nodes"][0]) == {"id", "text", "strength", "word", "standing", "supporters",
                                     "opposers", "hop", "more"}  # fmt: skip
    styles = next(node for node in graph["nodes"] if node["id"] == debate.styles)
    assert body["nodes"][0]["text"] == styles["text"]
    assert body["nodes"][0]["standing"] == styles["standing"] == "OUT"
    assert set(body["edges"][0]) == {"source", "target", "kind", "weight"}
    assert len(response.content) < 5_000


def test_a_claim_off_the_map_merged_unknown_or_of_another_topic_is_a_json_404(debate, topic):
    elsewhere = make_thread(topic=TopicFactory(slug="elsewhere"), author=UserFactory(), title="t")
    other = sample_debate(elsewhere, *(UserFactory(username=name) for name in ["d", "e", "f"]))
    map_build(topic_id=elsewhere.topic_id)
    off_map = topic.claims.create(text="Nobody said this yet", key="nobody said this yet")

    for claim_id in [debate.alias, 999_999, other.styles, off_map.pk]:
        url = f"/topics/{topic.slug}/map/claims/{claim_id}/neighbourhood.json"
        response = Client().get(url)
        assert response.status_code == 404, claim_id
        assert "not on the topic's latest map" in response.json()["error"]
    assert Client().get(f"/topics/nope/map/claims/{debate.styles}/neighbourhood.json").json()
