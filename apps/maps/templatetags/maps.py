"""Template filters for showing a claim's strength."""

from django import template
from django.utils.text import slugify

from apps.maps import strength

register = template.Library()


@register.filter
def strength_word(value: float) -> str:
    """The word for a strength in [0, 1] ("fairly strong"), as docs/map-rules.md defines it."""
    return strength.strength_word(value)


@register.filter
def strength_class(value: float) -> str:
    """The CSS class that colours a strength bar by its word: "strength-fairly-strong"."""
    return f"strength-{slugify(strength.strength_word(value))}"
