"""The version-2 map rules of build_graph (docs/map-rules.md), each pinned on a small
hand-built thread."""

import gc
import json

import pytest

from apps.claims.models import Endorsement
from apps.claims.services.claims import claim_create
from apps.forum.models import Post
from apps.forum.services.post_state import post_delete
from apps.maps import builder, strength
from apps.maps.builder import build_graph
from apps.maps.exports import map_posts, stored_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import graph_document, graph_stats, map_build
from apps.maps.strength import MAX_ITERATIONS, SEMANTICS, TOLERANCE
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

NODE_FIELDS = {
    "id",
    "text",
    "standing",
    "reason",
    "posts",
    "supporters",
    "opposers",
    "endorsements",
    "base",
    "strength",
}


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def question(thread, member):
    """A top-level reply by alice supporting claim "b" and nothing else: the Q answered below."""
    return say(thread.opening_post, member, supports=["b"])


def endorse(claim: int, member, stance: str) -> Endorsement:
    """A row as the endorsement service leaves it (written directly, so an alias can hold one)."""
    return Endorsement.objects.create(claim_id=claim, user=member, stance=stance)


def post_ids(graph: dict) -> list[int]:
    """The posts that take a stance on a claim of the map, in id order."""
    return sorted({pk for node in graph["nodes"] for side in node["posts"].values() for pk in side})


def attack(source: int, target: int, evidence: list, weight: int = 1, share=1.0) -> dict:
    return {"source": source, "target": target, "kind": "attack", "weight": weight,
            "share": share, "evidence": [post.pk for post in evidence]}  # fmt: skip


def support(source: int, target: int, evidence: list, weight: int = 1, share=1.0) -> dict:
    return {**attack(source, target, evidence, weight, share), "kind": "support"}


# --- nodes ---------------------------------------------------------------------------------


def test_a_claim_tagged_on_a_visible_post_is_a_node_with_exactly_the_v2_fields(
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
    assert set(node(graph, a)) == NODE_FIELDS
    assert node(graph, a) == {
        "id": a,
        "text": "a",
        "standing": "IN",
        "reason": "No objection",
        "posts": {"supports": [first.pk, second.pk, fourth.pk], "opposes": [third.pk]},
        "supporters": 2,
        "opposers": 1,
        "endorsements": {"supports": 0, "opposes": 0},
        "base": 0.6,
        "strength": 0.6,
    }


def test_a_tag_on_the_opening_post_makes_a_node(thread, topic):
    tag_post(thread.opening_post, supports=["opening claim"])
    graph = build_graph(topic)
    opening_claim = node(graph, claim_id(topic, "opening claim"))
    assert opening_claim["posts"] == {"supports": [thread.opening_post.pk], "opposes": []}
    assert (opening_claim["supporters"], opening_claim["opposers"]) == (1, 0)
    assert map_posts(topic.pk, graph) == [
        {"id": thread.opening_post.pk, "parent": None, "author": "alice"}
    ]


@pytest.mark.parametrize("state", [Post.State.DELETED, Post.State.REMOVED])
def test_a_claim_tagged_only_on_a_tombstone_is_not_a_node(
    thread, topic, member, other_member, state
):
    kept = say(thread.opening_post, member, supports=["kept"])
    gone = say(thread.opening_post, other_member, supports=["gone"], opposes=["kept"])
    Post.objects.filter(pk=gone.pk).update(state=state)

    graph = build_graph(topic)

    assert node_ids(graph) == {claim_id(topic, "kept")}
    kept_claim = node(graph, claim_id(topic, "kept"))
    assert kept_claim["posts"] == {"supports": [kept.pk], "opposes": []}
    assert (kept_claim["supporters"], kept_claim["opposers"]) == (1, 0)
    assert graph["edges"] == []
    assert post_ids(graph) == [kept.pk]


def test_claims_of_other_topics_stay_off_the_map(thread, topic, member, other_member):
    say(thread.opening_post, member, supports=["here"])
    elsewhere = make_thread(author=member, title="Elsewhere")
    tag_post(elsewhere.opening_post, supports=["there"])
    endorsed_elsewhere, _ = claim_create(
        topic=elsewhere.topic, author=member, text="endorsed there"
    )
    endorse(endorsed_elsewhere.pk, other_member, "supports")
    assert elsewhere.topic != topic

    assert {n["text"] for n in build_graph(topic)["nodes"]} == {"here"}
    assert {n["text"] for n in build_graph(elsewhere.topic)["nodes"]} == {
        "there",
        "endorsed there",
    }


def test_a_claim_with_only_an_endorsement_is_a_node(topic, member, other_member):
    endorsed, _ = claim_create(topic=topic, author=member, text="endorsed only")
    claim_create(topic=topic, author=member, text="neither tagged nor endorsed")
    endorse(endorsed.pk, other_member, "opposes")

    graph = build_graph(topic)

    assert node_ids(graph) == {endorsed.pk}
    assert node(graph, endorsed.pk) == {
        "id": endorsed.pk,
        "text": "endorsed only",
        "standing": "IN",
        "reason": "No objection",
        "posts": {"supports": [], "opposes": []},
        "supporters": 0,
        "opposers": 1,
        "endorsements": {"supports": 0, "opposes": 1},
        "base": 0.333333,
        "strength": 0.333333,
    }
    assert post_ids(graph) == []


# --- stances from responses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "parent_stance, response, stance",
    [
        ("supports", "agree", "supports"),
        ("supports", "disagree", "opposes"),
        ("opposes", "agree", "opposes"),
        ("opposes", "disagree", "supports"),
    ],
)
def test_a_reply_to_a_post_on_one_claim_takes_a_stance_on_it_from_its_response(
    thread, topic, member, other_member, parent_stance, response, stance
):
    parent = say(thread.opening_post, member, **{parent_stance: ["b"]})
    reply = say(parent, other_member, response=response)

    graph = build_graph(topic)

    expected = {"supports": [], "opposes": []}
    expected[parent_stance].append(parent.pk)
    expected[stance].append(reply.pk)
    b = node(graph, claim_id(topic, "b"))
    assert b["posts"] == expected
    people = [parent_stance, stance]  # alice by her tag, bob by his response
    assert (b["supporters"], b["opposers"]) == (people.count("supports"), people.count("opposes"))
    assert {"id": reply.pk, "parent": parent.pk, "author": "bob"} in map_posts(topic.pk, graph)


def test_a_stance_from_a_response_counts_like_the_same_tag(thread, topic, member, other_member):
    """The same debate twice, the objection once by a response, once by a tag: one map."""
    by_response = say(thread.opening_post, member, supports=["b"])
    say(by_response, other_member, supports=["a"], response="disagree")
    tagged = make_thread(author=member, title="Tagged")
    by_tag = say(tagged.opening_post, member, supports=["b"])
    say(by_tag, other_member, supports=["a"], opposes=["b"])

    def by_text(graph: dict) -> dict:
        """The graph with claims named by text and posts counted, ids being different."""
        text = {n["id"]: n["text"] for n in graph["nodes"]}
        nodes = {
            n["text"]: n | {"id": None, "posts": {k: len(v) for k, v in n["posts"].items()}}
            for n in graph["nodes"]
        }
        edges = [
            (text[e["source"]], text[e["target"]], e["kind"], e["weight"], len(e["evidence"]))
            for e in graph["edges"]
        ]
        return {"nodes": nodes, "edges": edges}

    from_response = by_text(build_graph(topic))
    assert from_response == by_text(build_graph(tagged.topic))
    assert from_response["edges"] == [("a", "b", "attack", 1, 1)]
    assert from_response["nodes"]["b"]["opposers"] == 1


def test_a_neutral_reply_takes_no_stance(question, topic, other_member):
    reply = say(question, other_member)
    graph = build_graph(topic)
    b = node(graph, claim_id(topic, "b"))
    assert b["posts"] == {"supports": [question.pk], "opposes": []}
    assert (b["supporters"], b["opposers"]) == (1, 0)
    assert reply.pk not in post_ids(graph)


@pytest.mark.parametrize("response", ["agree", "disagree"])
def test_a_response_to_a_post_on_two_claims_takes_no_stance(
    thread, topic, member, other_member, response
):
    parent = say(thread.opening_post, member, supports=["b", "c"])
    untagged = say(parent, other_member, response=response)
    say(parent, other_member, supports=["a"], response=response)

    graph = build_graph(topic)

    for claim in (claim_id(topic, "b"), claim_id(topic, "c")):
        assert node(graph, claim)["posts"] == {"supports": [parent.pk], "opposes": []}
        assert (node(graph, claim)["supporters"], node(graph, claim)["opposers"]) == (1, 0)
    assert graph["edges"] == []
    assert untagged.pk not in post_ids(graph)


def test_a_stance_from_a_response_does_not_pass_on_to_the_replies_answering_it(
    question, topic, other_member, carol
):
    middle = say(question, other_member, response="agree")  # bob supports b by his response
    untagged = say(middle, carol, response="disagree")
    say(middle, carol, supports=["a"], response="disagree")  # would make a attack b

    graph = build_graph(topic)

    b = node(graph, claim_id(topic, "b"))
    assert b["posts"] == {"supports": [question.pk, middle.pk], "opposes": []}
    assert (b["supporters"], b["opposers"]) == (2, 0)
    assert graph["edges"] == []
    assert untagged.pk not in post_ids(graph)


def test_a_response_answers_the_parents_own_tag_not_the_stance_its_response_gave_it(
    question, topic, other_member, carol
):
    middle = say(question, other_member, supports=["d"], response="agree")  # d, and b
    reply = say(middle, carol, response="disagree")  # answers d, bob's one own claim

    graph = build_graph(topic)

    b, d = claim_id(topic, "b"), claim_id(topic, "d")
    assert node(graph, d)["posts"] == {"supports": [middle.pk], "opposes": [reply.pk]}
    assert node(graph, b)["posts"] == {"supports": [question.pk, middle.pk], "opposes": []}
    assert graph["edges"] == [support(d, b, [middle])]


@pytest.mark.parametrize("own, response", [("opposes", "agree"), ("supports", "disagree")])
def test_a_replys_own_tag_on_the_claim_wins_over_its_response(
    question, topic, other_member, own, response
):
    reply = say(question, other_member, response=response, **{own: ["b"]})

    b = node(build_graph(topic), claim_id(topic, "b"))

    expected = {"supports": [question.pk], "opposes": []}
    expected[own].append(reply.pk)
    assert b["posts"] == expected


def test_a_reply_to_a_tombstone_takes_no_stance_from_its_response(
    thread, question, topic, member, other_member, carol
):
    elsewhere = say(thread.opening_post, carol, supports=["b"])
    untagged = say(question, other_member, response="disagree")
    with_reason = say(question, other_member, supports=["a"], response="disagree")
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    before = build_graph(topic)
    assert node(before, b)["posts"]["opposes"] == [untagged.pk, with_reason.pk]
    assert edge_set(before) == {(a, b, "attack")}

    post_delete(post=question, actor=member)
    after = build_graph(topic)

    assert node(after, b)["posts"] == {"supports": [elsewhere.pk], "opposes": []}
    assert (node(after, b)["supporters"], node(after, b)["opposers"]) == (1, 0)
    assert after["edges"] == []
    assert post_ids(after) == [elsewhere.pk, with_reason.pk]


# --- reasons and relations -----------------------------------------------------------------


@pytest.mark.parametrize(
    "answers_question, opposes, response",
    [
        (False, ["b"], "neutral"),  # b is on no parent: the reply opposes it on its own
        (True, ["b"], "neutral"),  # b is the parent's claim, opposed by a tag
        (True, [], "disagree"),  # b is the parent's claim, opposed by the response
    ],
)
def test_each_reason_attacks_every_claim_the_post_opposes_wherever_it_came_from(
    thread, question, topic, other_member, answers_question, opposes, response
):
    parent = question if answers_question else thread.opening_post
    reply = say(parent, other_member, supports=["a1", "a2"], opposes=opposes, response=response)
    a1, a2, b = claim_id(topic, "a1"), claim_id(topic, "a2"), claim_id(topic, "b")

    graph = build_graph(topic)

    assert a1 < a2
    assert graph["edges"] == [
        attack(a1, b, [reply], share=0.5),
        attack(a2, b, [reply], share=0.5),
    ]  # one post's two reasons weigh as one objection


def test_a_relations_share_counts_each_person_once_by_their_largest_share(
    thread, topic, member, other_member, carol
):
    """A post's k reasons against one claim share one objection (1/k each); a person counts
    once per relation, by their largest share; people's shares add up, to at most 1."""
    opening = thread.opening_post
    say(opening, other_member, supports=["a", "c"], opposes=["b"])  # 1/2 each
    say(opening, other_member, supports=["a"], opposes=["b"])  # 1: bob's largest for a
    say(opening, carol, supports=["c", "d"], opposes=["b"])  # 1/2 for c and for d
    say(opening, member, supports=["c", "d"], opposes=["b"])  # 1/2 for c and for d
    a, b, c, d = (claim_id(topic, text) for text in "abcd")

    shares = {(e["source"], e["kind"]): e["share"] for e in build_graph(topic)["edges"]}

    assert shares[a, "attack"] == 1.0  # bob: max(1/2, 1)
    assert shares[c, "attack"] == 1.0  # bob 1/2 + carol 1/2 + alice 1/2, at most 1
    assert shares[d, "attack"] == 1.0  # carol 1/2 + alice 1/2


def test_one_post_of_three_reasons_against_a_claim_weighs_as_one_objection(
    question, topic, other_member
):
    """The demo's post 23: three reasons in one reply took a claim of one supporter and one
    opposer from 0.5 to 0.075 when each counted as a full objection."""
    three = say(question, other_member, supports=["x", "y", "z"], opposes=["b"])
    one = build_graph(topic)
    three.delete()
    say(question, other_member, supports=["x"], opposes=["b"])
    single = build_graph(topic)

    b = claim_id(topic, "b")
    assert {e["share"] for e in one["edges"]} == {round(1 / 3, 6)}
    assert node(one, b)["strength"] == pytest.approx(node(single, b)["strength"], abs=1e-3)


def test_a_claim_the_parent_also_supports_is_an_answer_not_a_reason(
    thread, topic, member, other_member
):
    parent = say(thread.opening_post, member, supports=["c"])
    reply = say(parent, other_member, supports=["c", "a"], opposes=["b"])
    a, b, c = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "c")

    graph = build_graph(topic)

    assert c < a < b
    assert graph["edges"] == [support(a, c, [reply]), attack(a, b, [reply])]
    assert (c, b, "attack") not in edge_set(graph)


def test_a_claim_the_reply_defends_against_its_parent_is_an_answer_not_a_reason(
    thread, topic, member, other_member
):
    """The demo's post 14: selzero defends "All creativity is a combination of past
    creativity" against glenatron's objection with a new reason, conceding the objection's
    point ("yes, you are right, but…"). The defended claim answers the parent; only the new
    reason argues, so the defended claim draws no attack on what the reply opposes."""
    objection = say(thread.opening_post, member, supports=["c"], opposes=["b"])
    reply = say(objection, other_member, supports=["b", "a"], opposes=["c"])
    a, b, c = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "c")

    graph = build_graph(topic)

    assert c < b < a
    assert graph["edges"] == [
        attack(c, b, [objection]),
        attack(a, c, [reply]),
        support(a, b, [reply]),
    ]
    assert (b, c, "attack") not in edge_set(graph)


@pytest.mark.parametrize(
    "parent_stance, reply_supports, response",
    [
        ("supports", ["a", "b"], "neutral"),
        ("opposes", ["a", "b"], "neutral"),
        ("supports", ["a"], "agree"),
        ("opposes", ["a"], "disagree"),
    ],
)
def test_a_reason_supports_a_claim_the_reply_supports_and_its_parent_tags_either_way(
    thread, topic, member, other_member, parent_stance, reply_supports, response
):
    parent = say(thread.opening_post, member, **{parent_stance: ["b"]})
    reply = say(parent, other_member, supports=reply_supports, response=response)
    a, b = claim_id(topic, "a"), claim_id(topic, "b")

    assert build_graph(topic)["edges"] == [support(a, b, [reply])]


def test_claims_merely_asserted_side_by_side_make_no_edge(thread, topic, member, other_member):
    tag_post(thread.opening_post, supports=["a", "b"])
    parent = say(thread.opening_post, other_member, supports=["c"])
    say(parent, member, supports=["a", "b"])  # neither is on the parent
    say(thread.opening_post, other_member, supports=["d", "e"])

    graph = build_graph(topic)

    assert len(graph["nodes"]) == 5
    assert graph["edges"] == []


def test_an_opposing_tag_with_no_reason_behind_it_makes_no_edge_but_counts_an_opposer(
    question, topic, other_member, carol
):
    objection = say(question, other_member, opposes=["b"])
    say(question, carol, supports=["b"], opposes=["c"])  # b is an answer, not a reason

    graph = build_graph(topic)

    b, c = claim_id(topic, "b"), claim_id(topic, "c")
    assert graph["edges"] == []
    assert node(graph, b)["posts"]["opposes"] == [objection.pk]
    assert (node(graph, b)["supporters"], node(graph, b)["opposers"]) == (2, 1)
    assert (node(graph, c)["supporters"], node(graph, c)["opposers"]) == (0, 1)
    assert node(graph, b)["reason"] == "No objection"


def test_no_claim_relates_to_itself(thread, topic, member, other_member):
    parent = say(thread.opening_post, member, opposes=["b"])
    reply = say(parent, other_member, supports=["a", "b"])  # b defends, a is the reason
    say(thread.opening_post, other_member, supports=["c"], opposes=["c alias"])
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    c, c_alias = claim_id(topic, "c"), claim_id(topic, "c alias")
    assert (c, c_alias, "attack") in edge_set(build_graph(topic))

    merge(c_alias, c)
    graph = build_graph(topic)

    assert graph["edges"] == [support(a, b, [reply])]


def test_only_the_direct_parent_counts_not_the_grandparent(question, topic, member, other_member):
    middle = say(question, other_member)
    say(middle, member, supports=["a", "b"], response="disagree")
    assert build_graph(topic)["edges"] == []


# --- evidence and weight -------------------------------------------------------------------


def test_evidence_is_the_posts_that_drew_the_edge_in_id_order(
    thread, topic, member, other_member, carol
):
    first_parent = say(thread.opening_post, member, supports=["b"])
    second_parent = say(thread.opening_post, other_member, supports=["b"])
    earlier = say(second_parent, member, supports=["a"], response="agree")
    later = say(first_parent, carol, supports=["a"], response="agree")
    a, b = claim_id(topic, "a"), claim_id(topic, "b")

    assert build_graph(topic)["edges"] == [support(a, b, [earlier, later], weight=2)]


def test_two_posts_by_one_author_weigh_one_and_both_are_evidence(question, topic, other_member):
    first = say(question, other_member, supports=["a"], opposes=["b"])
    second = say(question, other_member, supports=["a"], response="disagree")
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    assert build_graph(topic)["edges"] == [attack(a, b, [first, second], weight=1)]


def test_a_deleted_users_post_stays_evidence_but_weighs_for_no_one(
    question, topic, other_member, dave
):
    gone = say(question, dave, supports=["a"], opposes=["b"])
    kept = say(question, other_member, supports=["a"], opposes=["b"])
    a, b = claim_id(topic, "a"), claim_id(topic, "b")
    assert build_graph(topic)["edges"] == [attack(a, b, [gone, kept], weight=2)]

    dave.delete()
    graph = build_graph(topic)

    assert graph["edges"] == [attack(a, b, [gone, kept], weight=1)]
    assert node(graph, b)["posts"]["opposes"] == [gone.pk, kept.pk]
    assert (node(graph, b)["opposers"], node(graph, a)["supporters"]) == (1, 1)
    assert {"id": gone.pk, "parent": question.pk, "author": None} in map_posts(topic.pk, graph)


def test_the_same_two_claims_can_both_support_and_attack(question, topic, other_member, carol):
    agreeing = say(question, other_member, supports=["a"], response="agree")
    disagreeing = say(question, carol, supports=["a"], response="disagree")
    a, b = claim_id(topic, "a"), claim_id(topic, "b")

    graph = build_graph(topic)

    assert graph["edges"] == [attack(a, b, [disagreeing]), support(a, b, [agreeing])]
    assert node(graph, b)["standing"] == "OUT"


# --- people --------------------------------------------------------------------------------


def test_supporters_and_opposers_are_distinct_people_not_posts(
    question, topic, member, other_member
):
    again = say(question, member, supports=["b"])
    objection = say(question, other_member, opposes=["b"])
    say(objection, other_member, opposes=["b"])

    b = node(build_graph(topic), claim_id(topic, "b"))

    assert (len(b["posts"]["supports"]), len(b["posts"]["opposes"])) == (2, 2)
    assert again.pk in b["posts"]["supports"]
    assert (b["supporters"], b["opposers"]) == (1, 1)


def test_a_person_counts_once_by_their_latest_visible_post(question, topic, other_member):
    agreed = say(question, other_member, supports=["b"])
    changed_mind = say(agreed, other_member, opposes=["b"])
    b = claim_id(topic, "b")
    before = node(build_graph(topic), b)
    assert (before["supporters"], before["opposers"]) == (1, 1)  # alice, and bob's latest

    post_delete(post=changed_mind, actor=other_member)
    graph = build_graph(topic)

    assert (node(graph, b)["supporters"], node(graph, b)["opposers"]) == (2, 0)


def test_an_endorsement_counts_a_member_who_never_posted(question, topic, other_member, carol):
    b = claim_id(topic, "b")
    endorse(b, other_member, "supports")
    endorse(b, carol, "opposes")

    claim = node(build_graph(topic), b)

    assert claim["posts"] == {"supports": [question.pk], "opposes": []}
    assert (claim["supporters"], claim["opposers"]) == (2, 1)
    assert claim["endorsements"] == {"supports": 1, "opposes": 1}


def test_a_members_endorsement_wins_over_their_posts_stance(question, topic, member):
    b = claim_id(topic, "b")
    endorse(b, member, "opposes")  # alice posted in support of b, then disputed it

    claim = node(build_graph(topic), b)

    assert claim["posts"] == {"supports": [question.pk], "opposes": []}
    assert (claim["supporters"], claim["opposers"]) == (0, 1)


def test_endorsements_are_counted_by_stance(question, topic, member, other_member, carol, dave):
    b = claim_id(topic, "b")
    endorse(b, other_member, "supports")
    endorse(b, carol, "supports")
    endorse(b, dave, "opposes")
    endorse(b, member, "opposes")  # a poster's endorsement is counted too

    claim = node(build_graph(topic), b)

    assert claim["endorsements"] == {"supports": 2, "opposes": 2}
    assert (claim["supporters"], claim["opposers"]) == (2, 2)


def test_the_base_score_is_supporters_plus_one_over_everyone_plus_two(
    question, topic, other_member, carol, dave
):
    say(question, other_member, supports=["b"])
    say(question, carol, opposes=["b"])
    endorse(claim_id(topic, "b"), dave, "supports")

    claim = node(build_graph(topic), claim_id(topic, "b"))

    assert (claim["supporters"], claim["opposers"]) == (3, 1)
    assert claim["base"] == 0.666667  # (3 + 1) / (3 + 1 + 2), rounded to 6 places


def test_the_base_score_is_one_half_with_no_one_either_way(thread, topic, dave):
    say(thread.opening_post, dave, supports=["orphan"])
    dave.delete()

    claim = node(build_graph(topic), claim_id(topic, "orphan"))

    assert (claim["supporters"], claim["opposers"]) == (0, 0)
    assert (claim["base"], claim["strength"]) == (0.5, 0.5)


# --- strength ------------------------------------------------------------------------------


def test_without_relations_each_strength_is_its_base(thread, question, topic, other_member, carol):
    say(thread.opening_post, other_member, opposes=["b"])  # with no reason: no edge
    say(thread.opening_post, carol, supports=["c"])
    endorse(claim_id(topic, "b"), carol, "opposes")

    graph = build_graph(topic)

    assert graph["edges"] == []
    assert {n["base"] for n in graph["nodes"]} == {0.4, 0.666667}  # b: 1 for, 2 against
    assert all(n["strength"] == n["base"] for n in graph["nodes"])


def test_an_attacked_claim_is_weaker_than_its_base(question, topic, other_member):
    say(question, other_member, supports=["a"], opposes=["b"])

    graph = build_graph(topic)

    a, b = node(graph, claim_id(topic, "a")), node(graph, claim_id(topic, "b"))
    assert b["strength"] < b["base"]
    assert a["strength"] == a["base"]  # nothing attacks or supports a


def test_a_supported_claim_is_stronger_than_its_base(question, topic, other_member):
    say(question, other_member, supports=["a"], response="agree")

    graph = build_graph(topic)

    a, b = node(graph, claim_id(topic, "a")), node(graph, claim_id(topic, "b"))
    assert b["strength"] > b["base"]
    assert a["strength"] == a["base"]


def test_one_unanswered_objection_weakens_a_claim_many_back_but_does_not_sink_it(
    question, topic, other_member, carol, dave
):
    """The demo's failure mode was one person's unanswered caveat outweighing everyone
    behind the claim. Under v2 the grounded label still says OUT, but the strength keeps
    the claim balanced, each further backer raises it, and an answer restores it above its
    attacker (docs/map-rules.md, "An unanswered objection weakens; it does not decide")."""
    for backer in (other_member, carol, dave):
        say(question, backer, response="agree")
    objection = say(question, UserFactory(username="erin"), supports=["a"], opposes=["b"])

    objected = node(build_graph(topic), claim_id(topic, "b"))
    say(question, UserFactory(username="frank"), response="agree")
    backed_more = node(build_graph(topic), claim_id(topic, "b"))
    say(objection, UserFactory(username="gina"), supports=["c"], opposes=["a"])
    graph = build_graph(topic)

    assert (objected["supporters"], objected["opposers"], objected["standing"]) == (4, 1, "OUT")
    assert 0.45 < objected["strength"] < objected["base"]
    assert backed_more["strength"] > objected["strength"]
    b, a = node(graph, claim_id(topic, "b")), node(graph, claim_id(topic, "a"))
    assert b["strength"] > a["strength"]
    assert b["standing"] == "IN"


def test_the_graph_says_how_the_strength_was_computed(question, topic, other_member):
    say(question, other_member, supports=["a"], opposes=["b"])

    computed = build_graph(topic)["strength"]

    assert set(computed) == {"semantics", "tolerance", "max_iterations", "iterations", "converged"}
    assert computed["semantics"] == SEMANTICS
    assert (computed["tolerance"], computed["max_iterations"]) == (TOLERANCE, MAX_ITERATIONS)
    assert 1 < computed["iterations"] < MAX_ITERATIONS
    assert computed["converged"] is True


def test_a_strength_that_ran_out_of_iterations_is_flagged_in_the_map_stats(
    question, topic, other_member, monkeypatch
):
    say(question, other_member, supports=["a"], opposes=["b"])
    monkeypatch.setattr(strength, "MAX_ITERATIONS", 1)
    monkeypatch.setattr(builder, "MAX_ITERATIONS", 1)

    map_build(topic_id=topic.pk)

    stored = ArgumentMap.objects.get(topic=topic)
    computed = stored_graph(stored)["strength"]
    assert (computed["max_iterations"], computed["iterations"]) == (1, 1)
    assert computed["converged"] is False
    assert stored.stats["strength_converged"] is False


# --- grounded standing, as a sentence ------------------------------------------------------


def test_an_unattacked_claim_has_no_objection(question, topic):
    [only] = build_graph(topic)["nodes"]
    assert (only["standing"], only["reason"]) == ("IN", "No objection")


def test_a_claim_whose_attackers_are_all_out_has_every_objection_answered(
    question, topic, other_member, carol
):
    objection = say(question, other_member, supports=["a"], response="disagree")
    say(objection, carol, supports=["c"], response="disagree")  # c attacks a

    graph = build_graph(topic)

    a, b, c = (claim_id(topic, text) for text in "abc")
    assert edge_set(graph) == {(a, b, "attack"), (c, a, "attack")}
    assert standings(graph) == {a: "OUT", b: "IN", c: "IN"}
    assert node(graph, b)["reason"] == "Every objection answered"
    assert node(graph, a)["reason"] == "Has an unanswered objection: «c»"
    assert node(graph, c)["reason"] == "No objection"


def test_an_out_claim_names_its_in_attacker_with_the_lowest_id(
    question, topic, other_member, carol, dave
):
    answered = say(question, other_member, supports=["answered"], opposes=["b"])
    say(answered, carol, supports=["rebuttal"], opposes=["answered"])
    say(question, carol, supports=["first standing"], opposes=["b"])
    say(question, dave, supports=["second standing"], opposes=["b"])

    graph = build_graph(topic)

    ids = [claim_id(topic, text) for text in ("answered", "first standing", "second standing")]
    assert ids == sorted(ids)
    assert standings(graph)[ids[0]] == "OUT"
    assert node(graph, claim_id(topic, "b"))["standing"] == "OUT"
    assert node(graph, claim_id(topic, "b"))["reason"] == (
        "Has an unanswered objection: «first standing»"
    )


def test_a_claim_caught_in_a_cycle_names_an_undecided_attacker_not_an_out_one(
    question, topic, other_member, carol
):
    answered = say(question, other_member, supports=["d"], opposes=["b"])
    say(answered, carol, supports=["e"], opposes=["d"])  # d is OUT
    objection = say(question, other_member, supports=["a"], opposes=["b"])
    say(objection, carol, supports=["c"], opposes=["a"])
    say(question, other_member, supports=["a"], opposes=["c"])  # a and c attack each other

    graph = build_graph(topic)

    a, b, c, d = (claim_id(topic, text) for text in "abcd")
    assert d < a
    assert [standings(graph)[pk] for pk in (a, b, c, d)] == ["UNDECIDED"] * 3 + ["OUT"]
    assert node(graph, b)["reason"] == "Caught in a cycle of objections: «a»"
    assert node(graph, a)["reason"] == "Caught in a cycle of objections: «c»"
    assert node(graph, c)["reason"] == "Caught in a cycle of objections: «a»"


# --- merged aliases ------------------------------------------------------------------------


def test_an_aliases_tags_and_endorsements_count_for_its_target(
    thread, topic, member, other_member, carol, dave
):
    on_target = say(thread.opening_post, member, supports=["b"])
    on_alias = say(thread.opening_post, carol, supports=["b alias"])
    against_alias = say(thread.opening_post, other_member, opposes=["b alias"])
    erin = UserFactory(username="erin")
    reply = say(on_alias, erin, supports=["a"], response="agree")
    a, b, alias = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "b alias")
    endorse(alias, dave, "supports")
    assert edge_set(build_graph(topic)) == {(a, alias, "support")}

    merge(alias, b)
    graph = build_graph(topic)

    assert node_ids(graph) == {a, b}
    target = node(graph, b)
    assert target["posts"] == {
        "supports": [on_target.pk, on_alias.pk, reply.pk],
        "opposes": [against_alias.pk],
    }
    assert (target["supporters"], target["opposers"]) == (4, 1)  # alice, carol, erin, dave
    assert target["endorsements"] == {"supports": 1, "opposes": 0}
    assert graph["edges"] == [support(a, b, [reply])]
    assert graph["aliases"] == [{"id": alias, "text": "b alias", "canonical": b}]


def test_a_post_tagging_an_alias_and_its_target_alike_counts_once(question, topic, other_member):
    reply = say(question, other_member, supports=["a", "b", "b alias"])
    a, b, alias = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "b alias")
    merge(alias, b)

    graph = build_graph(topic)

    assert node(graph, b)["posts"] == {"supports": [question.pk, reply.pk], "opposes": []}
    assert (node(graph, b)["supporters"], node(graph, b)["opposers"]) == (2, 0)
    assert graph["edges"] == [support(a, b, [reply])]


def test_a_post_for_an_alias_and_against_its_target_counts_its_author_against(
    question, topic, other_member
):
    """Merging can leave one post on both sides of a claim: it is listed on both, and its
    author, whose latest word on the claim says both, counts as against; its reason supports
    and attacks the claim, as it said, and the claim does neither to itself."""
    reply = say(question, other_member, supports=["a", "b alias"], opposes=["b"])
    a, b, alias = claim_id(topic, "a"), claim_id(topic, "b"), claim_id(topic, "b alias")
    merge(alias, b)

    graph = build_graph(topic)

    assert node(graph, b)["posts"] == {"supports": [question.pk, reply.pk], "opposes": [reply.pk]}
    assert (node(graph, b)["supporters"], node(graph, b)["opposers"]) == (1, 1)
    assert graph["edges"] == [attack(a, b, [reply]), support(a, b, [reply])]  # it says both


def test_a_parent_tagging_an_alias_and_its_target_alike_is_on_one_claim(
    thread, topic, member, other_member
):
    parent = say(thread.opening_post, member, supports=["b", "b alias"])
    reply = say(parent, other_member, response="disagree")
    b, alias = claim_id(topic, "b"), claim_id(topic, "b alias")
    merge(alias, b)

    graph = build_graph(topic)

    assert node(graph, b)["posts"] == {"supports": [parent.pk], "opposes": [reply.pk]}


# --- determinism, versions and stats -------------------------------------------------------


def test_the_same_state_builds_the_same_graph(thread, topic, member, other_member, carol, dave):
    debate = sample_debate(thread, member, other_member, carol)
    endorse(debate.styles, dave, "opposes")
    endorse(debate.feasible, dave, "supports")

    first, second = build_graph(topic), build_graph(topic)

    assert first["rules"] == 2
    assert graph_document(first) == graph_document(second)
    assert json.dumps(first) == json.dumps(second)  # the same order, too


def test_the_sample_debate_has_the_expected_map(thread, topic, member, other_member, carol):
    d = sample_debate(thread, member, other_member, carol)
    p = d.posts

    graph = build_graph(topic)

    assert {(e["source"], e["target"], e["kind"]): e["evidence"] for e in graph["edges"]} == {
        (d.income, d.fair_use, "attack"): [p["income"].pk],
        (d.unproven, d.income, "attack"): [p["unproven"].pk],
        (d.styles, d.fair_use, "support"): [p["styles"].pk],
        (d.not_copyrightable, d.styles, "support"): [p["alias"].pk],
        (d.not_copyrightable, d.styles, "attack"): [p["attack_styles"].pk],
        (d.impossible, d.feasible, "attack"): [p["impossible"].pk],
        (d.feasible, d.impossible, "attack"): [p["feasible_again"].pk],
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
    assert post_ids(graph) == sorted(post.pk for post in p.values())


def test_map_build_stores_a_new_version_only_when_the_graph_changes(
    thread, topic, member, other_member, carol, dave
):
    debate = sample_debate(thread, member, other_member, carol)

    first = map_build(topic_id=topic.pk)
    again = map_build(topic_id=topic.pk)

    assert (first.built, first.version, again.version) == (True, 1, 1)
    assert ArgumentMap.objects.filter(topic=topic).count() == 1
    assert stored_graph(ArgumentMap.objects.get(topic=topic)) == build_graph(topic)

    say(debate.posts["unproven"], member, supports=["Artists lose income"], opposes=["x"])
    changed = map_build(topic_id=topic.pk)
    endorse(debate.fair_use, dave, "opposes")
    endorsed = map_build(topic_id=topic.pk)

    assert (changed.version, endorsed.version) == (2, 3)
    versions = ArgumentMap.objects.filter(topic=topic).values_list("version", flat=True)
    assert list(versions) == [3, 2, 1]
    assert not endorsed.still_dirty


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


def test_graph_stats_counts_claims_edge_kinds_standings_and_convergence(
    thread, topic, member, other_member, carol
):
    sample_debate(thread, member, other_member, carol)
    map_build(topic_id=topic.pk)
    expected = {
        "claims": 7,
        "supports": 2,
        "attacks": 5,
        "IN": 3,
        "OUT": 2,
        "UNDECIDED": 2,
        "strength_converged": True,
    }
    assert ArgumentMap.objects.get(topic=topic).stats == expected
    assert graph_stats(build_graph(topic)) == expected


def test_graph_stats_of_an_empty_map_is_all_zero_and_converged(topic):
    graph = build_graph(topic)
    assert graph["strength"]["iterations"] == 0
    assert graph_stats(graph) == {
        "claims": 0,
        "supports": 0,
        "attacks": 0,
        "IN": 0,
        "OUT": 0,
        "UNDECIDED": 0,
        "strength_converged": True,
    }
