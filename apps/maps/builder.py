"""Version 1 of the map rules (docs/map-rules.md): a topic's claims, tags and reply
pairs become nodes, support and attack edges, and each claim's grounded standing."""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from apps.claims.models import Claim
from apps.forum.models import Topic
from apps.maps.grounded import IN, OUT, UNDECIDED, grounded_labelling

RULES_VERSION = 1

# Every tag of a visible post, counted for its canonical claim (merges keep chains one
# hop), with what the rules need of its post. One pass over the tags: nodes, edges and the
# posts list are all aggregated from these rows in Python (see docs/map-rules.md).
TAGS_SQL = """
    SELECT tag.post_id, COALESCE(claim.merged_into_id, claim.id), tag.stance = 'supports',
           post.parent_id, post.response, post.author_id
    FROM claims_claimtag tag
    JOIN claims_claim claim ON claim.id = tag.claim_id
    JOIN forum_post post ON post.id = tag.post_id
    WHERE claim.topic_id = %(topic)s AND post.state = 'visible'
"""

AUTHORS_SQL = "SELECT id, username FROM accounts_user WHERE id = ANY(%(authors)s)"

ATTACK, SUPPORT = "attack", "support"


@dataclass(slots=True)
class TaggedPost:
    """A visible post with at least one tag: its canonical claims by stance."""

    parent: int | None
    response: str
    author: int | None
    supports: list[int]  # a few claims each: lists are lighter than sets
    opposes: list[int]


@dataclass(slots=True)
class Tally:
    """A claim's visible tags: the posts by stance, in id order, and their authors."""

    supporting: list[int] = field(default_factory=list)
    opposing: list[int] = field(default_factory=list)
    authors: set[int | None] = field(default_factory=set)


def build_graph(topic: Topic) -> dict:
    """The map of the topic as it is in the database now; the same state gives the same dict."""
    with collector_paused():
        return _build(topic)


def _build(topic: Topic) -> dict:
    posts, tallies = _tagged_posts(topic)
    claims = Claim.objects.in_topic(topic).order_by("pk")
    texts = dict(claims.active().filter(pk__in=tallies).values_list("pk", "text"))
    edges = [
        {"source": a, "target": b, "kind": kind, "weight": weight, "evidence": pairs}
        for (a, b, kind), (weight, pairs) in _edges(posts).items()
        if a in texts and b in texts
    ]
    attackers = defaultdict(list)
    for edge in edges:
        if edge["kind"] == ATTACK:
            attackers[edge["target"]].append(edge["source"])
    standings = grounded_labelling(
        list(texts), [(a, b) for b, sources in attackers.items() for a in sources]
    )
    aliases = claims.filter(status=Claim.Status.MERGED).values_list("pk", "text", "merged_into_id")
    usernames = _usernames({post.author for post in posts.values()})
    return {
        "rules": RULES_VERSION,
        "nodes": [
            _node(
                pk, text, tallies[pk], standings[pk], _reason(pk, standings, attackers[pk], texts)
            )
            for pk, text in texts.items()
        ],
        "edges": edges,
        "aliases": [{"id": pk, "text": text, "canonical": target} for pk, text, target in aliases],
        "posts": [
            {"id": pk, "parent": post.parent, "author": usernames.get(post.author)}
            for pk, post in posts.items()
        ],
    }


def _tagged_posts(topic: Topic) -> tuple[dict[int, TaggedPost], dict[int, Tally]]:
    """The topic's visible tagged posts in id order, and each tagged claim's tally."""
    posts: dict[int, TaggedPost] = {}
    tallies: dict[int, Tally] = defaultdict(Tally)
    with connection.cursor() as cursor:
        cursor.execute(TAGS_SQL, {"topic": topic.pk})
        rows = cursor.fetchall()
    for pk, claim, supports, parent, response, author in rows:
        post = posts.get(pk)
        if post is None:
            post = posts[pk] = TaggedPost(parent, response, author, [], [])
        claims = post.supports if supports else post.opposes
        if claim in claims:
            continue  # the post tags an alias and its target alike: one tag
        claims.append(claim)
        tally = tallies[claim]
        (tally.supporting if supports else tally.opposing).append(pk)
        tally.authors.add(author)
    for tally in tallies.values():
        tally.supporting.sort()
        tally.opposing.sort()
    return dict(sorted(posts.items())), tallies


def _edges(posts: dict[int, TaggedPost]) -> dict[tuple[int, int, str], tuple[int, list]]:
    """(a, b, kind) -> (weight, evidence pairs by reply id), ordered by (a, b, kind): for a
    reply P to Q, each claim a P supports and each b ≠ a Q supports, one row for each
    stance P takes on b (or one for its response if it takes none, unless neutral)."""
    evidence: dict[tuple[int, int, str], list] = defaultdict(list)
    for pk, reply in posts.items():
        parent = posts.get(reply.parent)
        if parent is None or not reply.supports or not parent.supports:
            continue  # the parent is untagged, a tombstone, or supports nothing
        pair = [pk, reply.parent]
        for b in parent.supports:
            for kind in _kinds(reply, b):
                for a in reply.supports:
                    if a != b:
                        evidence[a, b, kind].append(pair)
    return {key: (_weight(evidence[key], posts), evidence[key]) for key in sorted(evidence)}


def _kinds(reply: TaggedPost, b: int) -> tuple[str, ...]:
    """The relations a reply draws from its claims to its parent's claim b: one for each
    stance it takes on b (a disagreeing reply's support counts as attack: one attack),
    else one by its response, none if that is neutral."""
    disagrees = reply.response == "disagree"
    if b in reply.opposes:
        both_ways = b in reply.supports and not disagrees
        return (ATTACK, SUPPORT) if both_ways else (ATTACK,)
    if b in reply.supports:
        return (ATTACK if disagrees else SUPPORT,)
    if reply.response == "neutral":
        return ()
    return (ATTACK if disagrees else SUPPORT,)


def _weight(pairs: list[list[int]], posts: dict[int, TaggedPost]) -> int:
    """Distinct authors of the replies (a deleted user counts for none)."""
    return len({posts[reply].author for reply, _ in pairs} - {None})


@contextmanager
def collector_paused():
    """Pause the cycle collector: a build makes hundreds of thousands of small lists and
    dicts, and the collector would scan them all again and again (it more than doubled the
    build at 100,000 posts). What the build makes holds no cycle: refcounting frees it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _usernames(authors: set[int | None]) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(AUTHORS_SQL, {"authors": sorted(authors - {None})})
        return dict(cursor.fetchall())


def _node(pk: int, text: str, tally: Tally, standing: str, reason: str) -> dict:
    return {
        "id": pk,
        "text": text,
        "supports": len(tally.supporting),
        "opposes": len(tally.opposing),
        "authors": len(tally.authors - {None}),
        "posts": {"supports": tally.supporting, "opposes": tally.opposing},
        "standing": standing,
        "reason": reason,
    }


def _reason(pk: int, standings: dict, attackers: list[int], texts: dict) -> str:
    """Why the claim stands where it does, naming the first attacker that decides it."""
    standing = standings[pk]
    if standing == IN:
        return "IN: every attacker is out" if attackers else "IN: unattacked"
    wanted = IN if standing == OUT else UNDECIDED
    decider = min(attacker for attacker in attackers if standings[attacker] == wanted)
    which = "which stands" if standing == OUT else "which is undecided"
    return f"{standing}: attacked by «{texts[decider]}», {which}"
