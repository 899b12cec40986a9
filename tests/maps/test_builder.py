"""The version-1 map rules of build_graph, each pinned on a small hand-built thread."""

import gc
import json

import pytest

from apps.claims.services import claim_create
from apps.forum.models import Post
from apps.forum.services import post_delete
from apps.maps.builder import build_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import graph_stats, map_build
from tests.factories import UserFactory, make_thread
from tests.maps.helpers import (
    claim_id,
    edge_set,
    merge,
    node,
    node_ids,
    sample_debate,
    say,
    standings,
    tag_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def question(thread, member):
    """A top-level reply by alice supporting claim "b": the Q of the reply pairs below."""
    return say(thread.opening_post, member, supports=["b"])


# --- nodes ---------------------------------------------------------------------------------


def test_a_node_per_tagged_claim_with_its_counts_distinct_authors_and_posts_by_stance(
    thread, topic, member, other_member, carol
):
    first = say(thread.opening_post, member, supports=["a"])
    second = say(first, other_member, supports=["a"])
    third = say(first, carol, opposes=["a"])
    fourth = say(second, other_member, supports=["a"])
    claim_create(topic=topic, author=member, text="never tagged")

    graph = build_graph(topic)

    a = claim_id(topic, "a")
    assert node_ids(graph) == {a}
    assert node(graph, a) == {
        "id": a,
        "text": "a",
        "supports": 3,
        "opposes": 1,
        "authors": 3,
        "posts": {"supports": [first.pk, second.pk, fourth.pk], "opposes": [third.pk]},
        "standing": "IN",
        "reason": "IN: unattacked",
    }


def test_a_tag_on_the_opening_post_makes_a_node(thread, topic):
    tag_post(thread.opening_post, supports=["opening claim"])
    graph = build_graph(topic)
    pk = claim_id(topic, "opening claim")
    assert node(graph, pk)["posts"] == {"supports": [thread.opening_post.pk], "opposes": []}


@pytest.mark.parametrize("state", [Post.State.DELETED, Post.State.REMOVED])
def test_a_claim_tagged_only_on_a_tombstone_is_not_a_node(thread, topic, member, state):
    kept = say(thread.opening_post, member, supports=["kept"])
    gone = say(thread.opening_post, member, supports=["gone"], opposes=["kept"])
    Post.objects.filter(pk=gone.pk).update(state=state)

    graph = build_graph(topic)

    assert node_ids(graph) == {claim_id(topic, "kept")}
    assert node(graph, claim_id(topic, "kept"))["posts"] == {"supports": [kept.pk], "opposes": []}
    assert [post["id"] for post in graph["posts"]] == [kept.pk]


def test_claims_of_other_topics_stay_off_the_map(thread, topic, member):
    say(thread.opening_post, member, supports=["here"])
    elsewhere = make_thread(author=member, title="Elsewhere")
    tag_post(elsewhere.opening_post, supports=["there"])
    assert elsewhere.topic != topic
    assert {n["text"] for n in build_graph(topic)["nodes"]} == {"here"}
    assert {n["text"] for n in build_graph(elsewhere.topic)["nodes"]} == {"there"}


# --- edges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "supports, opposes, response, kind",
    [
        (["a"], ["b"], "neutral", "attack"),  # P opposes b
        (["a"], [], "disagree", "attack"),  # P disagrees with Q
        (["a", "b"], [], "neutral", "support"),  # P supports b
        (["a"], [], "agree", "support"),  # P agrees with Q
        (["a", "b"], [], "disagree", "attack"),  # disagreeing outranks supporting b
        (["a"], ["b"], "agree", "attack"),  # opposing b outranks agreeing
    ],
)
def test_a_reply_pair_relates_what_the_reply_supports_to_what_the_parent_supports(
    question, topic, other_member, supports, opposes, response, kind
):
    reply = say(question, other_member, supports=supports, opposes=opposes, response=response)
    a, b = claim_id(topic, "a"), claim_id(topic, "b")

    graph = build_graph(topic)

    assert graph["edges"] == [
        {"source": a, "target": b, "kind": kind, "weight": 1, "evidence": [[reply.pk, question.pk]]}
    ]


@pytest.mark.parametrize(
    "supports, opposes, response",
    [
        (["a"], [], "neutral"),  # neutral and no tag on b
        ([], ["b"], "disagree"),  # P supports nothing: nothing to attack from
        ([], ["c", "b"], "neutral"),
        ([], [], "disagree"),
        (["b"], [], "agree"),  # a == b
        (["b"], [], "disagree"),
    ],
)
def test_a_reply_pair_without_a_supported_claim_on_each_side_makes_no_edge(
    question, topic, other_member, supports, opposes, response
):
    say(question, other_member, supports=supports, opposes=opposes, response=response)
    assert build_graph(topic)["edges"] == []


def test_a_claim_the_parent_only_opposes_is_not_a_target(thread, topic, member, other_member):
    parent = say(thread.opening_post, member, opposes=["b"])
    say(parent, other_member, supports=["a"], response="disagree")
    say(parent, other_member, supports=["c"], opposes=["b"])
    assert build_graph(topic)["edges"] == []


def test_a_claim_never_relates_to_itself_but_does_to_the_other_claims(
    thread, topic, member, other_member
):
    parent = say(thread.opening_post, member, supports=["a", "b"])
    reply = say(parent, other_member, supports=["a", "b"], response="agree")
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    graph = build_graph(topic)
    assert edge_set(graph) == {(a, b, "support"), (b, a, "support")}
    assert all(edge["evidence"] == [[reply.pk, parent.pk]] for edge in graph["edges"])


def test_only_the_direct_parent_counts_not_the_grandparent(thread, topic, member, other_member):
    grandparent = say(thread.opening_post, member, supports=["b"])
    middle = say(grandparent, other_member)
    say(middle, member, supports=["a"], opposes=["b"], response="disagree")
    assert build_graph(topic)["edges"] == []


# --- evidence and weight -------------------------------------------------------------------


def test_two_replies_by_one_author_weigh_one_and_both_are_evidence(question, topic, other_member):
    first = say(question, other_member, supports=["a"], response="agree")
    second = say(question, other_member, supports=["a"], response="agree")
    [edge] = build_graph(topic)["edges"]
    assert edge["weight"] == 1
    assert edge["evidence"] == [[first.pk, question.pk], [second.pk, question.pk]]


def test_replies_by_two_authors_weigh_two(question, topic, other_member, carol):
    first = say(question, other_member, supports=["a"], opposes=["b"])
    second = say(question, carol, supports=["a"], opposes=["b"])
    [edge] = build_graph(topic)["edges"]
    assert (edge["kind"], edge["weight"]) == ("attack", 2)
    assert edge["evidence"] == [[first.pk, question.pk], [second.pk, question.pk]]


def test_evidence_gathers_pairs_from_different_parents(thread, topic, member, other_member):
    q1 = say(thread.opening_post, member, supports=["b"])
    q2 = say(thread.opening_post, other_member, supports=["b"])
    p2 = say(q2, member, supports=["a"], response="agree")
    p1 = say(q1, member, supports=["a"], response="agree")
    [edge] = build_graph(topic)["edges"]
    assert edge["weight"] == 1
    assert edge["evidence"] == sorted([[p1.pk, q1.pk], [p2.pk, q2.pk]])


def test_the_same_two_claims_can_both_support_and_attack(question, topic, other_member, carol):
    agreeing = say(question, other_member, supports=["a"], response="agree")
    disagreeing = say(question, carol, supports=["a"], response="disagree")
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    graph = build_graph(topic)
    assert graph["edges"] == [
        {
            "source": a,
            "target": b,
            "kind": "attack",
            "weight": 1,
            "evidence": [[disagreeing.pk, question.pk]],
        },
        {
            "source": a,
            "target": b,
            "kind": "support",
            "weight": 1,
            "evidence": [[agreeing.pk, question.pk]],
        },
    ]
    assert node(graph, b)["standing"] == "OUT"


# --- tombstones ----------------------------------------------------------------------------


def test_a_deleted_reply_breaks_its_pair_and_stops_counting(question, topic, other_member):
    reply = say(question, other_member, supports=["a"], opposes=["b"])
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    before = build_graph(topic)
    assert edge_set(before) == {(a, b, "attack")}
    assert node(before, b)["opposes"] == 1

    post_delete(post=reply, actor=other_member)
    after = build_graph(topic)

    assert after["edges"] == []
    assert node_ids(after) == {b}
    assert (node(after, b)["supports"], node(after, b)["opposes"]) == (1, 0)
    assert node(after, b)["standing"] == "IN"


def test_a_deleted_parent_breaks_its_pair_and_stops_counting(
    thread, question, topic, member, other_member, carol
):
    reply = say(question, other_member, supports=["a"], response="disagree")
    elsewhere = say(thread.opening_post, carol, supports=["b"])
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    assert edge_set(build_graph(topic)) == {(a, b, "attack")}

    post_delete(post=question, actor=member)
    after = build_graph(topic)

    assert after["edges"] == []
    assert node(after, b)["posts"] == {"supports": [elsewhere.pk], "opposes": []}
    assert node(after, b)["authors"] == 1
    assert node(after, a)["posts"] == {"supports": [reply.pk], "opposes": []}
    assert node(after, b)["standing"] == "IN"


# --- merged aliases ------------------------------------------------------------------------


def test_a_merged_claims_tags_count_for_its_target(thread, topic, member, other_member, carol):
    on_target = say(thread.opening_post, member, supports=["b"])
    on_alias = say(thread.opening_post, carol, supports=["b alias"])
    against_alias = say(thread.opening_post, other_member, opposes=["b alias"])
    reply = say(on_alias, other_member, supports=["a"], response="agree")
    b, alias, a = claim_id(topic, "b"), claim_id(topic, "b alias"), claim_id(topic, "a")
    assert edge_set(build_graph(topic)) == {(a, alias, "support")}

    merge(alias, b)
    graph = build_graph(topic)

    assert node_ids(graph) == {a, b}
    target = node(graph, b)
    assert (target["supports"], target["opposes"], target["authors"]) == (2, 1, 3)
    assert target["posts"] == {
        "supports": [on_target.pk, on_alias.pk],
        "opposes": [against_alias.pk],
    }
    assert graph["edges"] == [
        {
            "source": a,
            "target": b,
            "kind": "support",
            "weight": 1,
            "evidence": [[reply.pk, on_alias.pk]],
        }
    ]
    assert graph["aliases"] == [{"id": alias, "text": "b alias", "canonical": b}]


def test_an_alias_as_the_source_re_points_and_an_alias_of_its_parent_makes_no_edge(
    question, topic, other_member, carol
):
    source = say(question, other_member, supports=["a alias"], response="agree")
    say(question, carol, supports=["b alias"], response="disagree")
    say(source, carol, supports=["a"])  # "a" gets a tag of its own
    a, a_alias = claim_id(topic, "a"), claim_id(topic, "a alias")
    b, b_alias = claim_id(topic, "b"), claim_id(topic, "b alias")
    assert (b_alias, b, "attack") in edge_set(build_graph(topic))

    merge(a_alias, a)
    merge(b_alias, b)
    graph = build_graph(topic)

    assert edge_set(graph) == {(a, b, "support")}  # b alias → b is now b → b: no edge
    assert node_ids(graph) == {a, b}
    assert {alias["id"]: alias["canonical"] for alias in graph["aliases"]} == {
        a_alias: a,
        b_alias: b,
    }


def test_a_post_tagging_an_alias_and_its_target_alike_counts_once(question, topic, other_member):
    reply = say(question, other_member, supports=["a", "a alias"], response="agree")
    a, a_alias, b = claim_id(topic, "a"), claim_id(topic, "a alias"), claim_id(topic, "b")
    merge(a_alias, a)

    graph = build_graph(topic)

    assert node(graph, a)["posts"] == {"supports": [reply.pk], "opposes": []}
    assert node(graph, a)["supports"] == 1
    assert [(e["source"], e["target"], e["evidence"]) for e in graph["edges"]] == [
        (a, b, [[reply.pk, question.pk]])
    ]


def test_a_post_tagging_an_alias_and_its_target_both_ways_counts_on_both_sides(
    question, topic, other_member
):
    reply = say(question, other_member, supports=["a", "b"], opposes=["b alias"], response="agree")
    a, b, b_alias = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "b alias")
    merge(b_alias, b)

    graph = build_graph(topic)

    assert node(graph, b)["posts"] == {"supports": [question.pk, reply.pk], "opposes": [reply.pk]}
    assert edge_set(graph) == {(a, b, "attack"), (a, b, "support")}  # one for each stance


def test_a_disagreeing_post_taking_both_stances_lists_its_pair_once(question, topic, other_member):
    reply = say(
        question, other_member, supports=["a", "b"], opposes=["b alias"], response="disagree"
    )
    a, b, b_alias = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "b alias")
    merge(b_alias, b)

    [edge] = build_graph(topic)["edges"]

    assert (edge["source"], edge["target"], edge["kind"], edge["weight"]) == (a, b, "attack", 1)
    assert edge["evidence"] == [[reply.pk, question.pk]]


# --- standing ------------------------------------------------------------------------------


def test_an_unattacked_claim_is_in(question, topic):
    [only] = build_graph(topic)["nodes"]
    assert (only["standing"], only["reason"]) == ("IN", "IN: unattacked")


def test_a_claim_attacked_by_an_in_claim_is_out_naming_its_attacker(question, topic, other_member):
    say(question, other_member, supports=["Costs outweigh gains"], opposes=["b"])
    graph = build_graph(topic)
    attacker, b = claim_id(topic, "Costs outweigh gains"), claim_id(topic, "b")
    assert standings(graph) == {attacker: "IN", b: "OUT"}
    assert node(graph, b)["reason"] == "OUT: attacked by «Costs outweigh gains», which stands"
    assert node(graph, attacker)["reason"] == "IN: unattacked"


def test_an_out_claim_names_its_in_attacker_with_the_lowest_id(
    question, topic, member, other_member
):
    say(question, other_member, supports=["first attacker"], opposes=["b"])
    say(question, member, supports=["second attacker"], response="disagree")
    graph = build_graph(topic)
    assert claim_id(topic, "first attacker") < claim_id(topic, "second attacker")
    assert node(graph, claim_id(topic, "b"))["reason"] == (
        "OUT: attacked by «first attacker», which stands"
    )


def test_an_undecided_claim_names_an_undecided_attacker_not_an_out_one(
    question, topic, member, other_member, carol
):
    out_attacker = say(question, other_member, supports=["d"], response="disagree")
    say(out_attacker, carol, supports=["e"], opposes=["d"])  # e attacks d: d is OUT
    undecided = say(question, other_member, supports=["a"], response="disagree")
    rival = say(undecided, carol, supports=["c"], opposes=["a"])
    say(rival, member, supports=["a"], opposes=["c"])  # a and c attack each other
    graph = build_graph(topic)
    a, b, d = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "d")
    assert d < a
    assert standings(graph)[d] == "OUT" and standings(graph)[a] == "UNDECIDED"
    assert node(graph, b)["standing"] == "UNDECIDED"
    assert node(graph, b)["reason"] == "UNDECIDED: attacked by «a», which is undecided"


def test_a_support_does_not_change_standing(question, topic, other_member):
    say(question, other_member, supports=["a"], response="agree")
    assert set(standings(build_graph(topic)).values()) == {"IN"}


def test_claims_attacking_each_other_are_both_undecided(question, topic, member, other_member):
    reply = say(question, other_member, supports=["a"], opposes=["b"])
    say(reply, member, supports=["b"], opposes=["a"])
    graph = build_graph(topic)
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    assert standings(graph) == {a: "UNDECIDED", b: "UNDECIDED"}
    assert node(graph, a)["reason"] == "UNDECIDED: attacked by «b», which is undecided"
    assert node(graph, b)["reason"] == "UNDECIDED: attacked by «a», which is undecided"


def test_an_attacked_attacker_reinstates_its_target(question, topic, member, other_member):
    middle = say(question, other_member, supports=["a"], response="disagree")  # a attacks b
    say(middle, member, supports=["c"], response="disagree")  # c attacks a
    graph = build_graph(topic)
    a, b, c = (claim_id(topic, text) for text in "abc")
    assert edge_set(graph) == {(a, b, "attack"), (c, a, "attack")}
    assert standings(graph) == {a: "OUT", b: "IN", c: "IN"}
    assert node(graph, b)["reason"] == "IN: every attacker is out"
    assert node(graph, a)["reason"] == "OUT: attacked by «c», which stands"


# --- determinism, versions and stats -------------------------------------------------------


def test_the_same_state_builds_the_same_graph(thread, topic, member, other_member, carol):
    sample_debate(thread, member, other_member, carol)
    first, second = build_graph(topic), build_graph(topic)
    assert first == second
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert json.dumps(first) == json.dumps(second)  # the same order, too


def test_the_sample_debate_has_the_expected_map(thread, topic, member, other_member, carol):
    d = sample_debate(thread, member, other_member, carol)
    graph = build_graph(topic)
    assert edge_set(graph) == {
        (d.income, d.fair_use, "attack"),
        (d.unproven, d.income, "attack"),
        (d.styles, d.fair_use, "support"),
        (d.not_copyrightable, d.styles, "support"),
        (d.not_copyrightable, d.styles, "attack"),
        (d.impossible, d.feasible, "attack"),
        (d.feasible, d.impossible, "attack"),
    }
    assert standings(graph) == {
        d.fair_use: "IN",
        d.income: "OUT",
        d.unproven: "IN",
        d.styles: "OUT",
        d.not_copyrightable: "IN",
        d.feasible: "UNDECIDED",
        d.impossible: "UNDECIDED",
    }
    assert [node["id"] for node in graph["nodes"]] == sorted(node_ids(graph))


def test_map_build_stores_a_new_version_only_when_the_graph_changes(
    thread, topic, member, other_member, carol
):
    debate = sample_debate(thread, member, other_member, carol)

    first = map_build(topic_id=topic.pk)
    again = map_build(topic_id=topic.pk)

    assert (first.built, first.version, again.version) == (True, 1, 1)
    assert ArgumentMap.objects.filter(topic=topic).count() == 1
    stored = ArgumentMap.objects.get(topic=topic)
    assert stored.graph == build_graph(topic)

    say(debate.posts["unproven"], member, supports=["Artists lose income"], opposes=["x"])
    changed = map_build(topic_id=topic.pk)

    assert changed.version == 2
    assert list(ArgumentMap.objects.filter(topic=topic).values_list("version", flat=True)) == [
        2,
        1,
    ]
    assert not changed.still_dirty


def test_the_build_leaves_the_garbage_collector_as_it_found_it(question, topic):
    assert gc.isenabled()
    build_graph(topic)
    assert gc.isenabled()
    gc.disable()
    try:
        build_graph(topic)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_graph_stats_counts_claims_edge_kinds_and_standings(
    thread, topic, member, other_member, carol
):
    sample_debate(thread, member, other_member, carol)
    map_build(topic_id=topic.pk)
    expected = {"claims": 7, "supports": 2, "attacks": 5, "IN": 3, "OUT": 2, "UNDECIDED": 2}
    assert ArgumentMap.objects.get(topic=topic).stats == expected
    assert graph_stats(build_graph(topic)) == expected


def test_graph_stats_of_an_empty_map_is_all_zero(topic):
    assert graph_stats(build_graph(topic)) == {
        "claims": 0,
        "supports": 0,
        "attacks": 0,
        "IN": 0,
        "OUT": 0,
        "UNDECIDED": 0,
    }
