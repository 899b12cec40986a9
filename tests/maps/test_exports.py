"""Every export of a stored map, read back with a reader that is not ours: json, networkx for
GraphML, pydot for DOT, arguebuf (plus a node-by-node check) for AIF, and Argdown's own
token rules for Argdown; each carries the claims' strength, base score and people."""

import io
import json
import logging
import re
from datetime import datetime
from typing import NamedTuple

import arguebuf
import networkx
import pydot
import pytest
import yaml
from django.test import Client

from apps.claims.models import Claim, ClaimTag
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.forum.models import Post
from apps.maps.exports import DOT_SHAPES, FORMATS, export_map, stored_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import map_build, store_version
from tests.factories import TopicFactory, UserFactory, make_thread
from tests.maps.helpers import claim_id, merge, sample_debate, say

pytestmark = [
    pytest.mark.django_db,
    # pydot's parser still calls pyparsing's camelCase names
    pytest.mark.filterwarnings("ignore:.* deprecated - use:DeprecationWarning"),
]

NODE_FIELDS = ("id", "text", "standing", "reason", "posts", "supporters", "opposers",
               "endorsements", "base", "strength")  # fmt: skip
# What every format carries of a claim's strength and people, with the type read back.
STRENGTH_FIELDS = {"strength": float, "base": float, "supporters": int, "opposers": int}
AWKWARD = (
    'Art [sic] <b>is</b> #1 & "free" \\ see https://example.org/a /* {key: value} */'
    " a === b, 5*3 and snake_case"
)
CONTROL = "bell\x07 and\x01 escape\x1b"  # claims stored before control characters were refused


@pytest.fixture
def debate(thread, member, other_member):
    carol = UserFactory(username="carol")
    debate = sample_debate(thread, member, other_member, carol)
    # People count without posting, once each: dave disputes fair use; carol, who posted
    # for "not copyrightable", endorses it too and still counts once.
    claims = Claim.objects.in_bulk([debate.fair_use, debate.not_copyrightable])
    dave = UserFactory(username="dave")
    endorsement_set(claim=claims[debate.fair_use], member=dave, stance="opposes")
    endorsement_set(claim=claims[debate.not_copyrightable], member=carol, stance="supports")
    return debate


@pytest.fixture
def argument_map(debate, topic) -> ArgumentMap:
    assert map_build(topic_id=topic.pk).version == 1
    return ArgumentMap.objects.get(topic=topic)


@pytest.fixture
def awkward_map(thread, topic, member, other_member) -> ArgumentMap:
    """Claim texts full of the characters each format gives meaning to."""
    question = say(thread.opening_post, member, supports=[AWKWARD])
    plain = say(question, other_member, supports=["Plain words"], opposes=[AWKWARD])
    say(question, other_member, supports=["two lines"], response="agree")
    say(plain, member, supports=["control"], opposes=["Plain words"])
    # Written before claims were normalized: a line break, a tab and a backslash at the end;
    # and before control characters were refused.
    Claim.objects.filter(pk=claim_id(topic, "two lines")).update(
        text='first line\nsecond\tline "quoted" \\'
    )
    Claim.objects.filter(pk=claim_id(topic, "control")).update(text=CONTROL)
    map_build(topic_id=topic.pk)
    return ArgumentMap.objects.get(topic=topic)


FAINT, EVEN, SURE = 1, 2, 3


@pytest.fixture
def faint_map(topic) -> ArgumentMap:
    """A stored map, written by hand, with the ends of the strength scale: a strength that
    Python prints as 1e-05, exactly one half, and 1.0; and endorsements on both sides."""

    def claim(pk, text, standing, reason, strength, supporters, opposers, endorsements):
        return {
            "id": pk, "text": text, "standing": standing, "reason": reason,
            "posts": {"supports": [10], "opposes": [11]},
            "supporters": supporters, "opposers": opposers,
            "endorsements": dict(zip(("supports", "opposes"), endorsements, strict=True)),
            "base": round((supporters + 1) / (supporters + opposers + 2), 6),
            "strength": strength,
        }  # fmt: skip

    graph = {
        "rules": 2,
        "nodes": [
            claim(FAINT, "faint", "OUT", "Has an unanswered objection: «sure»", 1e-05, 1, 100,
                  (0, 99)),
            claim(EVEN, "even", "IN", "No objection", 0.5, 1, 1, (1, 0)),
            claim(SURE, "sure", "IN", "No objection", 1.0, 40, 0, (12, 0)),
        ],
        "edges": [{"source": SURE, "target": FAINT, "kind": "attack", "weight": 1, "share": 1.0,
                   "evidence": [11]}],
        "aliases": [],
        "strength": {"semantics": "quadratic energy (Potyka 2018)", "tolerance": 1e-9,
                     "iterations": 57, "converged": True},
    }  # fmt: skip
    return store_version(topic, graph)


def expected_stances(topic, debate) -> set[tuple[int, int, str]]:
    """(post, canonical claim, stance) of every stance a visible post takes: its tags, from
    the tables, and the stance a response gives to a parent that tags exactly one claim
    (DESIGN.md, version 2, part 1)."""
    tags = {
        (tag.post_id, tag.claim.merged_into_id or tag.claim_id, tag.stance)
        for tag in ClaimTag.objects.select_related("claim").filter(
            claim__topic=topic, post__state=Post.State.VISIBLE
        )
    }
    posts = debate.posts
    answers = {
        (posts["income"].pk, debate.fair_use, "opposes"),  # disagrees with the opening post
        (posts["styles"].pk, debate.fair_use, "supports"),  # agrees with it
        (posts["alias"].pk, debate.styles, "supports"),  # agrees with "styles"
        (posts["attack_styles"].pk, debate.styles, "opposes"),  # disagrees with "styles"
    }
    assert not answers & tags, "an answer only counts where the post has no tag on the claim"
    return tags | answers


def drawn_by(debate) -> dict[tuple[int, str, int], str]:
    """(a, kind, b) -> the post of the sample debate that drew it (DESIGN.md, version 2,
    part 1: a reason of P attacks what P opposes, and supports what P backs of its parent)."""
    return {
        (debate.income, "attack", debate.fair_use): "income",
        (debate.unproven, "attack", debate.income): "unproven",
        (debate.styles, "support", debate.fair_use): "styles",
        (debate.not_copyrightable, "support", debate.styles): "alias",  # an alias's tag
        (debate.not_copyrightable, "attack", debate.styles): "attack_styles",
        (debate.impossible, "attack", debate.feasible): "impossible",
        (debate.feasible, "attack", debate.impossible): "feasible_again",
    }


def strength_fields(node: dict) -> dict:
    return {key: node[key] for key in STRENGTH_FIELDS}


def assert_typed(values: dict) -> None:
    for key, kind in STRENGTH_FIELDS.items():
        assert type(values[key]) is kind, f"{key} read back as {values[key]!r}"


def test_the_sample_debate_spreads_strength_and_people(argument_map):
    """Without this, a test below that reads back the same value for every claim would pass."""
    nodes = stored_graph(argument_map)["nodes"]
    assert len({node["strength"] for node in nodes}) >= 4
    assert len({(node["supporters"], node["opposers"]) for node in nodes}) >= 3
    assert {node["strength"] for node in nodes} != {node["base"] for node in nodes}


# --- json ----------------------------------------------------------------------------------


def test_json_export_carries_the_stored_graph(argument_map, debate):
    document = json.loads(export_map(argument_map, "json"))
    graph = stored_graph(argument_map)

    assert document["version"] == 1
    assert document["topic"] == "ai-art"
    assert datetime.fromisoformat(document["built_at"]) == argument_map.built_at
    assert document["rules"] == 2
    assert document["nodes"] == [{key: node[key] for key in NODE_FIELDS} for node in graph["nodes"]]
    assert {node["id"]: node["standing"] for node in document["nodes"]} == {
        debate.fair_use: "IN",
        debate.income: "OUT",
        debate.unproven: "IN",
        debate.styles: "OUT",
        debate.not_copyrightable: "IN",
        debate.feasible: "UNDECIDED",
        debate.impossible: "UNDECIDED",
    }
    people = {
        node["id"]: (node["supporters"], node["opposers"], node["endorsements"], node["base"])
        for node in document["nodes"]
    }
    # alice and carol for fair use, bob against by his "disagree", dave by endorsement
    assert people[debate.fair_use] == (2, 2, {"supports": 0, "opposes": 1}, 0.5)
    # alice, bob and carol: carol's endorsement does not count her twice
    assert people[debate.not_copyrightable] == (3, 0, {"supports": 1, "opposes": 0}, 0.8)
    assert document["edges"] == graph["edges"]
    assert all(set(edge) == {"source", "target", "kind", "weight", "share", "evidence"}
               for edge in document["edges"])  # fmt: skip
    assert document["aliases"] == [
        {
            "id": debate.alias,
            "text": "A style cannot be owned",
            "canonical": debate.not_copyrightable,
        }
    ]
    assert document["strength"] == graph["strength"]
    assert document["strength"]["converged"] is True


def test_json_export_gives_each_edge_the_posts_that_drew_it(argument_map, debate):
    document = json.loads(export_map(argument_map, "json"))
    posts = debate.posts

    assert {
        (edge["source"], edge["kind"], edge["target"]): edge["evidence"]
        for edge in document["edges"]
    } == {relation: [posts[role].pk] for relation, role in drawn_by(debate).items()}
    # each evidence post's parent, as the database has it, is in the export's posts list
    parents = {post["id"]: post["parent"] for post in document["posts"]}
    evidence = {pk for edge in document["edges"] for pk in edge["evidence"]}
    assert parents.keys() >= evidence
    assert {pk: parents[pk] for pk in evidence} == dict(
        Post.objects.filter(pk__in=evidence).values_list("pk", "parent_id")
    )
    assert parents[posts["alias"].pk] == posts["styles"].pk


def test_json_export_keeps_awkward_text_exactly(awkward_map, topic):
    texts = {node["text"] for node in json.loads(export_map(awkward_map, "json"))["nodes"]}
    assert texts == {AWKWARD, "Plain words", 'first line\nsecond\tline "quoted" \\', CONTROL}


# --- graphml -------------------------------------------------------------------------------


def read_graphml(text: str) -> networkx.MultiDiGraph:
    graph = networkx.read_graphml(io.BytesIO(text.encode("utf-8")))
    return networkx.MultiDiGraph(graph)


def test_graphml_export_reads_back_with_networkx(argument_map):
    graph = stored_graph(argument_map)
    read = read_graphml(export_map(argument_map, "graphml"))

    assert read.is_directed()
    assert set(read.nodes) == {f"claim-{node['id']}" for node in graph["nodes"]}
    for node in graph["nodes"]:
        data = read.nodes[f"claim-{node['id']}"]
        assert data == {
            **{key: node[key] for key in ("text", "standing", "reason")},
            **strength_fields(node),
            "endorsements_supports": node["endorsements"]["supports"],
            "endorsements_opposes": node["endorsements"]["opposes"],
        }
        assert_typed(data)
    edges = sorted(
        (source, target, data["kind"], data["weight"], data["evidence"])
        for source, target, data in read.edges(data=True)
    )
    assert edges == sorted(
        (f"claim-{edge['source']}", f"claim-{edge['target']}", edge["kind"], edge["weight"],
         " ".join(map(str, edge["evidence"])))
        for edge in graph["edges"]
    )  # fmt: skip
    # the graph's own data: which semantics gave the strengths, and whether they settled
    about = ("semantics", "tolerance", "iterations", "converged")
    assert {key: read.graph[key] for key in ("rules", *about)} == {
        "rules": 2,
        **{key: graph["strength"][key] for key in about},
    }
    # networkx also takes Python's "True"; GraphML's boolean is XML Schema's: true or false
    assert '<data key="converged">true</data>' in export_map(argument_map, "graphml")


def test_graphml_export_keeps_a_support_and_an_attack_between_the_same_claims(argument_map, debate):
    read = read_graphml(export_map(argument_map, "graphml"))
    between = read.get_edge_data(f"claim-{debate.not_copyrightable}", f"claim-{debate.styles}")
    assert sorted(data["kind"] for data in between.values()) == ["attack", "support"]


def test_graphml_export_keeps_awkward_text_and_drops_what_xml_cannot_hold(awkward_map):
    read = read_graphml(export_map(awkward_map, "graphml"))
    texts = {data["text"] for _, data in read.nodes(data=True)}
    assert texts == {
        AWKWARD,
        "Plain words",
        'first line\nsecond\tline "quoted" \\',
        "bell and escape",
    }
    reasons = {data["reason"] for _, data in read.nodes(data=True)}
    assert "Has an unanswered objection: «bell and escape»" in reasons


# --- dot -----------------------------------------------------------------------------------


def read_dot(text: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1, "pydot could not read the DOT export"
    return graphs[0]


def dot_unquote(value: str) -> str:
    """A quoted DOT string as Graphviz shows it: \\" is ", \\\\ is \\ and \\n breaks the line."""
    assert value.startswith('"') and value.endswith('"'), value
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value[1:-1], flags=re.S)


def dot_nodes(dot: pydot.Dot) -> dict[str, dict]:
    return {
        node.get_name(): node.get_attributes()
        for node in dot.get_nodes()
        if node.get_name() not in ("node", "edge", "graph")
    }


# A DOT numeral (the DOT language's grammar): no exponent, so never 1e-05.
DOT_NUMERAL = re.compile(r"-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)")


def dot_strength_fields(attributes: dict) -> dict:
    assert all(DOT_NUMERAL.fullmatch(attributes[key]) for key in STRENGTH_FIELDS), attributes
    return {key: kind(attributes[key]) for key, kind in STRENGTH_FIELDS.items()}


def test_dot_export_reads_back_with_pydot(argument_map):
    graph = stored_graph(argument_map)
    dot = read_dot(export_map(argument_map, "dot"))

    assert dot.get_type() == "digraph"
    nodes = dot_nodes(dot)
    assert set(nodes) == {f"claim{node['id']}" for node in graph["nodes"]}
    for node in graph["nodes"]:
        attributes = nodes[f"claim{node['id']}"]
        label = dot_unquote(attributes["label"])
        assert label.split("\n")[0] == node["text"]
        assert f"{node['strength']:.2f}" in label and node["standing"] in label
        assert f"{node['supporters']} for / {node['opposers']} against" in label
        assert attributes["standing"].strip('"') == node["standing"]
        assert dot_strength_fields(attributes) == strength_fields(node)
    edges = sorted(
        (
            edge.get_source(),
            edge.get_destination(),
            edge.get_attributes()["kind"],
            int(edge.get_attributes()["weight"]),
        )
        for edge in dot.get_edges()
    )
    assert edges == sorted(
        (f"claim{edge['source']}", f"claim{edge['target']}", edge["kind"], edge["weight"])
        for edge in graph["edges"]
    )


def test_dot_export_fills_by_strength_and_shapes_by_standing(faint_map):
    nodes = dot_nodes(read_dot(export_map(faint_map, "dot")))
    fills = {name: dot_unquote(attributes["fillcolor"]) for name, attributes in nodes.items()}
    # weak red, balanced grey, strong green: the drawing's scale, paler
    assert fills == {f"claim{FAINT}": "#f6c9c9", f"claim{EVEN}": "#e4e6e8",
                     f"claim{SURE}": "#c8ecd0"}  # fmt: skip
    shapes = {name: attributes["shape"] for name, attributes in nodes.items()}
    assert shapes == {f"claim{FAINT}": DOT_SHAPES["OUT"], f"claim{EVEN}": DOT_SHAPES["IN"],
                      f"claim{SURE}": DOT_SHAPES["IN"]}  # fmt: skip
    assert len(set(DOT_SHAPES.values())) == 3
    assert (
        dot_unquote(nodes[f"claim{SURE}"]["label"]) == "sure\nstrong 1.00 · 40 for / 0 against · IN"
    )


def test_dot_export_draws_attacks_differently_from_supports(argument_map):
    styles = {
        (attributes["kind"], attributes.get("style"), attributes.get("arrowhead"))
        for attributes in (
            edge.get_attributes() for edge in read_dot(export_map(argument_map, "dot")).get_edges()
        )
    }
    assert styles == {("attack", "dashed", "tee"), ("support", None, "normal")}


def test_dot_export_keeps_awkward_text(awkward_map):
    nodes = dot_nodes(read_dot(export_map(awkward_map, "dot")))
    for node in stored_graph(awkward_map)["nodes"]:
        label = dot_unquote(nodes[f"claim{node['id']}"]["label"])
        assert label.rsplit("\n", 1)[0] == node["text"]


# --- aif -----------------------------------------------------------------------------------


def aif_document(argument_map) -> dict:
    document = json.loads(export_map(argument_map, "aif"))
    ids = [node["nodeID"] for node in document["nodes"]]
    assert len(ids) == len(set(ids)), "AIF node ids repeat"
    edge_ids = [edge["edgeID"] for edge in document["edges"]]
    assert len(edge_ids) == len(set(edge_ids)), "AIF edge ids repeat"
    for edge in document["edges"]:
        assert {edge["fromID"], edge["toID"]} <= set(ids), f"dangling AIF edge {edge}"
    return document


def schemes(document: dict, kind: str, among=None) -> list[tuple[list[str], list[str], str]]:
    """Each node of the type: (the nodes with an edge into it, the nodes it points to, text),
    only neighbours of the types `among` if given."""
    types = {node["nodeID"]: node["type"] for node in document["nodes"]}

    def kept(neighbour: str) -> bool:
        return among is None or types[neighbour] in among

    found = []
    for node in document["nodes"]:
        if node["type"] == kind:
            pk, edges = node["nodeID"], document["edges"]
            into = sorted(e["fromID"] for e in edges if e["toID"] == pk and kept(e["fromID"]))
            out = sorted(e["toID"] for e in edges if e["fromID"] == pk and kept(e["toID"]))
            found.append((into, out, node["text"]))
    return found


def test_aif_export_has_the_argument_layer(argument_map, debate):
    graph = stored_graph(argument_map)
    document = aif_document(argument_map)
    atoms = {node["nodeID"]: node for node in document["nodes"] if node["type"] == "I"}

    assert {pk: atom["text"] for pk, atom in atoms.items()} == {
        **{f"I{node['id']}": node["text"] for node in graph["nodes"]},
        f"I{debate.alias}": "A style cannot be owned",
    }
    # AIF has no strength field: it rides in extra keys on each claim's I-node
    for node in graph["nodes"]:
        atom = atoms[f"I{node['id']}"]
        assert strength_fields(atom) == strength_fields(node)
        assert_typed(atom)
    assert not STRENGTH_FIELDS.keys() & atoms[f"I{debate.alias}"].keys()
    for kind, aif_type in (("support", "RA"), ("attack", "CA")):
        layer = schemes(document, aif_type, among=["I"])  # the posts' YA anchors aside
        assert sorted((into, out) for into, out, _ in layer) == sorted(
            ([f"I{edge['source']}"], [f"I{edge['target']}"])
            for edge in graph["edges"]
            if edge["kind"] == kind
        )
    assert [(into, out) for into, out, _ in schemes(document, "MA")] == [
        ([f"I{debate.alias}"], [f"I{debate.not_copyrightable}"])
    ]


def test_aif_export_has_the_dialogue_layer(argument_map, debate, topic):
    document = aif_document(argument_map)
    stances = expected_stances(topic, debate)
    stance_posts = {post for post, _, _ in stances}
    assert stance_posts == {post.pk for post in debate.posts.values()}
    types = {node["nodeID"]: node["type"] for node in document["nodes"]}

    assert {pk for pk, kind in types.items() if kind == "L"} == {f"L{pk}" for pk in stance_posts}

    participants = {p["participantID"]: p["firstname"] for p in document["participants"]}
    locutions = {locution["nodeID"]: locution["personID"] for locution in document["locutions"]}
    assert set(locutions) == {f"L{pk}" for pk in stance_posts}
    for post in Post.objects.filter(pk__in=stance_posts).select_related("author"):
        assert participants[locutions[f"L{post.pk}"]] == post.author.username

    anchors = schemes(document, "YA")
    assert all(len(into) == len(out) == 1 for into, out, _ in anchors)
    assert sorted(
        (into[0], out[0], text) for into, out, text in anchors if types[out[0]] == "I"
    ) == sorted(
        (f"L{post}", f"I{claim}", "Asserting" if stance == "supports" else "Disagreeing")
        for post, claim, stance in stances
    )
    # each relation is anchored in the post that drew it, by an "Arguing" YA
    relations = {
        scheme["nodeID"]: (
            next(e["fromID"] for e in document["edges"]
                 if e["toID"] == scheme["nodeID"] and types[e["fromID"]] == "I"),
            {"RA": "support", "CA": "attack"}[scheme["type"]],
            next(e["toID"] for e in document["edges"] if e["fromID"] == scheme["nodeID"]),
        )
        for scheme in document["nodes"]
        if scheme["type"] in ("RA", "CA")
    }  # fmt: skip
    assert sorted(
        (into[0], *relations[out[0]], text) for into, out, text in anchors if out[0] in relations
    ) == sorted(
        (f"L{debate.posts[role].pk}", f"I{a}", kind, f"I{b}", "Arguing")
        for (a, kind, b), role in drawn_by(debate).items()
    )

    parents = dict(Post.objects.filter(pk__in=stance_posts).values_list("pk", "parent_id"))
    assert sorted((into, out) for into, out, _ in schemes(document, "TA")) == sorted(
        ([f"L{parents[pk]}"], [f"L{pk}"]) for pk in stance_posts if parents[pk] in stance_posts
    )


def test_aif_export_gives_a_reply_whose_only_stance_is_its_response_a_locution(
    thread, topic, member, other_member
):
    question = say(thread.opening_post, member, supports=["one claim"])
    answer = say(question, other_member, response="disagree")  # no tag: its response says it
    map_build(topic_id=topic.pk)
    document = aif_document(ArgumentMap.objects.get(topic=topic))

    assert ([f"L{answer.pk}"], [f"I{claim_id(topic, 'one claim')}"], "Disagreeing") in schemes(
        document, "YA"
    )
    assert ([f"L{question.pk}"], [f"L{answer.pk}"], "Default Transition") in schemes(document, "TA")


def test_aif_export_loads_in_arguebuf(argument_map, debate, tmp_path, caplog):
    path = tmp_path / "map.json"
    path.write_text(export_map(argument_map, "aif"), encoding="utf-8")
    dialogue = {
        node["nodeID"]
        for node in json.loads(path.read_text())["nodes"]
        if node["type"] in ("L", "YA", "TA")
    }

    with caplog.at_level(logging.WARNING, logger="arguebuf"):
        loaded = arguebuf.load.file(path)

    # arguebuf keeps the argument layer and skips only edges that touch the dialogue layer
    for record in caplog.records:
        named = set(re.findall(r"'([^']*)'", record.getMessage()))
        assert named & dialogue, record.getMessage()
    graph = stored_graph(argument_map)
    assert set(loaded.atom_nodes) == {f"I{node['id']}" for node in graph["nodes"]} | {
        f"I{debate.alias}"
    }
    relations = sorted(
        (
            [atom.id for atom in loaded.incoming_atom_nodes(scheme)],
            type(scheme.scheme).__name__,
            [atom.id for atom in loaded.outgoing_atom_nodes(scheme)],
        )
        for scheme in loaded.scheme_nodes.values()
    )
    assert relations == sorted(
        [
            (
                [f"I{edge['source']}"],
                "Support" if edge["kind"] == "support" else "Attack",
                [f"I{edge['target']}"],
            )
            for edge in graph["edges"]
        ]
        + [([f"I{debate.alias}"], "Rephrase", [f"I{debate.not_copyrightable}"])]
    )
    assert {loaded.atom_nodes[f"I{node['id']}"].plain_text for node in graph["nodes"]} == {
        node["text"] for node in graph["nodes"]
    }


def test_an_alias_whose_claim_is_off_the_map_leaves_no_dangling_aif_edge_or_argdown_statement(
    thread, topic, member
):
    on_map = say(thread.opening_post, member, supports=["on the map"])
    gone = say(on_map, member, supports=["only on a deleted post"])
    alias = claim_create(topic=topic, author=member, text="an alias of it")[0].pk
    target = claim_id(topic, "only on a deleted post")
    Post.objects.filter(pk=gone.pk).update(state=Post.State.DELETED)
    merge(alias, target)
    map_build(topic_id=topic.pk)
    argument_map = ArgumentMap.objects.get(topic=topic)
    assert stored_graph(argument_map)["aliases"] == [
        {"id": alias, "text": "an alias of it", "canonical": target}
    ]
    assert [node["text"] for node in stored_graph(argument_map)["nodes"]] == ["on the map"]

    document = aif_document(argument_map)  # fails on an edge without both ends
    assert f"I{target}" not in {node["nodeID"] for node in document["nodes"]}
    _, blocks = argdown_blocks(export_map(argument_map, "argdown"))
    titles = {argdown_statement(block[0]).title for block in blocks}
    assert titles == {f"claim-{claim_id(topic, 'on the map')}"}


# --- argdown -------------------------------------------------------------------------------

# Argdown's Data token: it may span lines, up to a } that is followed by something else.
ARGDOWN_DATA = r"\{(?:(?!\}\s[^,}])(?:.|\n))*\}(?!\s*[,}])"
# The tokens of Argdown's lexer (argdown-core src/lexer.ts) that matter inside a line,
# in the order the lexer tries them.
ARGDOWN_TOKENS = [
    ("comment", r"<!--.*?-->|/\*.*?\*/|//.*$"),
    ("data", ARGDOWN_DATA),
    ("escaped", r"\\.(?: )*"),
    ("link", r"\[[^\]]+?\]\([^\)]+?\)[ \t]?"),
    ("tag", r"#(?:\([^\)]+\)|[a-zA-z0-9\-\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]+)[ \t]?"),
    ("definition", r"\[.+?\]:"),
    ("reference", r"\[.+?\]"),
    ("mention", r"@\[.+?\][ \t]?"),
    ("argument", r"@?<.+?>:?"),
    ("emphasis", r"\*\*(?!\s)|__(?!\s)|\*(?!\s)|_(?!\s)"),
    ("text", r"[^\\@#*_\[\],:;</>\-\r\n(){}]+|[@#*_\[\],:;</>\-(){}][ \t]?"),
]
ARGDOWN_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in ARGDOWN_TOKENS))


def argdown_tokens(line: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(line):
        match = ARGDOWN_TOKEN.match(line, position)
        assert match, f"no Argdown token at {line[position:]!r}"
        tokens.append((match.lastgroup, match[0]))
        position = match.end()
    return tokens


class Statement(NamedTuple):
    title: str
    text: str
    tags: list[str]
    data: dict | None


def argdown_statement(line: str) -> Statement:
    """A statement line as Argdown reads it: its title, its text, its tags and its YAML data
    (js-yaml there; PyYAML here). Fails if anything in the text turned into syntax (a
    comment, data, a reference, emphasis…) or if the data is not the line's end."""
    tokens = argdown_tokens(line)
    assert tokens[0][0] == "definition", line
    title = tokens[0][1][1:-2]
    words, tags, data = [], [], None
    for kind, image in tokens[1:]:
        assert data is None, f"{kind} {image!r} after the data in {line!r}"
        if kind == "tag":
            tags.append(image.strip())
        elif kind == "data":
            data = yaml.safe_load(image)
        elif kind == "escaped":
            words.append(image[1:])
        else:
            assert kind == "text", f"{kind} {image!r} in {line!r}"
            assert not tags, f"text after the tags in {line!r}"
            words.append(image)
    return Statement(title, "".join(words).strip(), tags, data)


def argdown_blocks(text: str) -> tuple[dict, list[list[str]]]:
    assert re.match(r"===+[^=]*===+", text), "the front matter must be one Argdown token"
    _, front, body = text.split("===", 2)
    assert "===" not in body
    blocks = [block.splitlines() for block in body.strip().split("\n\n")]
    return yaml.safe_load(front), blocks


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_argdown_export_lists_every_claim_with_its_incoming_relations(argument_map, debate):
    graph = stored_graph(argument_map)
    front, blocks = argdown_blocks(export_map(argument_map, "argdown"))
    assert front == {"title": "AI art — map version 1"}

    statements = {}
    for block in blocks:
        statement = argdown_statement(block[0])
        relations = []
        for line in block[1:]:
            match = re.fullmatch(r"  ([+-]) \[(claim-\d+)\]", line)
            assert match, f"not an incoming relation: {line!r}"
            relations.append((match[1], match[2]))
        statements.setdefault(statement.title, []).append(
            (statement.text, statement.tags, statement.data, sorted(relations))
        )

    for node in graph["nodes"]:
        incoming = sorted(
            ("+" if edge["kind"] == "support" else "-", f"claim-{edge['source']}")
            for edge in graph["edges"]
            if edge["target"] == node["id"]
        )
        tags = [f"#{node['standing'].lower()}"]
        assert (node["text"], tags, strength_fields(node), incoming) in statements[
            f"claim-{node['id']}"
        ]
    # the alias is a second statement under its target's title: one equivalence class
    assert ("A style cannot be owned", ["#merged"], None, []) in statements[
        f"claim-{debate.not_copyrightable}"
    ]
    assert f"claim-{debate.alias}" not in statements
    assert sum(len(found) for found in statements.values()) == len(graph["nodes"]) + 1


def test_argdown_export_gives_each_statement_its_strength_as_yaml_data(argument_map):
    nodes = {f"claim-{node['id']}": node for node in stored_graph(argument_map)["nodes"]}
    text = export_map(argument_map, "argdown")
    _, blocks = argdown_blocks(text)
    # read over the whole document, as the lexer does, each data element ends its line
    starts = [match.start() for match in re.finditer(r" \{strength", text)]
    assert len(starts) == len(nodes)
    for start in starts:
        assert text[re.compile(ARGDOWN_DATA).match(text, start + 1).end()] == "\n"
    data = {
        statement.title: statement.data
        for statement in (argdown_statement(block[0]) for block in blocks)
        if statement.data is not None
    }
    assert data == {title: strength_fields(node) for title, node in nodes.items()}
    for values in data.values():
        assert_typed(values)


def test_argdown_export_keeps_claim_text_from_turning_into_syntax(awkward_map):
    nodes = {f"claim-{node['id']}": node for node in stored_graph(awkward_map)["nodes"]}
    _, blocks = argdown_blocks(export_map(awkward_map, "argdown"))
    seen = set()
    for block in blocks:
        title, text, tags, data = argdown_statement(block[0])
        node = nodes[title]
        assert tags == [f"#{node['standing'].lower()}"]
        assert data == strength_fields(node)
        assert words(text) == words(node["text"])
        assert "\n" not in text
        seen.add(title)
    assert seen == set(nodes)


def test_argdown_front_matter_survives_a_topic_title_with_yaml_syntax(member):
    topic = TopicFactory(slug="styles", title="Styles: owned? #1 [draft] = {open}")
    thread = make_thread(topic=topic, author=member)
    say(thread.opening_post, member, supports=["a claim"])
    map_build(topic_id=topic.pk)
    argument_map = ArgumentMap.objects.get(topic=topic)
    front, blocks = argdown_blocks(export_map(argument_map, "argdown"))
    assert front == {"title": "Styles: owned? #1 [draft] = {open} — map version 1"}
    [node] = stored_graph(argument_map)["nodes"]
    assert [argdown_statement(block[0]) for block in blocks] == [
        (f"claim-{claim_id(topic, 'a claim')}", "a claim", ["#in"], strength_fields(node))
    ]


# --- every format at the ends of the strength scale ----------------------------------------


def test_every_format_reads_back_a_tiny_strength_as_the_number_it_is(faint_map):
    """1e-05 is how Python prints the strength: DOT has no exponent in its numerals and
    PyYAML (YAML 1.1) reads 1e-05 as a string; every reader must get the number back."""
    faint = stored_graph(faint_map)["nodes"][0]
    expected = strength_fields(faint)
    assert expected["strength"] == 1e-05

    [node] = [n for n in json.loads(export_map(faint_map, "json"))["nodes"] if n["id"] == FAINT]
    assert strength_fields(node) == expected
    read = read_graphml(export_map(faint_map, "graphml")).nodes[f"claim-{FAINT}"]
    assert strength_fields(read) == expected
    assert (read["endorsements_supports"], read["endorsements_opposes"]) == (0, 99)
    dot = dot_nodes(read_dot(export_map(faint_map, "dot")))[f"claim{FAINT}"]
    assert dot_strength_fields(dot) == expected
    [atom] = [n for n in aif_document(faint_map)["nodes"] if n["nodeID"] == f"I{FAINT}"]
    assert strength_fields(atom) == expected
    _, blocks = argdown_blocks(export_map(faint_map, "argdown"))
    [statement] = [s for s in map(argdown_statement, (b[0] for b in blocks)) if s.text == "faint"]
    assert statement.data == expected
    assert_typed(statement.data)


# --- download view and API -----------------------------------------------------------------


@pytest.mark.parametrize("format", list(FORMATS))
def test_the_download_view_and_the_api_serve_the_same_export(argument_map, format):
    view = Client().get(f"/topics/ai-art/map/export/{format}/")
    api = Client().get(f"/api/topics/ai-art/map/?format={format}")

    assert view.status_code == api.status_code == 200
    assert view.content == api.content == export_map(argument_map, format).encode("utf-8")
    content_type, extension = FORMATS[format]
    assert view["Content-Type"] == api["Content-Type"] == content_type
    disposition = f'attachment; filename="ai-art-map-v1.{extension}"'
    assert view["Content-Disposition"] == api["Content-Disposition"] == disposition


def test_the_api_serves_json_by_default(argument_map):
    response = Client().get("/api/topics/ai-art/map/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["version"] == 1


def test_the_latest_version_is_served(argument_map, debate, topic, member):
    say(debate.posts["unproven"], member, supports=["A new claim"], response="agree")
    assert map_build(topic_id=topic.pk).version == 2
    response = Client().get("/topics/ai-art/map/export/json/")
    assert json.loads(response.content)["version"] == 2
    assert response["Content-Disposition"] == 'attachment; filename="ai-art-map-v2.json"'


def test_an_unknown_format_is_404_on_the_page_and_400_in_the_api(argument_map):
    assert Client().get("/topics/ai-art/map/export/pdf/").status_code == 404
    response = Client().get("/api/topics/ai-art/map/?format=pdf")
    assert response.status_code == 400
    assert "format" in response.json()


@pytest.mark.parametrize("format", ["json", "dot"])
def test_a_topic_without_a_map_is_404(topic, format):
    assert Client().get(f"/topics/{topic.slug}/map/export/{format}/").status_code == 404
    assert Client().get(f"/api/topics/{topic.slug}/map/?format={format}").status_code == 404


def test_an_unknown_topic_is_404(db):
    assert Client().get("/topics/nowhere/map/export/json/").status_code == 404
    assert Client().get("/api/topics/nowhere/map/").status_code == 404
