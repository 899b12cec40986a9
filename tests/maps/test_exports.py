"""Every export of a stored map, read back with a reader that is not ours: json, networkx for
GraphML, pydot for DOT, arguebuf (plus a node-by-node check) for AIF, and Argdown's own
token rules for Argdown."""

import io
import json
import logging
import re
from datetime import datetime

import arguebuf
import networkx
import pydot
import pytest
import yaml
from django.test import Client

from apps.claims.models import Claim, ClaimTag
from apps.claims.services import claim_create
from apps.forum.models import Post
from apps.maps.exports import FORMATS, export_map
from apps.maps.models import ArgumentMap
from apps.maps.services import map_build
from tests.factories import TopicFactory, UserFactory, make_thread
from tests.maps.helpers import claim_id, merge, sample_debate, say

pytestmark = [
    pytest.mark.django_db,
    # pydot's parser still calls pyparsing's camelCase names
    pytest.mark.filterwarnings("ignore:.* deprecated - use:DeprecationWarning"),
]

NODE_FIELDS = ("id", "text", "supports", "opposes", "authors", "standing", "reason")
AWKWARD = (
    'Art [sic] <b>is</b> #1 & "free" \\ see https://example.org/a /* {key: value} */'
    " a === b, 5*3 and snake_case"
)
CONTROL = "bell\x07 and\x01 escape\x1b"  # claims stored before control characters were refused


@pytest.fixture
def debate(thread, member, other_member):
    return sample_debate(thread, member, other_member, UserFactory(username="carol"))


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
    say(plain, member, supports=["control"], response="disagree")
    # Written before claims were normalized: a line break, a tab and a backslash at the end;
    # and before control characters were refused.
    Claim.objects.filter(pk=claim_id(topic, "two lines")).update(
        text='first line\nsecond\tline "quoted" \\'
    )
    Claim.objects.filter(pk=claim_id(topic, "control")).update(text=CONTROL)
    map_build(topic_id=topic.pk)
    return ArgumentMap.objects.get(topic=topic)


def expected_tags(topic) -> set[tuple[int, int, str]]:
    """(post, canonical claim, stance) of every tag on a visible post, from the tables."""
    return {
        (tag.post_id, tag.claim.merged_into_id or tag.claim_id, tag.stance)
        for tag in ClaimTag.objects.select_related("claim").filter(
            claim__topic=topic, post__state=Post.State.VISIBLE
        )
    }


# --- json ----------------------------------------------------------------------------------


def test_json_export_carries_the_stored_graph(argument_map, debate):
    document = json.loads(export_map(argument_map, "json"))
    graph = argument_map.graph

    assert document["version"] == 1
    assert document["topic"] == "ai-art"
    assert datetime.fromisoformat(document["built_at"]) == argument_map.built_at
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
    assert [
        (edge["source"], edge["target"], edge["kind"], edge["weight"]) for edge in document["edges"]
    ] == [(edge["source"], edge["target"], edge["kind"], edge["weight"]) for edge in graph["edges"]]
    assert document["aliases"] == [
        {
            "id": debate.alias,
            "text": "A style cannot be owned",
            "canonical": debate.not_copyrightable,
        }
    ]


def test_json_export_gives_each_edge_its_evidence_post_ids(argument_map, debate):
    edges = {
        (edge["source"], edge["target"], edge["kind"]): edge
        for edge in json.loads(export_map(argument_map, "json"))["edges"]
    }
    posts = debate.posts
    attack = edges[(debate.income, debate.fair_use, "attack")]
    assert attack["evidence"] == sorted([posts["income"].pk, posts["opening"].pk])
    assert attack["evidence_pairs"] == [[posts["income"].pk, posts["opening"].pk]]
    support = edges[(debate.not_copyrightable, debate.styles, "support")]
    assert support["evidence"] == sorted([posts["alias"].pk, posts["styles"].pk])
    for edge in edges.values():
        assert edge["evidence"] == sorted({pk for pair in edge["evidence_pairs"] for pk in pair})


def test_json_export_keeps_awkward_text_exactly(awkward_map, topic):
    texts = {node["text"] for node in json.loads(export_map(awkward_map, "json"))["nodes"]}
    assert texts == {AWKWARD, "Plain words", 'first line\nsecond\tline "quoted" \\', CONTROL}


# --- graphml -------------------------------------------------------------------------------


def read_graphml(text: str) -> networkx.MultiDiGraph:
    graph = networkx.read_graphml(io.BytesIO(text.encode("utf-8")))
    return networkx.MultiDiGraph(graph)


def test_graphml_export_reads_back_with_networkx(argument_map):
    graph = argument_map.graph
    read = read_graphml(export_map(argument_map, "graphml"))

    assert read.is_directed()
    assert set(read.nodes) == {f"claim-{node['id']}" for node in graph["nodes"]}
    for node in graph["nodes"]:
        assert read.nodes[f"claim-{node['id']}"] == {
            key: node[key]
            for key in ("text", "standing", "reason", "supports", "opposes", "authors")
        }
    edges = sorted(
        (source, target, data["kind"], data["weight"])
        for source, target, data in read.edges(data=True)
    )
    assert edges == sorted(
        (f"claim-{edge['source']}", f"claim-{edge['target']}", edge["kind"], edge["weight"])
        for edge in graph["edges"]
    )


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
    assert "OUT: attacked by «bell and escape», which stands" in reasons


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


def test_dot_export_reads_back_with_pydot(argument_map):
    graph = argument_map.graph
    dot = read_dot(export_map(argument_map, "dot"))

    assert dot.get_type() == "digraph"
    nodes = dot_nodes(dot)
    assert set(nodes) == {f"claim{node['id']}" for node in graph["nodes"]}
    for node in graph["nodes"]:
        attributes = nodes[f"claim{node['id']}"]
        label = dot_unquote(attributes["label"])
        assert label.split("\n")[0] == node["text"]
        assert node["standing"] in label and attributes["standing"].strip('"') == node["standing"]
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
    for node in awkward_map.graph["nodes"]:
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


def schemes(document: dict, kind: str) -> list[tuple[list[str], list[str], str]]:
    """Each node of the type: (the nodes with an edge into it, the nodes it points to, text)."""
    found = []
    for node in document["nodes"]:
        if node["type"] == kind:
            into = sorted(e["fromID"] for e in document["edges"] if e["toID"] == node["nodeID"])
            out = sorted(e["toID"] for e in document["edges"] if e["fromID"] == node["nodeID"])
            found.append((into, out, node["text"]))
    return found


def test_aif_export_has_the_argument_layer(argument_map, debate):
    graph = argument_map.graph
    document = aif_document(argument_map)
    atoms = {node["nodeID"]: node["text"] for node in document["nodes"] if node["type"] == "I"}

    assert atoms == {
        **{f"I{node['id']}": node["text"] for node in graph["nodes"]},
        f"I{debate.alias}": "A style cannot be owned",
    }
    for kind, aif_type in (("support", "RA"), ("attack", "CA")):
        assert sorted((into, out) for into, out, _ in schemes(document, aif_type)) == sorted(
            ([f"I{edge['source']}"], [f"I{edge['target']}"])
            for edge in graph["edges"]
            if edge["kind"] == kind
        )
    assert [(into, out) for into, out, _ in schemes(document, "MA")] == [
        ([f"I{debate.alias}"], [f"I{debate.not_copyrightable}"])
    ]


def test_aif_export_has_the_dialogue_layer(argument_map, debate, topic):
    document = aif_document(argument_map)
    tags = expected_tags(topic)
    tagged_posts = {post for post, _, _ in tags}
    assert tagged_posts == {post.pk for post in debate.posts.values()}
    types = {node["nodeID"]: node["type"] for node in document["nodes"]}

    assert {pk for pk, kind in types.items() if kind == "L"} == {f"L{pk}" for pk in tagged_posts}

    participants = {p["participantID"]: p["firstname"] for p in document["participants"]}
    locutions = {locution["nodeID"]: locution["personID"] for locution in document["locutions"]}
    assert set(locutions) == {f"L{pk}" for pk in tagged_posts}
    for post in Post.objects.filter(pk__in=tagged_posts).select_related("author"):
        assert participants[locutions[f"L{post.pk}"]] == post.author.username

    anchors = sorted(
        (into[0], out[0], text) for into, out, text in schemes(document, "YA") if len(into) == 1
    )
    assert len(anchors) == len(schemes(document, "YA"))
    assert anchors == sorted(
        (f"L{post}", f"I{claim}", "Asserting" if stance == "supports" else "Disagreeing")
        for post, claim, stance in tags
    )

    parents = dict(Post.objects.filter(pk__in=tagged_posts).values_list("pk", "parent_id"))
    assert sorted((into, out) for into, out, _ in schemes(document, "TA")) == sorted(
        ([f"L{parents[pk]}"], [f"L{pk}"]) for pk in tagged_posts if parents[pk] in tagged_posts
    )


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
    graph = argument_map.graph
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
    alias = claim_create(topic=topic, author=member, text="an alias of it").pk
    target = claim_id(topic, "only on a deleted post")
    Post.objects.filter(pk=gone.pk).update(state=Post.State.DELETED)
    merge(alias, target)
    map_build(topic_id=topic.pk)
    argument_map = ArgumentMap.objects.get(topic=topic)
    assert argument_map.graph["aliases"] == [
        {"id": alias, "text": "an alias of it", "canonical": target}
    ]
    assert [node["text"] for node in argument_map.graph["nodes"]] == ["on the map"]

    document = aif_document(argument_map)  # fails on an edge without both ends
    assert f"I{target}" not in {node["nodeID"] for node in document["nodes"]}
    _, blocks = argdown_blocks(export_map(argument_map, "argdown"))
    titles = {argdown_statement(block[0])[0] for block in blocks}
    assert titles == {f"claim-{claim_id(topic, 'on the map')}"}


# --- argdown -------------------------------------------------------------------------------

# The tokens of Argdown's lexer (argdown-core src/lexer.ts) that matter inside a line,
# in the order the lexer tries them.
ARGDOWN_TOKENS = [
    ("comment", r"<!--.*?-->|/\*.*?\*/|//.*$"),
    ("data", r"\{.*\}"),
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


def argdown_statement(line: str) -> tuple[str, str, list[str]]:
    """A statement line as Argdown reads it: its title, its text, and its tags. Fails if
    anything in the text turned into syntax (a comment, data, a reference, emphasis…)."""
    tokens = argdown_tokens(line)
    assert tokens[0][0] == "definition", line
    title = tokens[0][1][1:-2]
    words, tags = [], []
    for kind, image in tokens[1:]:
        if kind == "tag":
            tags.append(image.strip())
        elif kind == "escaped":
            words.append(image[1:])
        else:
            assert kind == "text", f"{kind} {image!r} in {line!r}"
            assert not tags, f"text after the tags in {line!r}"
            words.append(image)
    return title, "".join(words).strip(), tags


def argdown_blocks(text: str) -> tuple[dict, list[list[str]]]:
    assert re.match(r"===+[^=]*===+", text), "the front matter must be one Argdown token"
    _, front, body = text.split("===", 2)
    assert "===" not in body
    blocks = [block.splitlines() for block in body.strip().split("\n\n")]
    return yaml.safe_load(front), blocks


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_argdown_export_lists_every_claim_with_its_incoming_relations(argument_map, debate):
    graph = argument_map.graph
    front, blocks = argdown_blocks(export_map(argument_map, "argdown"))
    assert front == {"title": "AI art — map version 1"}

    statements = {}
    for block in blocks:
        title, text, tags = argdown_statement(block[0])
        relations = []
        for line in block[1:]:
            match = re.fullmatch(r"  ([+-]) \[(claim-\d+)\]", line)
            assert match, f"not an incoming relation: {line!r}"
            relations.append((match[1], match[2]))
        statements.setdefault(title, []).append((text, tags, sorted(relations)))

    for node in graph["nodes"]:
        incoming = sorted(
            ("+" if edge["kind"] == "support" else "-", f"claim-{edge['source']}")
            for edge in graph["edges"]
            if edge["target"] == node["id"]
        )
        assert (node["text"], [f"#{node['standing'].lower()}"], incoming) in statements[
            f"claim-{node['id']}"
        ]
    # the alias is a second statement under its target's title: one equivalence class
    assert ("A style cannot be owned", ["#merged"], []) in statements[
        f"claim-{debate.not_copyrightable}"
    ]
    assert f"claim-{debate.alias}" not in statements
    assert sum(len(found) for found in statements.values()) == len(graph["nodes"]) + 1


def test_argdown_export_keeps_claim_text_from_turning_into_syntax(awkward_map):
    nodes = {f"claim-{node['id']}": node for node in awkward_map.graph["nodes"]}
    _, blocks = argdown_blocks(export_map(awkward_map, "argdown"))
    seen = set()
    for block in blocks:
        title, text, tags = argdown_statement(block[0])
        node = nodes[title]
        assert tags == [f"#{node['standing'].lower()}"]
        assert words(text) == words(node["text"])
        assert "\n" not in text
        seen.add(title)
    assert seen == set(nodes)


def test_argdown_front_matter_survives_a_topic_title_with_yaml_syntax(member):
    topic = TopicFactory(slug="styles", title="Styles: owned? #1 [draft] = {open}")
    thread = make_thread(topic=topic, author=member)
    say(thread.opening_post, member, supports=["a claim"])
    map_build(topic_id=topic.pk)
    front, blocks = argdown_blocks(export_map(ArgumentMap.objects.get(topic=topic), "argdown"))
    assert front == {"title": "Styles: owned? #1 [draft] = {open} — map version 1"}
    assert [argdown_statement(block[0]) for block in blocks] == [
        (f"claim-{claim_id(topic, 'a claim')}", "a claim", ["#in"])
    ]


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
