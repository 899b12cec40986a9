"""Version 2 of the map rules (docs/map-rules.md): relations from what one author said in
one post, people counted once each, and each claim's strength beside its grounded standing."""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from apps.claims.models import Claim
from apps.forum.models import Topic
from apps.maps.grounded import IN, OUT, grounded_labelling
from apps.maps.strength import MAX_ITERATIONS, SEMANTICS, TOLERANCE, claim_strengths

RULES_VERSION = 2
DECIMALS = 6  # base and strength are rounded so that the same state gives the same bytes

# A post's response as True (agrees), False (disagrees) or None (neutral): no string a row.
AGREES = "CASE post.response WHEN 'agree' THEN true WHEN 'disagree' THEN false END"

# Every tag of a visible post, counted for its canonical claim (merges keep chains one
# hop), with what the rules need of its post. One pass over the tags: nodes, edges and the
# posts list are all aggregated from these rows in Python (see docs/map-rules.md).
TAGS_SQL = f"""
    SELECT tag.post_id, COALESCE(claim.merged_into_id, claim.id), tag.stance = 'supports',
           post.parent_id, {AGREES}, post.author_id
    FROM claims_claimtag tag
    JOIN claims_claim claim ON claim.id = tag.claim_id
    JOIN forum_post post ON post.id = tag.post_id
    WHERE claim.topic_id = %(topic)s AND post.state = 'visible'
"""

# Visible untagged replies that agree or disagree with a visible tagged post: the ones
# whose response may give them a stance (an answer to a post that tags exactly one claim).
ANSWERS_SQL = f"""
    SELECT post.id, post.parent_id, {AGREES}, post.author_id
    FROM forum_post post
    JOIN forum_thread thread ON thread.id = post.thread_id
    WHERE thread.topic_id = %(topic)s AND post.state = 'visible' AND post.response <> 'neutral'
      AND NOT EXISTS (SELECT 1 FROM claims_claimtag own WHERE own.post_id = post.id)
      AND EXISTS (
          SELECT 1 FROM claims_claimtag tag JOIN forum_post parent ON parent.id = tag.post_id
          WHERE tag.post_id = post.parent_id AND parent.state = 'visible'
      )
"""

ENDORSEMENTS_SQL = """
    SELECT COALESCE(claim.merged_into_id, claim.id), endorsement.user_id,
           endorsement.stance = 'supports'
    FROM claims_endorsement endorsement
    JOIN claims_claim claim ON claim.id = endorsement.claim_id
    WHERE claim.topic_id = %(topic)s
"""

AUTHORS_SQL = "SELECT id, username FROM accounts_user WHERE id = ANY(%(authors)s)"

ATTACK, SUPPORT = "attack", "support"


@dataclass(slots=True)
class StancePost:
    """A visible post that takes a stance on at least one claim: its canonical claims by
    stance, its own tags first, then the one its response gives (docs/map-rules.md)."""

    parent: int | None
    agrees: bool | None  # its response: None when neutral
    author: int | None
    supports: list[int] = field(default_factory=list)  # a few claims: lighter than sets
    opposes: list[int] = field(default_factory=list)

    def takes(self, claim: int) -> bool:
        return claim in self.supports or claim in self.opposes


@dataclass(slots=True)
class Tally:
    """A claim's stances: the posts by stance, and each person's side."""

    supporting: list[int] = field(default_factory=list)
    opposing: list[int] = field(default_factory=list)
    posted: dict[int, bool] = field(default_factory=dict)  # author: supports, by latest post
    endorsed: dict[int, bool] = field(default_factory=dict)  # member: supports?

    def sides(self) -> tuple[int, int]:
        """(supporters, opposers): a person counts once, by their endorsement if they gave
        one, else by the stance of their latest visible post on the claim."""
        side = self.posted | self.endorsed
        supporters = sum(side.values())
        return supporters, len(side) - supporters


def build_graph(topic: Topic) -> dict:
    """The map of the topic as it is in the database now; the same state gives the same dict."""
    with collector_paused():
        return _build(topic)


def _build(topic: Topic) -> dict:
    posts = _stance_posts(topic)
    tallies = _tallies(posts)
    _add_endorsements(topic, tallies)
    claims = Claim.objects.in_topic(topic).order_by("pk")
    texts = dict(claims.active().filter(pk__in=tallies).values_list("pk", "text"))
    edges = _edges(posts, texts.keys())
    nodes, strength = _nodes(texts, tallies, edges)
    aliases = claims.filter(status=Claim.Status.MERGED).values_list("pk", "text", "merged_into_id")
    usernames = _usernames({post.author for post in posts.values()})
    return {
        "rules": RULES_VERSION,
        "nodes": nodes,
        "edges": edges,
        "aliases": [{"id": pk, "text": text, "canonical": target} for pk, text, target in aliases],
        "posts": [
            {"id": pk, "parent": post.parent, "author": usernames.get(post.author)}
            for pk, post in posts.items()
        ],
        "strength": strength,
    }


def _stance_posts(topic: Topic) -> dict[int, StancePost]:
    """The topic's visible posts that take a stance, in id order: their own tags, then the
    stance a response gives when the parent tags exactly one claim the post does not."""
    posts: dict[int, StancePost] = {}
    with connection.cursor() as cursor:
        cursor.execute(TAGS_SQL, {"topic": topic.pk})
        for pk, claim, supports, parent, agrees, author in cursor.fetchall():
            post = posts.get(pk)
            if post is None:
                post = posts[pk] = StancePost(parent, agrees, author)
            claims = post.supports if supports else post.opposes
            if claim not in claims:  # the post tags an alias and its target alike: one tag
                claims.append(claim)
        cursor.execute(ANSWERS_SQL, {"topic": topic.pk})
        answers = [(pk, StancePost(*row)) for pk, *row in cursor.fetchall()]
    given = [  # all read from the parents' own tags before any is added
        (pk, post, _given_stance(post, posts[post.parent]))
        for pk, post in [*posts.items(), *answers]
        if post.agrees is not None and post.parent in posts
    ]
    for pk, post, stance in given:
        if stance is not None:
            claim, supports = stance
            (post.supports if supports else post.opposes).append(claim)
            posts[pk] = post
    return dict(sorted(posts.items()))


def _given_stance(post: StancePost, parent: StancePost) -> tuple[int, bool] | None:
    """(claim, supports?) that the post's response gives it: when the parent's own tags are
    on exactly one claim, one way, and the post does not tag that claim itself."""
    if len(parent.supports) + len(parent.opposes) != 1:
        return None
    claim, parent_supports = (
        (parent.supports[0], True) if parent.supports else (parent.opposes[0], False)
    )
    if post.takes(claim):
        return None
    return claim, post.agrees == parent_supports


def _tallies(posts: dict[int, StancePost]) -> dict[int, Tally]:
    tallies: dict[int, Tally] = defaultdict(Tally)
    for pk, post in posts.items():  # id order: each author's latest post comes last
        for claims, supports in ((post.supports, True), (post.opposes, False)):
            for claim in claims:
                tally = tallies[claim]
                (tally.supporting if supports else tally.opposing).append(pk)
                if post.author is not None:  # a deleted user counts for no one
                    tally.posted[post.author] = supports
    return tallies


def _add_endorsements(topic: Topic, tallies: dict[int, Tally]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(ENDORSEMENTS_SQL, {"topic": topic.pk})
        for claim, member, supports in cursor.fetchall():
            tallies[claim].endorsed[member] = supports


def _edges(posts: dict[int, StancePost], on_map) -> list[dict]:
    """The relations between claims on the map, ordered by (source, target, kind), each with
    the posts that drew it in id order. A post's reasons are the claims it supports on which
    its parent takes no stance; each reason attacks every claim the post opposes, and
    supports every other claim the post supports that its parent takes a stance on."""
    evidence: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    people: dict[tuple[int, int, str], dict] = defaultdict(dict)  # author: largest share
    for pk, post in posts.items():  # id order: each relation's evidence in id order
        parent = posts.get(post.parent)
        reasons, answered = [], []  # answered: the claims it supports that its parent takes
        for claim in post.supports:
            if parent and parent.takes(claim):
                answered.append(claim)
            elif claim in on_map:
                reasons.append(claim)
        if not reasons:
            continue
        author = post.author
        for targets, kind in ((post.opposes, ATTACK), (answered, SUPPORT)):
            for b in targets:
                drawing = [a for a in reasons if a != b] if b in on_map else ()
                share = 1 / len(drawing) if drawing else 0.0  # k reasons: 1/k of a say each
                for a in drawing:
                    key = (a, b, kind)
                    evidence[key].append(pk)
                    shares = people[key]
                    if share > shares.get(author, 0.0):
                        shares[author] = share
    return [_edge(key, evidence[key], people[key]) for key in sorted(evidence)]


def _edge(key: tuple[int, int, str], evidence: list[int], people: dict) -> dict:
    """Its weight, the distinct authors of its posts (a deleted user, None, is nobody), and
    its share, the people's largest shares added up to at most 1: one post with three
    reasons against a claim weighs as one objection, while two people behind one reason
    weigh as fully as it can (docs/map-rules.md)."""
    source, target, kind = key
    return {
        "source": source, "target": target, "kind": kind,
        "weight": len(people) - (None in people),
        "share": round(min(1.0, sum(people.values())), DECIMALS),
        "evidence": evidence,
    }  # fmt: skip


def _nodes(
    texts: dict[int, str], tallies: dict[int, Tally], edges: list[dict]
) -> tuple[list[dict], dict]:
    """Each claim's node with its people, base score, strength and grounded standing, in id
    order; and how the strength was computed."""
    ids = list(texts)
    place = {pk: index for index, pk in enumerate(ids)}
    sides = [tallies[pk].sides() for pk in ids]
    base = [(supporters + 1) / (supporters + opposers + 2) for supporters, opposers in sides]
    of_kind = {kind: [edge for edge in edges if edge["kind"] == kind] for kind in (SUPPORT, ATTACK)}
    pairs = {kind: [(edge["source"], edge["target"]) for edge in kind_edges]
             for kind, kind_edges in of_kind.items()}  # fmt: skip
    strengths = claim_strengths(
        base=base,
        supports=[(place[a], place[b]) for a, b in pairs[SUPPORT]],
        attacks=[(place[a], place[b]) for a, b in pairs[ATTACK]],
        support_shares=[edge["share"] for edge in of_kind[SUPPORT]],
        attack_shares=[edge["share"] for edge in of_kind[ATTACK]],
    )
    standings = grounded_labelling(ids, pairs[ATTACK])
    attackers = defaultdict(list)
    for a, b in pairs[ATTACK]:
        attackers[b].append(a)
    nodes = [
        _node(pk, texts[pk], tallies[pk], sides[i], base[i], strengths.values[i])
        | {"standing": standings[pk], "reason": _reason(pk, standings, attackers[pk], texts)}
        for i, pk in enumerate(ids)
    ]
    return nodes, {
        "semantics": SEMANTICS,
        "tolerance": TOLERANCE,
        "max_iterations": MAX_ITERATIONS,
        "iterations": strengths.iterations,
        "converged": strengths.converged,
    }


def _node(pk, text, tally: Tally, sides: tuple[int, int], base: float, strength: float) -> dict:
    endorsing = sum(tally.endorsed.values())
    return {
        "id": pk,
        "text": text,
        "posts": {"supports": tally.supporting, "opposes": tally.opposing},
        "supporters": sides[0],
        "opposers": sides[1],
        "endorsements": {"supports": endorsing, "opposes": len(tally.endorsed) - endorsing},
        "base": round(base, DECIMALS),
        "strength": round(strength, DECIMALS),
    }


def _reason(pk: int, standings: dict, attackers: list[int], texts: dict) -> str:
    """The grounded standing as a sentence, naming the first attacker that decides it."""
    standing = standings[pk]
    if standing == IN:
        return "Every objection answered" if attackers else "No objection"
    wanted = IN if standing == OUT else standing
    decider = texts[min(attacker for attacker in attackers if standings[attacker] == wanted)]
    if standing == OUT:
        return f"Has an unanswered objection: «{decider}»"
    return f"Caught in a cycle of objections: «{decider}»"


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
