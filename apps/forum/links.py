"""URLs reversed once per pattern and then filled in, for pages that link dozens of posts,
members or claims: reverse() matches the URL patterns again on every call (about 25 µs)."""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape

PLACEHOLDER = "2147483647"  # stands for the last argument in a URL reversed once, then replaced
URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in an argument


def reverse_id(name: str, *args: str | int) -> str:
    """reverse(name, args=args) for a URL whose last argument is an integer id; the ones
    before it (a topic's slug) are few and part of the cached pattern."""
    *leading, pk = args
    return _pattern(name, tuple(leading), get_script_prefix(), get_urlconf()).replace(
        PLACEHOLDER, str(int(pk))
    )


def profile_url(username: str) -> str:
    """A member's profile URL, quoted as reverse() quotes it, then escaped as {% url %} does."""
    pattern = _pattern("accounts:profile", (), get_script_prefix(), get_urlconf())
    return escape(pattern.replace(PLACEHOLDER, quote(username, safe=URL_SAFE)))


@lru_cache(maxsize=256)
def _pattern(name: str, leading: tuple, script_prefix: str, urlconf: str | None) -> str:
    # The prefix and the request's urlconf are only in the cache's key: reverse() uses the
    # current ones itself.
    return reverse(name, args=[*leading, PLACEHOLDER])
