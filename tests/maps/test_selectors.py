"""Reads of the latest map from its rows: what they return, and that each costs a bounded
number of queries whatever the topic's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.maps import selectors
from apps.maps.models import ArgumentMap
from apps.maps.selectors import CARDS_PER_COLUMN, CLAIMS_PER_PAGE
from apps.maps.services import map_build
from tests.factories import TopicFactory, UserFactory, make_reply, make_thread
from tests.maps.helpers import claim_id, tag_post, tags
from tests.maps.rows import Edge, Node, star, store_map

pytestmark = pytest.mark.django_db


def sql_of(queries: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in queries.captured_queries)


def test_the_latest_version_is_read_without_its_graph(topic):
    store_map(topic, [Node("A")], [], version=1)
    store_map(topic, [Node("A")], [], version=2)

    with CaptureQueriesContext(connection) as queries:
        latest = selectors.latest_version(topic)

    assert latest.version == 2 and latest.stats["claims"] == 1
    assert "graph_without_edges" in latest.get_deferred_fields()
    assert "graph_without_edges" not in sql_of(queries)
    assert selectors.latest_version(TopicFactory()) is None


def test_a_claims_columns_are_strongest_first_then_by_supporters_then_by_id(topic):
    nodes = [
        Node("Thesis"),
        Node("Weak pro", strength=0.3),
        Node("Strong pro", strength=0.8, supporters=1),
        Node("Strong pro backed by more", strength=0.8, supporters=3),
        Node("Another strong pro", strength=0.8, supporters=1),
        Node("A con", strength=0.6),
    ]
    edges = [Edge(n, 0) for n in (1, 2, 3, 4)] + [Edge(5, 0, "attack")]
    ids = store_map(topic, nodes, edges)

    relations = selectors.claim_relations(selectors.latest_version(topic), ids[0])

    assert [card.text for card in relations.supported_by.cards] == [
        "Strong pro backed by more", "Strong pro", "Another strong pro", "Weak pro",
    ]  # fmt: skip
    assert [card.text for card in relations.attacked_by.cards] == ["A con"]
    assert (relations.supported_by.total, relations.attacked_by.total) == (4, 1)
    pro = relations.supported_by.cards[0]
    assert (pro.supported_by, pro.attacked_by, pro.main) == (0, 0, False)
    assert relations.node.claim_id == ids[0] and relations.supports == relations.attacks == []


def test_a_claim_lists_what_it_bears_on_both_kinds(topic):
    ids = store_map(
        topic,
        [Node("Thesis", strength=0.4), Node("Other thesis", strength=0.6), Node("Reason")],
        [Edge(2, 0, "support"), Edge(2, 1, "attack")],
    )

    relations = selectors.claim_relations(selectors.latest_version(topic), ids[2])

    assert [claim.text for claim in relations.supports] == ["Thesis"]
    assert [claim.text for claim in relations.attacks] == ["Other thesis"]
    assert relations.more_outgoing == 0


def test_a_column_holds_its_cards_and_pages_on(topic):
    ids = star(topic, pros=1, cons=CARDS_PER_COLUMN + 5)
    argument_map = selectors.latest_version(topic)

    first = selectors.claim_relations(argument_map, ids[0])
    second = selectors.claim_relations(argument_map, ids[0], more="attack", page=2)
    beyond = selectors.claim_relations(argument_map, ids[0], more="attack", page=99)

    assert len(first.attacked_by.cards) == CARDS_PER_COLUMN and first.attacked_by.more == 5
    assert first.attacked_by.cards[0].text == "A attack number 0"
    assert [card.text for card in second.attacked_by.cards] == [
        f"A attack number {n}" for n in range(CARDS_PER_COLUMN, CARDS_PER_COLUMN + 5)
    ]
    assert (second.attacked_by.start, second.attacked_by.end, second.attacked_by.more) == (
        CARDS_PER_COLUMN + 1, CARDS_PER_COLUMN + 5, 0,
    )  # fmt: skip
    assert len(second.supported_by.cards) == 1  # the other column stays on its first page
    assert beyond.attacked_by.page == 2  # past the last page: the last


def test_a_card_shows_three_evidence_posts_with_authors_and_counts_the_rest(thread, member):
    bob = UserFactory(username="bob")
    posts = [
        make_reply(thread.opening_post, author=author, body=f"Post by {author.username}")
        for author in (member, bob, bob, member)
    ]
    ids = store_map(
        thread.topic,
        [Node("Thesis"), Node("Reason")],
        [Edge(1, 0, evidence=[post.pk for post in posts])],
    )
    bob.delete()
    relations = selectors.claim_relations(selectors.latest_version(thread.topic), ids[0])

    [card] = relations.supported_by.cards

    assert [(post.id, post.author, post.excerpt) for post in card.evidence] == [
        (posts[0].pk, "alice", "Post by alice"),
        (posts[1].pk, None, "Post by bob"),  # a deleted member's post stays
        (posts[2].pk, None, "Post by bob"),
    ]
    assert card.more_evidence == 1 and card.weight == 4


def test_a_claim_off_the_map_has_no_node_and_no_columns(topic):
    store_map(topic, [Node("On the map")], [])

    relations = selectors.claim_relations(selectors.latest_version(topic), 999_999)

    assert relations.node is None and relations.supported_by is None
    assert selectors.claim_relations(None, 1).node is None


def test_the_overview_ranks_main_claims_by_strength_then_supporters_then_id(topic):
    ids = store_map(
        topic,
        [
            Node("Middling", strength=0.5),
            Node("Strong, few", strength=0.7, supporters=1),
            Node("Strong, many", strength=0.7, supporters=4),
            Node("Strong, few, later", strength=0.7, supporters=1),
            Node("A reason, not a thesis", strength=0.99),
        ],
        [Edge(4, 0)],
    )

    page = selectors.map_overview(selectors.latest_version(topic))

    assert [entry.claim.claim_id for entry in page] == [ids[2], ids[1], ids[3], ids[0]]
    everything = selectors.map_overview(selectors.latest_version(topic), main_only=False)
    assert everything[0].claim.text == "A reason, not a thesis"


def test_the_overview_pages_by_twenty(topic):
    store_map(topic, [Node(f"Thesis {n:02}", strength=1 - n / 100) for n in range(45)], [])
    argument_map = selectors.latest_version(topic)

    pages = [selectors.map_overview(argument_map, page=n) for n in (1, 3, "x", 99)]

    assert [len(page) for page in pages] == [CLAIMS_PER_PAGE, 5, CLAIMS_PER_PAGE, 5]
    assert pages[1][0].claim.text == "Thesis 40" and pages[0].paginator.num_pages == 3


def test_each_overview_entry_has_its_strongest_pro_and_con_from_one_query(topic):
    ids = store_map(
        topic,
        [
            Node("Thesis"), Node("Lonely thesis", strength=0.4),
            Node("Weak pro", strength=0.2), Node("Strong pro", strength=0.9),
            Node("Strong con", strength=0.8), Node("Weak con", strength=0.1),
        ],
        [Edge(2, 0), Edge(3, 0), Edge(4, 0, "attack"), Edge(5, 0, "attack")],
    )  # fmt: skip
    argument_map = selectors.latest_version(topic)

    with CaptureQueriesContext(connection) as queries:
        thesis, lonely = selectors.map_overview(argument_map)

    assert (thesis.strongest_pro.claim_id, thesis.strongest_con.claim_id) == (ids[3], ids[4])
    assert lonely.strongest_pro is None and lonely.strongest_con is None
    assert len(queries) == 3  # count, page, strongest neighbours


def test_the_filter_finds_any_claim_nearest_first_even_misspelt(topic):
    store_map(
        topic,
        [Node("Training is fair use"), Node("Models store copies of images"),
         Node("Copies are not stored", strength=0.2), Node("Licensing is feasible")],
        [Edge(1, 0, "attack"), Edge(2, 1, "attack")],
    )  # fmt: skip
    argument_map = selectors.latest_version(topic)

    found = selectors.map_overview(argument_map, query="modles store copeis")

    assert [entry.claim.text for entry in found][:2] == [
        "Models store copies of images", "Copies are not stored",
    ]  # fmt: skip
    assert found[0].strongest_con.text == "Copies are not stored"  # not a main claim, found
    assert list(selectors.map_overview(argument_map, query="zebra crossing")) == []
    assert list(selectors.map_overview(argument_map, query="\x00 fair\x00use"))[0].claim.text == (
        "Training is fair use"
    )


def test_the_focus_path_keeps_its_order_and_drops_claims_not_on_the_map(topic):
    ids = store_map(topic, [Node("A"), Node("B"), Node("C")], [Edge(1, 0), Edge(2, 1)])

    crumbs = selectors.focus_path(selectors.latest_version(topic), [ids[1], 999_999, ids[0]])

    assert [(crumb.claim.text, crumb.path) for crumb in crumbs] == [("B", []), ("A", [ids[1]])]


def test_reads_use_the_rows_of_the_latest_version(thread, member):
    opening = tag_post(thread.opening_post, supports=["Old thesis"])
    map_build(topic_id=thread.topic_id)
    make_reply(opening, author=member, tags=tags(supports=["New thesis"]))
    map_build(topic_id=thread.topic_id)

    argument_map = selectors.latest_version(thread.topic)
    texts = {entry.claim.text for entry in selectors.map_overview(argument_map)}

    assert ArgumentMap.objects.filter(topic=thread.topic).count() == 2
    assert texts == {"Old thesis", "New thesis"}
    assert selectors.map_claim(argument_map, claim_id(thread.topic, "New thesis")).text == (
        "New thesis"
    )


READS = {
    "overview": lambda argument_map, ids: selectors.map_overview(argument_map, main_only=False),
    "filter": lambda argument_map, ids: selectors.map_overview(argument_map, query="number"),
    "thesis": lambda argument_map, ids: selectors.claim_relations(argument_map, ids[0]),
    "reason": lambda argument_map, ids: selectors.claim_relations(argument_map, ids[2]),
    "path": lambda argument_map, ids: selectors.focus_path(argument_map, ids[:3]),
}


@pytest.mark.parametrize("read", READS)
def test_each_read_costs_the_same_queries_for_5_claims_as_for_60(read, db):
    counts = []
    for size in (5, 60):
        evidence = [make_thread(topic=TopicFactory()).opening_post.pk]
        topic = TopicFactory()
        pros = (size - 3) // 2
        ids = star(topic, pros=pros, cons=size - 3 - pros, theses=2, evidence=evidence)
        argument_map = selectors.latest_version(topic)
        with CaptureQueriesContext(connection) as queries:
            READS[read](argument_map, ids)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5


def test_rows_on_latest_maps_reads_each_topics_latest_version_in_one_query(thread, member):
    opening = tag_post(thread.opening_post, supports=["Old thesis"])
    map_build(topic_id=thread.topic_id)
    make_reply(opening, author=member, tags=tags(opposes=["Old thesis"]))
    map_build(topic_id=thread.topic_id)  # version 2: «Old thesis» has an opposer now
    elsewhere = make_thread(topic=TopicFactory(slug="music"), author=member)
    tag_post(elsewhere.opening_post, supports=["Sampling"])
    map_build(topic_id=elsewhere.topic_id)
    old, sampling = claim_id(thread.topic, "Old thesis"), claim_id(elsewhere.topic, "Sampling")
    unmapped = claim_id(thread.topic, "Old thesis") + 1000

    with CaptureQueriesContext(connection) as queries:
        rows = selectors.rows_on_latest_maps([old, sampling, unmapped])

    assert len(queries) == 1
    assert set(rows) == {old, sampling}
    assert rows[old].argument_map.version == 2 and rows[old].opposers == 1
    assert rows[sampling].argument_map.topic_id == elsewhere.topic_id
