"""Version 2 of the map rules (docs/map-rules.md): relations from what one author said in
one post, people counted once each, and each claim's strength beside its grounded standing.

The rules are applied to the topic's stances as numpy columns, one row per stance: a large
topic has hundreds of thousands, and a Python object or dict lookup per stance was most of
a build's time (bench 4)."""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from django.db import connection

from apps.claims.models import Claim
from apps.forum.models import Topic
from apps.maps.grounded import IN, OUT, grounded_labelling
from apps.maps.strength import MAX_ITERATIONS, SEMANTICS, TOLERANCE, claim_strengths

RULES_VERSION = 2
DECIMALS = 6  # base and strength are rounded so that the same state gives the same bytes

# A post's response as 1 (agrees), 0 (disagrees) or -1 (neutral); a missing parent or
# author (an opening post, a deleted user) as 0, which no row's id is: every column is a
# number of fixed width, so the rows arrive as numpy columns (_columns).
AGREES = "(CASE post.response WHEN 'agree' THEN 1 WHEN 'disagree' THEN 0 ELSE -1 END)::int2"

# Every tag of a visible post, counted for its canonical claim (merges keep chains one
# hop), with what the rules need of its post (see docs/map-rules.md).
TAGS_SQL = f"""
    SELECT tag.post_id AS post, COALESCE(claim.merged_into_id, claim.id) AS claim,
           tag.stance = 'supports' AS supports, COALESCE(post.parent_id, 0) AS parent,
           {AGREES} AS agrees, COALESCE(post.author_id, 0) AS author
    FROM claims_claimtag tag
    JOIN claims_claim claim ON claim.id = tag.claim_id
    JOIN forum_post post ON post.id = tag.post_id
    WHERE claim.topic_id = %(topic)s AND post.state = 'visible'
"""
TAG_COLUMNS = {"post": ">i8", "claim": ">i8", "supports": "?", "parent": ">i8",
               "agrees": ">i2", "author": ">i8"}  # fmt: skip

# Visible untagged replies that agree or disagree with a visible tagged post: the ones
# whose response may give them a stance (an answer to a post that tags exactly one claim).
ANSWERS_SQL = f"""
    SELECT post.id AS post, post.parent_id AS parent, {AGREES} AS agrees,
           COALESCE(post.author_id, 0) AS author
    FROM forum_post post
    JOIN forum_thread thread ON thread.id = post.thread_id
    WHERE thread.topic_id = %(topic)s AND post.state = 'visible' AND post.response <> 'neutral'
      AND NOT EXISTS (SELECT 1 FROM claims_claimtag own WHERE own.post_id = post.id)
      AND EXISTS (
          SELECT 1 FROM claims_claimtag tag JOIN forum_post parent ON parent.id = tag.post_id
          WHERE tag.post_id = post.parent_id AND parent.state = 'visible'
      )
"""
ANSWER_COLUMNS = {"post": ">i8", "parent": ">i8", "agrees": ">i2", "author": ">i8"}

ENDORSEMENTS_SQL = """
    SELECT COALESCE(claim.merged_into_id, claim.id), endorsement.user_id,
           endorsement.stance = 'supports'
    FROM claims_endorsement endorsement
    JOIN claims_claim claim ON claim.id = endorsement.claim_id
    WHERE claim.topic_id = %(topic)s
"""

ATTACK, SUPPORT = "attack", "support"
KINDS = (ATTACK, SUPPORT)  # a relation's kind as its index here: attacks sort first

# PostgreSQL's binary form of each column type _columns reads, as numpy reads it back.
SENDS = {">i8": "int8send", ">i2": "int2send", "?": "boolsend"}


@dataclass(frozen=True)
class Stances:
    """Stances on claims, one row each: which post, on which claim, for or against, and the
    post's parent and author. Columns of equal length; `supports` is boolean."""

    post: np.ndarray
    claim: np.ndarray
    supports: np.ndarray
    parent: np.ndarray
    author: np.ndarray

    def take(self, rows) -> "Stances":
        """The rows that `rows` (a mask or positions) picks, in its order."""
        return Stances(*(column[rows] for column in self.columns()))

    def columns(self) -> tuple[np.ndarray, ...]:
        return self.post, self.claim, self.supports, self.parent, self.author

    def sorted(self) -> "Stances":
        """By post, then claim, then against before for."""
        return self.take(np.lexsort((self.supports, self.claim, self.post)))


@dataclass(slots=True)
class Tally:
    """A claim's posts by stance (in id order) and its people: each person counts once, by
    their endorsement if they gave one, else by the stance of their latest post on it."""

    supporting: list[int]
    opposing: list[int]
    supporters: int = 0
    opposers: int = 0
    endorsed_supporting: int = 0
    endorsed_opposing: int = 0


def build_graph(topic: Topic) -> dict:
    """The map of the topic as it is in the database now; the same state gives the same dict."""
    with collector_paused():
        return _build(topic)


def _build(topic: Topic) -> dict:
    stances = _stances(topic)
    tallies = _tallies(stances, _endorsements(topic))
    claims = Claim.objects.in_topic(topic).order_by("pk")
    texts = dict(claims.active().filter(pk__in=tallies).values_list("pk", "text"))
    edges = _edges(stances, np.fromiter(texts, np.int64, len(texts)))
    nodes, strength = _nodes(texts, tallies, edges)
    aliases = claims.filter(status=Claim.Status.MERGED).values_list("pk", "text", "merged_into_id")
    return {
        "rules": RULES_VERSION,
        "nodes": nodes,
        "edges": edges,
        "aliases": [{"id": pk, "text": text, "canonical": target} for pk, text, target in aliases],
        "strength": strength,
    }


def _columns(sql: str, params: dict, columns: dict[str, str]) -> dict[str, np.ndarray]:
    """The query's columns, by name, as numpy arrays of the given types. PostgreSQL packs
    each column into one string of its binary values, so no Python object is made per
    value. The query names its columns; none may be NULL."""
    packed = ", ".join(
        f"string_agg({SENDS[kind]}(row.{name}), '')" for name, kind in columns.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {packed} FROM ({sql}) row", params)
        values = cursor.fetchone()
    return {
        name: np.frombuffer(value or b"", kind).astype(kind.lstrip(">"))
        for (name, kind), value in zip(columns.items(), values, strict=True)
    }


def _stances(topic: Topic) -> Stances:
    """Every stance the topic's visible posts take, sorted: their own tags (a post that tags
    an alias and its claim alike takes one stance), then those their responses give."""
    tags = _columns(TAGS_SQL, {"topic": topic.pk}, TAG_COLUMNS)
    order = np.lexsort((tags["supports"], tags["claim"], tags["post"]))
    tags = {name: column[order] for name, column in tags.items()}
    first = _changes(tags["post"], tags["claim"], tags["supports"])  # of each (post, claim, stance)
    tags = {name: column[first] for name, column in tags.items()}
    agrees = tags.pop("agrees")
    own = Stances(**tags)
    given = _given(own, agrees, _columns(ANSWERS_SQL, {"topic": topic.pk}, ANSWER_COLUMNS))
    return Stances(
        *(np.concatenate(pair) for pair in zip(own.columns(), given.columns(), strict=True))
    ).sorted()


def _given(own: Stances, agrees: np.ndarray, answers: dict[str, np.ndarray]) -> Stances:
    """The stances responses give: a post that agrees or disagrees (a tagged one, or one of
    the answers) with a parent whose own tags are on exactly one claim, one way, takes that
    claim's stance or the opposite, unless it tags that claim itself."""
    posts, first, count = np.unique(own.post, return_index=True, return_counts=True)
    if not len(posts):
        return own  # no stance at all, so none given
    responding = agrees[first] >= 0
    post = np.concatenate([posts[responding], answers["post"]])
    parent = np.concatenate([own.parent[first][responding], answers["parent"]])
    author = np.concatenate([own.author[first][responding], answers["author"]])
    agreeing = np.concatenate([agrees[first][responding], answers["agrees"]]) == 1
    place = np.minimum(np.searchsorted(posts, parent), len(posts) - 1)
    row = first[place]  # the parent's first stance: its only one, where that counts
    claim = own.claim[row]
    claims = _distinct(own.claim)
    taken = _among(_pair_key(post, claim, claims), _pair_key(own.post, own.claim, claims))
    single = (posts[place] == parent) & (count[place] == 1) & ~taken
    return Stances(post, claim, agreeing == own.supports[row], parent, author).take(single)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The values, sorted, once each (np.unique without options hashes them: ten times slower)."""
    ordered = np.sort(values)
    return ordered[_changes(ordered)]


def _changes(*columns: np.ndarray) -> np.ndarray:
    """Whether each row differs in some column from the row before it: the first row does."""
    changed = np.ones(len(columns[0]), bool)
    changed[1:] = np.logical_or.reduce([column[1:] != column[:-1] for column in columns])
    return changed


def _lasts(*columns: np.ndarray) -> np.ndarray:
    """Whether each row is the last of its run of rows equal in every column."""
    return np.roll(_changes(*columns), -1)  # the row after starts a run; the first row does


def _among(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Whether each value is one of `known` (np.isin, which makes them unique first, is
    several times slower)."""
    known = np.sort(known)
    place = np.minimum(np.searchsorted(known, values), len(known) - 1)
    return known[place] == values if len(known) else np.zeros(len(values), bool)


def _pair_key(post: np.ndarray, claim: np.ndarray, claims: np.ndarray) -> np.ndarray:
    """(post, claim) as one number, to test pairs for membership; `claims` are the sorted
    claim ids, among them every one in `claim`. No pair of a post 0 (none) equals a real one."""
    return post * len(claims) + np.searchsorted(claims, claim)


def _endorsements(topic: Topic) -> dict[int, dict[int, bool]]:
    """Claim -> member -> supports?: each member's endorsement of each canonical claim."""
    endorsed: dict[int, dict[int, bool]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(ENDORSEMENTS_SQL, {"topic": topic.pk})
        for claim, member, supports in cursor.fetchall():
            endorsed[claim][member] = supports
    return endorsed


def _tallies(stances: Stances, endorsed: dict[int, dict[int, bool]]) -> dict[int, Tally]:
    """The Tally of every claim a visible post takes a stance on or a member endorsed."""
    ids = _distinct(np.concatenate([stances.claim, np.array(list(endorsed), np.int64)]))
    tallies = {claim: Tally([], []) for claim in ids.tolist()}
    grouped = stances.take(np.lexsort((stances.post, ~stances.supports, stances.claim)))
    posts = grouped.post.tolist()
    for start, end in _runs(grouped.claim, grouped.supports):
        tally = tallies[int(grouped.claim[start])]
        if grouped.supports[start]:
            tally.supporting = posts[start:end]
        else:
            tally.opposing = posts[start:end]
    claim, supports = _sides(stances, endorsed)
    place = np.searchsorted(ids, claim)
    supporters = np.bincount(place[supports], minlength=len(ids)).tolist()
    opposers = np.bincount(place[~supports], minlength=len(ids)).tolist()
    for index, pk in enumerate(ids.tolist()):
        tally = tallies[pk]
        tally.supporters, tally.opposers = supporters[index], opposers[index]
        votes = endorsed.get(pk, {})
        tally.endorsed_supporting = sum(votes.values())
        tally.endorsed_opposing = len(votes) - tally.endorsed_supporting
    return tallies


def _sides(stances: Stances, endorsed: dict[int, dict[int, bool]]) -> tuple[np.ndarray, ...]:
    """(claim, supports?) of each person on each claim, once: by their endorsement if they
    gave one, else by their latest post on it (against, if that post says both). A deleted
    user counts for no one."""
    known = stances.take(stances.author != 0)
    latest = known.take(np.lexsort((~known.supports, known.post, known.author, known.claim)))
    last = _lasts(latest.claim, latest.author)  # of each (claim, author)
    posted = latest.take(last)
    votes = [(claim, member, side) for claim, members in endorsed.items()
             for member, side in members.items()]  # fmt: skip
    voted = np.array([vote[:2] for vote in votes], np.int64).reshape(-1, 2)
    claims = _distinct(np.concatenate([posted.claim, voted[:, 0]]))
    unvoted = ~_among(
        _pair_key(posted.author, posted.claim, claims), _pair_key(voted[:, 1], voted[:, 0], claims)
    )
    return (
        np.concatenate([posted.claim[unvoted], voted[:, 0]]),
        np.concatenate([posted.supports[unvoted], np.array([vote[2] for vote in votes], bool)]),
    )


def _edges(stances: Stances, on_map: np.ndarray) -> list[dict]:
    """The relations between claims on the map, ordered by (source, target, kind), each with
    the posts that drew it in id order. A post's reasons are the claims it supports on which
    its parent takes no stance; each reason attacks every claim the post opposes, and
    supports every other claim the post supports that its parent takes a stance on."""
    claims = _distinct(stances.claim)
    stance_keys = _pair_key(stances.post, stances.claim, claims)
    taken = _among(_pair_key(stances.parent, stances.claim, claims), stance_keys)
    shown = _among(stances.claim, on_map)
    reasons = stances.take(stances.supports & ~taken & shown)
    targets = stances.take(shown & (taken | ~stances.supports))  # supports: a support
    if not len(reasons.post):
        return []
    posts, first, count = np.unique(reasons.post, return_index=True, return_counts=True)
    place = np.minimum(np.searchsorted(posts, targets.post), len(posts) - 1)
    count = np.where(posts[place] == targets.post, count[place], 0)  # the post's reasons
    reason_keys = _pair_key(reasons.post, reasons.claim, claims)
    drawing = count - _among(_pair_key(targets.post, targets.claim, claims), reason_keys)
    share = 1 / np.maximum(drawing, 1)  # k reasons: 1/k of a say each
    pair = np.repeat(np.arange(len(targets.post)), count)  # each target with each reason
    reason = first[place][pair] + np.arange(len(pair)) - np.repeat(np.cumsum(count) - count, count)
    source = reasons.claim[reason]
    drawn = source != targets.claim[pair]  # a claim neither supports nor attacks itself
    return _relations(source[drawn], targets.take(pair[drawn]), share[pair[drawn]])


def _relations(source: np.ndarray, drawing: Stances, share: np.ndarray) -> list[dict]:
    """One relation per (source, target, kind) of the drawings (a target stance each, its
    reason as `source`, and the share it gives its author): its evidence, its weight, the
    distinct authors (a deleted user, 0, is nobody), and its share, the people's largest
    shares added up to at most 1: one post with three reasons against a claim weighs as one
    objection, while two people behind one reason weigh as fully as it can (map-rules.md)."""
    target, kind = drawing.claim, drawing.supports
    order = np.lexsort((drawing.post, kind, target, source))
    evidence = drawing.post[order].tolist()
    by_author = np.lexsort((share, drawing.author, kind, target, source))
    author = drawing.author[by_author]
    keyed = (source[by_author], target[by_author], kind[by_author], author)
    last = _lasts(*keyed)  # each author's largest share in each relation
    runs = list(_runs(source[order], target[order], kind[order]))
    starts = np.array([start for start, _ in runs], np.intp)
    shares = np.add.reduceat(np.where(last, share[by_author], 0.0), starts).tolist()
    weights = np.add.reduceat(last & (author != 0), starts).tolist()
    source, target, kind = (column[order][starts].tolist() for column in (source, target, kind))
    return [
        {
            "source": source[n],
            "target": target[n],
            "kind": KINDS[kind[n]],
            "weight": weights[n],
            "share": round(shares[n], DECIMALS) if shares[n] < 1.0 else 1.0,
            "evidence": evidence[start:end],
        }
        for n, (start, end) in enumerate(runs)
    ]


def _runs(*columns: np.ndarray):
    """(start, end) of each run of rows equal in every column."""
    bounds = [*np.flatnonzero(_changes(*columns)).tolist(), len(columns[0])]
    return pairwise(bounds)


def _nodes(
    texts: dict[int, str], tallies: dict[int, Tally], edges: list[dict]
) -> tuple[list[dict], dict]:
    """Each claim's node with its people, base score, strength and grounded standing, in id
    order; and how the strength was computed."""
    ids = list(texts)
    place = {pk: index for index, pk in enumerate(ids)}
    base = [(tallies[pk].supporters + 1) / (tallies[pk].supporters + tallies[pk].opposers + 2)
            for pk in ids]  # fmt: skip
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
        _node(pk, texts[pk], tallies[pk], base[i], strengths.values[i])
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


def _node(pk: int, text: str, tally: Tally, base: float, strength: float) -> dict:
    return {
        "id": pk,
        "text": text,
        "posts": {"supports": tally.supporting, "opposes": tally.opposing},
        "supporters": tally.supporters,
        "opposers": tally.opposers,
        "endorsements": {"supports": tally.endorsed_supporting, "opposes": tally.endorsed_opposing},
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
