"""Template tags for showing a claim as the map reads it: its strength, its counts, its card.

Written in Python rather than as included partials: the map's pages show dozens of claims,
and an {% include %} per claim cost more than the rest of a card."""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from apps.forum.links import profile_url, reverse_id
from apps.maps import strength

register = template.Library()


@register.filter
def strength_word(value: float) -> str:
    """The word for a strength in [0, 1] ("fairly strong"), as docs/map-rules.md defines it."""
    return strength.strength_word(value)


@register.simple_tag
def strength_meter(node) -> SafeString:
    """The strength bar, coloured by its word, with the word and the number beside it."""
    word = strength.strength_word(node.strength)
    number = f"{node.strength:.2f}"
    return format_html(
        '<span class="strength"><meter class="strength-bar strength-{}" min="0" max="1" '
        'value="{}" aria-label="Strength">{}</meter> <strong class="strength-word">{}</strong> '
        '<span class="strength-number">{}</span></span>',
        word.replace(" ", "-"), repr(float(node.strength)), number, word, number,
    )  # fmt: skip


@register.simple_tag
def claim_counts(node) -> str:
    """People for and against, then the claims supporting and attacking it."""
    return (
        f"{node.supporters} for · {node.opposers} against · "
        f"{node.supported_by} claim{pluralize(node.supported_by)} "
        f"support{pluralize(node.supported_by, 's,')} it · "
        f"{node.attacked_by} attack{pluralize(node.attacked_by, 's,')} it"
    )


@register.simple_tag
def focus_url(topic, claim_id: int) -> str:
    """{% url 'maps:focus' topic.slug claim_id %}, for lists of claims: the pattern is
    reversed once, not matched again for every claim listed."""
    return reverse_id("maps:focus", topic.slug, claim_id)


@register.simple_tag
def neighbour_card(card, topic, card_path: list[int]) -> SafeString:
    """One card of a focus column: the claim, linked to its focus with the path taken, its
    strength and counts, and the posts that drew its relation."""
    focus = reverse_id("maps:focus", topic.slug, card.claim_id)
    path = ",".join(str(pk) for pk in card_path)
    people = "person" if card.weight == 1 else "people"
    evidence = "".join(_evidence(post) for post in card.evidence)
    if card.more_evidence:
        evidence += f'<li class="meta">and {card.more_evidence} more post'
        evidence += f"{pluralize(card.more_evidence)}</li>"
    return format_html(
        '<li class="card" data-claim="{}">\n<p class="card-claim"><a href="{}?path={}">{}</a></p>\n'
        "<p>{}</p>\n<p class=\"meta\">{}</p>\n"
        '<p class="meta">Drawn by {} {} in:</p>\n<ul class="evidence">{}</ul>\n</li>\n',
        card.claim_id, focus, path, card.text, strength_meter(card), claim_counts(card),
        card.weight, people, mark_safe(evidence),
    )  # fmt: skip


def _evidence(post) -> str:
    link = f'<a href="{reverse_id("forum:post", post.id)}#post-{post.id}">post {post.id}</a>'
    if post.author:
        author = f'<a href="{profile_url(post.author)}">{escape(post.author)}</a>'
    else:
        author = "a deleted user"
    if post.excerpt is None:
        said = ' <span class="meta">(no longer visible)</span>'
    else:
        said = f": <q>{escape(post.excerpt)}</q>" if post.excerpt else ""
    return f"<li>{link} by {author}{said}</li>"
