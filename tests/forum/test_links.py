"""URLs reversed once and filled in (apps/forum/links.py) are reverse()'s, character for
character: with odd usernames, leading arguments, a script prefix and another urlconf."""

import pytest
from django.urls import clear_url_caches, reverse, set_script_prefix, set_urlconf
from django.utils.html import escape

from apps.forum.links import profile_url, reverse_id


@pytest.mark.parametrize("username", ["alice", "é.ü+x@y", "a b", "x&y", "100%"])
def test_profile_links_match_reverse(username):
    expected = escape(reverse("accounts:profile", args=[username]))
    assert profile_url(username) == expected


@pytest.mark.parametrize(
    "name",
    [
        "forum:post",
        "forum:reply",
        "forum:post_edit",
        "forum:post_delete",
        "forum:post_revisions",
        "claims:post_tags",
        "claims:claim",
        "moderation:remove",
        "moderation:restore",
    ],
)
def test_post_links_match_reverse(name):
    assert reverse_id(name, 12345) == reverse(name, args=[12345])


@pytest.mark.parametrize("slug", ["ai-art", "another-topic"])
def test_links_with_a_leading_argument_match_reverse(slug):
    assert reverse_id("maps:focus", slug, 42) == reverse("maps:focus", args=[slug, 42])


def test_post_links_follow_the_script_prefix_and_the_urlconf_in_use():
    plain = reverse_id("forum:post", 7)
    try:
        set_script_prefix("/forum/")
        assert reverse_id("forum:post", 7) == "/forum" + plain
        set_script_prefix("/")
        set_urlconf("tests.forum.prefixed_urls")
        clear_url_caches()
        assert reverse_id("forum:post", 7) == "/mirror" + plain
    finally:
        set_script_prefix("/")
        set_urlconf(None)
        clear_url_caches()
    assert reverse_id("forum:post", 7) == plain
