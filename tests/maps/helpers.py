"""Small builders for hand-made debates and lookups into a built map graph."""

from dataclasses import dataclass

from apps.claims.models import Claim, claim_key
from apps.claims.services.tags import TagInput, post_tags_set
from apps.forum.models import Post, Topic
from tests.factories import make_reply


def tags(*, supports=(), opposes=()) -> list[TagInput]:
    return [TagInput(text, "supports") for text in supports] + [
        TagInput(text, "opposes") for text in opposes
    ]


def say(parent: Post, author, *, supports=(), opposes=(), response="neutral") -> Post:
    """A reply to `parent` by `author` with the given claim tags (claim texts or ids)."""
    return make_reply(
        parent,
        author=author,
        body=f"{author.username} answers post {parent.pk}",
        response=response,
        tags=tags(supports=supports, opposes=opposes),
    )


def tag_post(post: Post, *, supports=(), opposes=()) -> Post:
    """Tag an existing post (e.g. a thread's opening post) as its author."""
    post_tags_set(post=post, actor=post.author, tags=tags(supports=supports, opposes=opposes))
    return post


def claim_id(topic: Topic, text: str) -> int:
    return Claim.objects.get(topic=topic, key=claim_key(text)).pk


def merge(alias: int, target: int) -> None:
    """What the merge service will do: make `alias` stand for `target`."""
    Claim.objects.filter(pk=alias).update(status=Claim.Status.MERGED, merged_into=target)


def node(graph: dict, pk: int) -> dict:
    found = [node for node in graph["nodes"] if node["id"] == pk]
    assert len(found) == 1, f"claim {pk} has {len(found)} nodes in {graph['nodes']}"
    return found[0]


def node_ids(graph: dict) -> set[int]:
    return {node["id"] for node in graph["nodes"]}


def edge_set(graph: dict) -> set[tuple[int, int, str]]:
    return {(edge["source"], edge["target"], edge["kind"]) for edge in graph["edges"]}


def standings(graph: dict) -> dict[int, str]:
    return {node["id"]: node["standing"] for node in graph["nodes"]}


@dataclass
class Debate:
    """The sample debate of `sample_debate`: claim ids by role, and the posts."""

    fair_use: int  # IN: its one attacker is OUT
    income: int  # OUT: attacked by `unproven`
    unproven: int  # IN, unattacked
    styles: int  # OUT: supported and attacked by `not_copyrightable`
    not_copyrightable: int  # IN, the target of the alias
    alias: int  # merged into `not_copyrightable`
    feasible: int  # UNDECIDED with `impossible`
    impossible: int  # UNDECIDED with `feasible`
    posts: dict[str, Post]


def sample_debate(thread, alice, bob, carol) -> Debate:
    """A thread with supports, attacks, two OUT claims, an UNDECIDED pair, a support and an
    attack between the same two claims, and a merged alias."""
    topic = thread.topic
    opening = tag_post(thread.opening_post, supports=["Training on public art is fair use"])
    posts = {"opening": opening}
    posts["income"] = say(
        opening, bob, supports=["Artists lose income"], response="disagree"
    )  # income attacks fair use
    posts["unproven"] = say(
        posts["income"],
        carol,
        supports=["The income loss is not shown"],
        opposes=["Artists lose income"],
    )  # unproven attacks income
    posts["styles"] = say(
        opening, carol, supports=["Models learn styles, not copies"], response="agree"
    )  # styles supports fair use
    posts["not_copyrightable"] = say(opening, bob, supports=["Styles are not copyrightable"])
    posts["alias"] = say(
        posts["styles"], carol, supports=["A style cannot be owned"], response="agree"
    )  # alias supports styles: after the merge, not_copyrightable supports styles
    posts["attack_styles"] = say(
        posts["styles"], alice, supports=["Styles are not copyrightable"], response="disagree"
    )  # not_copyrightable attacks styles
    posts["feasible"] = say(opening, alice, supports=["Licensing is feasible"])
    posts["impossible"] = say(
        posts["feasible"],
        bob,
        supports=["Licensing is impossible at scale"],
        opposes=["Licensing is feasible"],
    )
    posts["feasible_again"] = say(
        opening,  # feasible is a new reason here: defending it under `impossible` is not
        alice,
        supports=["Licensing is feasible"],
        opposes=["Licensing is impossible at scale"],
    )
    debate = Debate(
        fair_use=claim_id(topic, "Training on public art is fair use"),
        income=claim_id(topic, "Artists lose income"),
        unproven=claim_id(topic, "The income loss is not shown"),
        styles=claim_id(topic, "Models learn styles, not copies"),
        not_copyrightable=claim_id(topic, "Styles are not copyrightable"),
        alias=claim_id(topic, "A style cannot be owned"),
        feasible=claim_id(topic, "Licensing is feasible"),
        impossible=claim_id(topic, "Licensing is impossible at scale"),
        posts=posts,
    )
    merge(debate.alias, debate.not_copyrightable)
    return debate
