"""Every export of a map is drawn from one stored ArgumentMap."""

import json
import re
from xml.etree import ElementTree

from apps.maps.models import ArgumentMap

FORMATS = {
    "json": ("application/json", "json"),
    "aif": ("application/json", "aif.json"),
    "argdown": ("text/plain; charset=utf-8", "argdown"),
    "graphml": ("application/graphml+xml", "graphml"),
    "dot": ("text/vnd.graphviz; charset=utf-8", "dot"),
}


def export_map(argument_map: ArgumentMap, format: str) -> str:
    return EXPORTERS[format](argument_map)


def filename(argument_map: ArgumentMap, format: str) -> str:
    return f"{argument_map.topic.slug}-map-v{argument_map.version}.{FORMATS[format][1]}"


def to_json(argument_map: ArgumentMap) -> str:
    graph = argument_map.graph
    document = {
        "topic": argument_map.topic.slug,
        "version": argument_map.version,
        "built_at": argument_map.built_at.isoformat(),
        "nodes": [
            {
                key: node[key]
                for key in ("id", "text", "supports", "opposes", "authors", "standing", "reason")
            }
            for node in graph["nodes"]
        ],
        "edges": [
            {
                "source": edge["source"],
                "target": edge["target"],
                "kind": edge["kind"],
                "weight": edge["weight"],
                "evidence": sorted({pk for pair in edge["evidence"] for pk in pair}),
                "evidence_pairs": edge["evidence"],
            }
            for edge in graph["edges"]
        ],
        "aliases": graph["aliases"],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_aif(argument_map: ArgumentMap) -> str:
    """AIF JSON as OVA and AIFdb read it: the argument layer (I, RA, CA, MA) and the
    dialogue layer (an L-node per tagged post, YA to what it asserts, TA to its parent)."""
    graph = argument_map.graph
    nodes, edges = [], []

    def node(node_id: str, text: str, kind: str) -> str:
        nodes.append({"nodeID": node_id, "text": text, "type": kind, "timestamp": ""})
        return node_id

    def link(source: str, target: str) -> None:
        edges.append(
            {"edgeID": str(len(edges) + 1), "fromID": source, "toID": target, "formEdgeID": None}
        )

    for claim in graph["nodes"]:
        node(f"I{claim['id']}", claim["text"], "I")
    for index, edge in enumerate(graph["edges"], start=1):
        kind, text = (
            ("RA", "Default Inference") if edge["kind"] == "support" else ("CA", "Default Conflict")
        )
        scheme = node(f"{kind}{index}", text, kind)
        link(f"I{edge['source']}", scheme)
        link(scheme, f"I{edge['target']}")
    on_map = {claim["id"] for claim in graph["nodes"]}
    for alias in graph["aliases"]:
        if alias["canonical"] not in on_map:
            continue  # its claim is not on the map: the MA edge would point at no node
        node(f"I{alias['id']}", alias["text"], "I")
        scheme = node(f"MA{alias['id']}", "Default Rephrase", "MA")
        link(f"I{alias['id']}", scheme)
        link(scheme, f"I{alias['canonical']}")
    participants = _aif_dialogue(graph, node, link)
    document = {
        "nodes": nodes,
        "edges": edges,
        "locutions": [
            {
                "nodeID": f"L{post['id']}",
                "personID": participants[post["author"] or ""],
                "timestamp": "",
            }
            for post in graph["posts"]
        ],
        "participants": [
            {"participantID": pid, "firstname": name or "deleted user", "surname": ""}
            for name, pid in participants.items()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _aif_dialogue(graph: dict, node, link) -> dict[str, int]:
    posts = {post["id"]: post for post in graph["posts"]}
    participants: dict[str, int] = {}
    for post in graph["posts"]:
        participants.setdefault(post["author"] or "", len(participants) + 1)
        node(f"L{post['id']}", f"{post['author'] or 'deleted user'}: post {post['id']}", "L")
        if post["parent"] in posts:
            transition = node(f"TA{post['id']}", "Default Transition", "TA")
            link(f"L{post['parent']}", transition)
            link(transition, f"L{post['id']}")
    for claim in graph["nodes"]:
        for stance, text in (("supports", "Asserting"), ("opposes", "Disagreeing")):
            for post_id in claim["posts"][stance]:
                anchor = node(f"YA{post_id}-{claim['id']}", text, "YA")
                link(f"L{post_id}", anchor)
                link(anchor, f"I{claim['id']}")
    return participants


def to_argdown(argument_map: ArgumentMap) -> str:
    """Statements with their incoming + (support) and - (attack) relations; an alias shares
    its claim's title, so Argdown reads both as one equivalence class."""
    graph = argument_map.graph
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
            f"[claim-{claim['id']}]: {_argdown_text(claim['text'])} #{claim['standing'].lower()}"
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


def _yaml_string(text: str) -> str:
    # The front matter is YAML (a title like "Styles: who owns them?" needs quotes) and
    # Argdown ends it at the first "=": a double-quoted scalar, with "=" as its \x3d escape.
    return json.dumps(" ".join(text.split()), ensure_ascii=False).replace("=", "\\x3d")


def to_graphml(argument_map: ArgumentMap) -> str:
    graph = argument_map.graph
    root = ElementTree.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    node_keys = [("text", "string"), ("standing", "string"), ("reason", "string"),
                 ("supports", "int"), ("opposes", "int"), ("authors", "int")]  # fmt: skip
    for name, kind in node_keys:
        ElementTree.SubElement(
            root, "key", {"id": name, "for": "node", "attr.name": name, "attr.type": kind}
        )
    for name, kind in [("kind", "string"), ("weight", "int"), ("evidence", "string")]:
        ElementTree.SubElement(
            root, "key", {"id": name, "for": "edge", "attr.name": name, "attr.type": kind}
        )
    body = ElementTree.SubElement(
        root, "graph", id=f"map-v{argument_map.version}", edgedefault="directed"
    )
    for claim in graph["nodes"]:
        element = ElementTree.SubElement(body, "node", id=f"claim-{claim['id']}")
        for name, _ in node_keys:
            ElementTree.SubElement(element, "data", key=name).text = _xml_text(claim[name])
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
            f"{reply}>{parent}" for reply, parent in edge["evidence"]
        )
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )


# XML 1.0 cannot carry most control characters, and a claim's text may hold them: drop them.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value) -> str:
    return XML_ILLEGAL.sub("", str(value))


DOT_COLOURS = {"IN": "#c8ecd0", "OUT": "#f6c9c9", "UNDECIDED": "#f3e6b5"}


def to_dot(argument_map: ArgumentMap) -> str:
    """For Graphviz: attacks are red, dashed and end in a bar; supports are solid arrows."""
    graph = argument_map.graph
    lines = [f"digraph {_dot_string(argument_map.topic.slug)} {{", "  rankdir=BT;",
             '  node [shape=box, style="rounded,filled", fontname="sans-serif"];']  # fmt: skip
    for claim in graph["nodes"]:
        label = f"{claim['text']}\n{claim['standing']} · +{claim['supports']} / −{claim['opposes']}"
        colour = DOT_COLOURS[claim["standing"]]
        lines.append(
            f'  claim{claim["id"]} [label={_dot_string(label)}, fillcolor="{colour}",'
            f" standing={claim['standing']}];"
        )
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


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


EXPORTERS = {
    "json": to_json,
    "aif": to_aif,
    "argdown": to_argdown,
    "graphml": to_graphml,
    "dot": to_dot,
}
