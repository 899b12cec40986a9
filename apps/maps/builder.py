"""Version 1 of the map rules (docs/map-rules.md): a topic's claims, tags and reply
pairs become nodes, support and attack edges, and each claim's grounded standing."""

from collections import defaultdict

from django.db import connection

from apps.claims.models import Claim
from apps.forum.models import Topic
from apps.maps.grounded import IN, OUT, UNDECIDED, grounded_labelling

RULES_VERSION = 1

# Tags of visible posts, each counted for its canonical claim (merges keep chains one hop).
TAGS = """
    SELECT DISTINCT tag.post_id, COALESCE(claim.merged_into_id, claim.id) AS claim_id, tag.stance
    FROM claims_claimtag tag
    JOIN claims_claim claim ON claim.id = tag.claim_id
    JOIN forum_post post ON post.id = tag.post_id
    WHERE claim.topic_id = %(topic)s AND post.state = 'visible'
"""

NODES_SQL = f"""
    WITH tag AS ({TAGS})
    SELECT tag.claim_id,
           array_agg(tag.post_id ORDER BY tag.post_id) FILTER (WHERE tag.stance = 'supports'),
           array_agg(tag.post_id ORDER BY tag.post_id) FILTER (WHERE tag.stance = 'opposes'),
           COUNT(DISTINCT post.author_id)
    FROM tag JOIN forum_post post ON post.id = tag.post_id
    GROUP BY tag.claim_id
"""

# A visible reply P to a visible post Q, for each claim a P supports and b ≠ a Q supports:
# P opposes b or disagrees with Q: a attacks b; P supports b or agrees: a supports b.
EDGES_SQL = f"""
    WITH tag AS ({TAGS})
    SELECT made.claim_id, answered.claim_id,
           CASE WHEN own.stance = 'opposes' OR reply.response = 'disagree'
                THEN 'attack' ELSE 'support' END AS kind,
           COUNT(DISTINCT reply.author_id),
           array_agg(ARRAY[reply.id, parent.id] ORDER BY reply.id)
    FROM tag made
    JOIN forum_post reply ON reply.id = made.post_id
    JOIN forum_post parent ON parent.id = reply.parent_id AND parent.state = 'visible'
    JOIN tag answered ON answered.post_id = parent.id AND answered.stance = 'supports'
                     AND answered.claim_id <> made.claim_id
    LEFT JOIN tag own ON own.post_id = reply.id AND own.claim_id = answered.claim_id
    WHERE made.stance = 'supports' AND (own.stance IS NOT NULL OR reply.response <> 'neutral')
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
"""


POSTS_SQL = f"""
    WITH tag AS ({TAGS})
    SELECT DISTINCT post.id, post.parent_id, author.username
    FROM tag
    JOIN forum_post post ON post.id = tag.post_id
    LEFT JOIN accounts_user author ON author.id = post.author_id
    ORDER BY post.id
"""


def build_graph(topic: Topic) -> dict:
    """The map of the topic as it is in the database now; the same state gives the same dict."""
    tallies = {row[0]: row[1:] for row in _rows(NODES_SQL, topic)}
    claims = Claim.objects.in_topic(topic).order_by("pk")
    texts = dict(claims.active().filter(pk__in=tallies).values_list("pk", "text"))
    edges = [
        {"source": a, "target": b, "kind": kind, "weight": weight, "evidence": pairs}
        for a, b, kind, weight, pairs in _rows(EDGES_SQL, topic)
        if a in texts and b in texts
    ]
    attackers = defaultdict(list)
    for edge in edges:
        if edge["kind"] == "attack":
            attackers[edge["target"]].append(edge["source"])
    standings = grounded_labelling(
        list(texts), [(a, b) for b, sources in attackers.items() for a in sources]
    )
    aliases = claims.filter(status=Claim.Status.MERGED).values_list("pk", "text", "merged_into_id")
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
            {"id": pk, "parent": parent, "author": author}
            for pk, parent, author in _rows(POSTS_SQL, topic)
        ],
    }


def _rows(sql: str, topic: Topic) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"topic": topic.pk})
        return cursor.fetchall()


def _node(pk: int, text: str, tally: tuple, standing: str, reason: str) -> dict:
    supporting_posts, opposing_posts, authors = tally[0] or [], tally[1] or [], tally[2]
    return {
        "id": pk,
        "text": text,
        "supports": len(supporting_posts),
        "opposes": len(opposing_posts),
        "authors": authors,
        "posts": {"supports": supporting_posts, "opposes": opposing_posts},
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
