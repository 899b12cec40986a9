"""Every export of a map is drawn from one stored ArgumentMap (map rules, version 2)."""

import json
import re
from decimal import Decimal
from xml.etree import ElementTree

from django.http import HttpResponse

from apps.forum.models import Post
from apps.maps.models import ArgumentMap, MapRelation
from apps.maps.strength import strength_word

FORMATS = {
    "json": ("application/json", "json"),
    "aif": ("application/json", "aif.json"),
    "argdown": ("text/plain; charset=utf-8", "argdown"),
    "graphml": ("application/graphml+xml", "graphml"),
    "dot": ("text/vnd.graphviz; charset=utf-8", "dot"),
}

NODE_FIELDS = ("id", "text", "standing", "reason", "posts", "supporters", "opposers",
               "endorsements", "base", "strength")  # fmt: skip
EDGE_FIELDS = ("source", "target", "kind", "weight", "share", "evidence")
# What the other four formats carry of a claim's strength, beside its grounded standing.
STRENGTH_FIELDS = ("strength", "base", "supporters", "opposers")


def export_map(argument_map: ArgumentMap, format: str) -> str:
    return EXPORTERS[format](argument_map)


def export_response(argument_map: ArgumentMap, format: str) -> HttpResponse:
    """The export as a download, for the map page's links and the API alike."""
    response = HttpResponse(export_map(argument_map, format), content_type=FORMATS[format][0])
    response["Content-Disposition"] = f'attachment; filename="{filename(argument_map, format)}"'

    return response


def filename(argument_map: ArgumentMap, format: str) -> str:
    return f"{argument_map.topic.slug}-map-v{argument_map.version}.{FORMATS[format][1]}"


def stored_graph(argument_map: ArgumentMap) -> dict:
    """The version's graph as build_graph made it: its stored document, and its edges from
    its rows, ordered by (source, target, kind)."""
    document = argument_map.graph_without_edges
    relations = MapRelation.objects.filter(argument_map=argument_map).order_by(
        "source", "target", "kind"
    )
    return {
        "rules": document["rules"],
        "nodes": document["nodes"],
        "edges": [
            dict(zip(EDGE_FIELDS, row, strict=True))
            for row in relations.values_list(
                "source", "target", "kind", "weight", "share", "evidence"
            )  # fmt: skip
        ],
        "aliases": document["aliases"],
        "strength": document["strength"],
    }


def map_posts(topic_id: int, graph: dict) -> list[dict]:
    """Each post that takes a stance on a claim of the map, in id order, with its parent and
    its author's name now (None for a deleted user)."""
    ids = sorted({pk for node in graph["nodes"] for side in node["posts"].values() for pk in side})
    known = {
        pk: {"id": pk, "parent": parent, "author": author}
        for pk, parent, author in Post.objects.filter(topic=topic_id).values_list(
            "pk", "parent_id", "author__username"
        )
    }
    return [known.get(pk, {"id": pk, "parent": None, "author": None}) for pk in ids]


def to_json(argument_map: ArgumentMap) -> str:
    """The stored graph as the API documents it; "posts" gives each evidence post's parent
    and author, so an edge can be read back to the reply that drew it."""
    graph = stored_graph(argument_map)
    document = {
        "topic": argument_map.topic.slug,
        "version": argument_map.version,
        "built_at": argument_map.built_at.isoformat(),
        "rules": graph["rules"],
        "nodes": [{key: node[key] for key in NODE_FIELDS} for node in graph["nodes"]],
        "edges": [{key: edge[key] for key in EDGE_FIELDS} for edge in graph["edges"]],
        "aliases": graph["aliases"],
        "posts": map_posts(argument_map.topic_id, graph),
        "strength": graph["strength"],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_aif(argument_map: ArgumentMap) -> str:
    """AIF JSON as OVA and AIFdb read it: the argument layer (I, RA, CA, MA) and the
    dialogue layer (an L-node per post, YA to what it asserts or disputes and to the
    relations it argues, TA from its parent)."""
    graph = stored_graph(argument_map)
    nodes, edges = [], []

    def node(node_id: str, text: str, kind: str, **extra) -> str:
        nodes.append({"nodeID": node_id, "text": text, "type": kind, "timestamp": "", **extra})
        return node_id

    def link(source: str, target: str) -> None:
        edges.append(
            {"edgeID": str(len(edges) + 1), "fromID": source, "toID": target, "formEdgeID": None}
        )

    for claim in graph["nodes"]:
        # AIF's I-node has no strength field: it rides in extra keys on the I-node, which
        # readers that take a node by nodeID, text and type pass over (arguebuf: tested).
        node(f"I{claim['id']}", claim["text"], "I", **{key: claim[key] for key in STRENGTH_FIELDS})
    schemes = {}  # edge index -> its RA or CA node, for the dialogue layer's anchors
    for index, edge in enumerate(graph["edges"], start=1):
        kind, text = (
            ("RA", "Default Inference") if edge["kind"] == "support" else ("CA", "Default Conflict")
        )
        schemes[index] = node(f"{kind}{index}", text, kind)
        link(f"I{edge['source']}", schemes[index])
        link(schemes[index], f"I{edge['target']}")
    on_map = {claim["id"] for claim in graph["nodes"]}
    for alias in graph["aliases"]:
        if alias["canonical"] not in on_map:
            continue  # its claim is not on the map: the MA edge would point at no node
        node(f"I{alias['id']}", alias["text"], "I")
        scheme = node(f"MA{alias['id']}", "Default Rephrase", "MA")
        link(f"I{alias['id']}", scheme)
        link(scheme, f"I{alias['canonical']}")
    posts = map_posts(argument_map.topic_id, graph)
    participants = _aif_dialogue(graph, posts, schemes, node, link)
    document = {
        "nodes": nodes,
        "edges": edges,
        "locutions": [
            {
                "nodeID": f"L{post['id']}",
                "personID": participants[post["author"] or ""],
                "timestamp": "",
            }
            for post in posts
        ],
        "participants": [
            {"participantID": pid, "firstname": name or "deleted user", "surname": ""}
            for name, pid in participants.items()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _aif_dialogue(graph: dict, posts: list[dict], schemes: dict[int, str], node, link) -> dict:
    """L-nodes for the map's posts, a TA from each post's parent when that post is on the
    map too, a YA to each claim the post takes a stance on, and an "Arguing" YA to each
    relation the post drew. Returns each author's participant id."""
    on_map = {post["id"] for post in posts}
    participants: dict[str, int] = {}
    for post in posts:
        participants.setdefault(post["author"] or "", len(participants) + 1)
        node(f"L{post['id']}", f"{post['author'] or 'deleted user'}: post {post['id']}", "L")
        if post["parent"] in on_map:
            transition = node(f"TA{post['id']}", "Default Transition", "TA")
            link(f"L{post['parent']}", transition)
            link(transition, f"L{post['id']}")
    for claim in graph["nodes"]:
        for stance, text in (("supports", "Asserting"), ("opposes", "Disagreeing")):
            for post_id in claim["posts"][stance]:
                anchor = node(f"YA{post_id}-{claim['id']}", text, "YA")
                link(f"L{post_id}", anchor)
                link(anchor, f"I{claim['id']}")
    for index, edge in enumerate(graph["edges"], start=1):
        for post_id in edge["evidence"]:
            anchor = node(f"YA{post_id}-{schemes[index]}", "Arguing", "YA")
            link(f"L{post_id}", anchor)
            link(anchor, schemes[index])
    return participants


def to_argdown(argument_map: ArgumentMap) -> str:
    """Statements with their incoming + (support) and - (attack) relations, and each claim's
    strength and people as the statement's YAML data; an alias shares its claim's title,
    so Argdown reads both as one equivalence class."""
    graph = stored_graph(argument_map)
    title = f"{argument_map.topic.title} — map version {argument_map.version}"
    lines = [
        "===",
        f"title: {_yaml_string(title)}",
        "===",
        "",
    ]
    incoming: dict[int, list[dict]] = {}
    for edge in graph["edges"]:
        incoming.setdefault(edge["target"], []).append(edge)
    for claim in graph["nodes"]:
        lines.append(
            f"[claim-{claim['id']}]: {_argdown_text(claim['text'])}"
            f" #{claim['standing'].lower()} {_argdown_data(claim)}"
        )
        for edge in incoming.get(claim["id"], []):
            lines.append(f"  {'+' if edge['kind'] == 'support' else '-'} [claim-{edge['source']}]")
        lines.append("")
    on_map = {claim["id"] for claim in graph["nodes"]}
    for alias in graph["aliases"]:
        if alias["canonical"] not in on_map:
            continue  # no statement for a claim that is not on the map
        lines += [f"[claim-{alias['canonical']}]: {_argdown_text(alias['text'])} #merged", ""]
    return "\n".join(lines)


# Argdown reads // and /* as comments, {…} as data, === as front matter and * _ as emphasis;
# a backslash makes each of these characters (and itself) plain text.
ARGDOWN_ESCAPED = re.compile(r"[\\/{}=*_]")


def _argdown_text(text: str) -> str:
    # Argdown gives [ ] < > # and line breaks meaning; a claim's words must stay words.
    words = " ".join(text.translate(str.maketrans("[]<>#", "()‹›♯")).split())
    return ARGDOWN_ESCAPED.sub(lambda match: "\\" + match[0], words)


def _argdown_data(claim: dict) -> str:
    # YAML in flow style, as Argdown's docs write statement data: numbers only, so nothing
    # in it can end the data element early.
    return "{" + ", ".join(f"{key}: {_plain_number(claim[key])}" for key in STRENGTH_FIELDS) + "}"


def _plain_number(value: float | int) -> str:
    # Positional, never 1e-05: DOT numerals and YAML 1.1 (PyYAML) floats have no exponent.
    return format(Decimal(repr(value)), "f")


def _yaml_string(text: str) -> str:
    # The front matter is YAML (a title like "Styles: who owns them?" needs quotes) and
    # Argdown ends it at the first "=": a double-quoted scalar, with "=" as its \x3d escape.
    return json.dumps(" ".join(text.split()), ensure_ascii=False).replace("=", "\\x3d")


GRAPHML_NODE_KEYS = [
    ("text", "string"), ("standing", "string"), ("reason", "string"),
    ("strength", "double"), ("base", "double"), ("supporters", "int"), ("opposers", "int"),
    ("endorsements_supports", "int"), ("endorsements_opposes", "int"),
]  # fmt: skip
GRAPHML_EDGE_KEYS = [("kind", "string"), ("weight", "int"), ("evidence", "string")]
GRAPHML_GRAPH_KEYS = [
    ("rules", "int"), ("semantics", "string"), ("tolerance", "double"),
    ("iterations", "int"), ("converged", "boolean"),
]  # fmt: skip


def to_graphml(argument_map: ArgumentMap) -> str:
    """Typed GraphML: strength and base as doubles, people as ints; the graph's own data
    says which semantics gave the strengths and whether they converged."""
    graph = stored_graph(argument_map)
    root = ElementTree.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    for scope, keys in (("graph", GRAPHML_GRAPH_KEYS), ("node", GRAPHML_NODE_KEYS),
                        ("edge", GRAPHML_EDGE_KEYS)):  # fmt: skip
        for name, kind in keys:
            ElementTree.SubElement(
                root, "key", {"id": name, "for": scope, "attr.name": name, "attr.type": kind}
            )
    body = ElementTree.SubElement(
        root, "graph", id=f"map-v{argument_map.version}", edgedefault="directed"
    )
    about = {"rules": graph["rules"], **graph["strength"]}
    for name, _ in GRAPHML_GRAPH_KEYS:
        ElementTree.SubElement(body, "data", key=name).text = _graphml_value(about[name])
    for claim in graph["nodes"]:
        element = ElementTree.SubElement(body, "node", id=f"claim-{claim['id']}")
        values = {
            **claim,
            "endorsements_supports": claim["endorsements"]["supports"],
            "endorsements_opposes": claim["endorsements"]["opposes"],
        }
        for name, _ in GRAPHML_NODE_KEYS:
            ElementTree.SubElement(element, "data", key=name).text = _graphml_value(values[name])
    for index, edge in enumerate(graph["edges"], start=1):
        element = ElementTree.SubElement(
            body,
            "edge",
            id=f"e{index}",
            source=f"claim-{edge['source']}",
            target=f"claim-{edge['target']}",
        )
        ElementTree.SubElement(element, "data", key="kind").text = edge["kind"]
        ElementTree.SubElement(element, "data", key="weight").text = str(edge["weight"])
        ElementTree.SubElement(element, "data", key="evidence").text = " ".join(
            str(post_id) for post_id in edge["evidence"]
        )
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )


# XML 1.0 cannot carry most control characters, and a claim's text may hold them: drop them.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _graphml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # xs:boolean, not Python's True
    return XML_ILLEGAL.sub("", str(value))


# As in the drawing (static/js/map.js): the fill says the strength, weak red through
# balanced grey to strong green (paler, for the label inside); the shape says the standing.
DOT_SHADES = ((0xF6, 0xC9, 0xC9), (0xE4, 0xE6, 0xE8), (0xC8, 0xEC, 0xD0))
DOT_SHAPES = {"IN": "ellipse", "OUT": "diamond", "UNDECIDED": "box"}


def to_dot(argument_map: ArgumentMap) -> str:
    """For Graphviz: attacks are red, dashed and end in a bar; supports are solid arrows.
    Each node carries its strength, base and people as attributes Graphviz ignores."""
    graph = stored_graph(argument_map)
    lines = [f"digraph {_dot_string(argument_map.topic.slug)} {{", "  rankdir=BT;",
             '  node [style="rounded,filled", fontname="sans-serif"];']  # fmt: skip
    for claim in graph["nodes"]:
        label = (
            f"{claim['text']}\n{strength_word(claim['strength'])} {claim['strength']:.2f}"
            f" · {claim['supporters']} for / {claim['opposers']} against · {claim['standing']}"
        )
        attributes = {
            "label": _dot_string(label),
            "shape": DOT_SHAPES[claim["standing"]],
            "fillcolor": _dot_string(_dot_shade(claim["strength"])),
            "standing": claim["standing"],
            **{key: _plain_number(claim[key]) for key in STRENGTH_FIELDS},
        }
        listed = ", ".join(f"{name}={value}" for name, value in attributes.items())
        lines.append(f"  claim{claim['id']} [{listed}];")
    for edge in graph["edges"]:
        style = (
            'color="#b02020", style=dashed, arrowhead=tee'
            if edge["kind"] == "attack"
            else "arrowhead=normal"
        )
        lines.append(
            f"  claim{edge['source']} -> claim{edge['target']}"
            f" [kind={edge['kind']}, weight={edge['weight']}, {style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_shade(strength: float) -> str:
    """The fill for a strength in [0, 1]: weak to balanced below one half, on to strong."""
    low, high, share = (
        (DOT_SHADES[0], DOT_SHADES[1], strength * 2)
        if strength < 0.5
        else (DOT_SHADES[1], DOT_SHADES[2], strength * 2 - 1)
    )
    return "#" + "".join(
        f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True)
    )


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


EXPORTERS = {
    "json": to_json,
    "aif": to_aif,
    "argdown": to_argdown,
    "graphml": to_graphml,
    "dot": to_dot,
}
