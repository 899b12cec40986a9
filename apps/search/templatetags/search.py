"""Template filters for search results."""

from django import template
from django.utils.safestring import SafeString

from apps.search.selectors import snippet_html

register = template.Library()


@register.filter
def snippet(headline: str) -> SafeString:
    """A post's headline from post_search: its text escaped, its hits marked."""
    return snippet_html(headline)
