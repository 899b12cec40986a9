"""The search page (apps/search/views.py): the header's box leads to it; tabs, filters and
pages are links and a GET form, so it all works without JavaScript."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.claims.services.claims import claim_create
from apps.claims.services.tags import TagInput
from apps.maps.services import map_build
from apps.search.views import PER_PAGE
from tests.factories import TopicFactory, make_reply, make_thread
from tests.html_checks import active_content

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:search")


def page(params: dict | None = None):
    response = Client().get(SEARCH, params or {})
    assert response.status_code == 200
    return response, response.content.decode()


def main_of(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def errors(html: str) -> list[str]:
    return re.findall(r'<ul class="errorlist"[^>]*><li>(.*?)</li>', html)


def test_every_page_has_the_search_box_in_its_header():
    html = Client().get("/").content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert f'action="{SEARCH}"' in header and 'role="search"' in header
    assert 'name="q"' in header and '<label class="sr-only" for="site-search">' in header


def test_without_words_the_page_shows_the_form_and_no_error():
    response, html = page()
    assert response.context["page"] is None
    assert errors(html) == [] and "search-results" not in html
    assert active_content(main_of(html)) == ["<form>"]


def test_posts_found_link_to_the_post_with_their_thread_and_a_marked_snippet(thread, member):
    reply = make_reply(thread.opening_post, author=member, body="Copyright & law <3 fans")
    _, html = page({"q": "copyright"})
    results = html.split('class="listing search-results"', 1)[1]
    assert f'href="/posts/{reply.pk}/#post-{reply.pk}"' in results
    assert thread.title in results
    assert '<p class="snippet"><mark>Copyright</mark> &amp; law &lt;3 fans</p>' in results
    assert "1 post matches" in html


def test_the_tabs_keep_the_words_and_filters_and_show_claims(topic, member):
    claim_create(topic=topic, author=member, text="Style cannot be copyrighted")
    _, html = page({"q": "style", "topic": topic.slug})
    tabs = html.split('class="tabs"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="?q=style&amp;topic=ai-art&amp;type=posts" aria-current="page">' in tabs
    claims_tab = "?q=style&amp;topic=ai-art&amp;type=claims"
    assert f'<a href="{claims_tab}">Claims</a>' in tabs
    response, html = page({"q": "style", "topic": topic.slug, "type": "claims"})
    assert [hit.claim.text for hit in response.context["hits"]] == ["Style cannot be copyrighted"]
    assert "not on the map yet" in html
    assert '<input type="hidden" name="type" value="claims"' in html  # a new search stays


def test_a_claim_on_the_map_shows_its_strength_and_standing(thread, member):
    make_reply(thread.opening_post, author=member, tags=[TagInput("Style is free", "supports")])
    map_build(topic_id=thread.topic_id)
    _, html = page({"q": "style", "type": "claims"})
    assert 'class="strength-bar' in html and "standing-in" in html


def test_results_come_a_page_at_a_time(thread, member):
    for number in range(PER_PAGE + 5):
        make_reply(thread.opening_post, author=member, body=f"Copyright note {number}")
    response, html = page({"q": "copyright"})
    assert len(response.context["hits"]) == PER_PAGE
    assert '<a href="?q=copyright&amp;page=2" rel="next">More matches</a>' in html
    response, html = page({"q": "copyright", "page": "2"})
    assert len(response.context["hits"]) == 5
    assert 'rel="prev">Better matches</a>' in html
    response, _ = page({"q": "copyright", "page": "999999999999"})
    assert response.context["page"].number == 2  # past the end: the last page


def test_filters_by_topic_and_author(thread, member, other_member):
    mine = make_reply(thread.opening_post, author=member, body="Copyright mine")
    make_reply(thread.opening_post, author=other_member, body="Copyright theirs")
    make_thread(topic=TopicFactory(), author=member, body="Copyright elsewhere")
    response, _ = page({"q": "copyright", "topic": thread.topic.slug, "author": "alice"})
    assert [post.pk for post in response.context["hits"]] == [mine.pk]


def test_a_search_page_costs_the_same_queries_however_many_match(
    thread, member, django_assert_max_num_queries
):
    for number in range(PER_PAGE * 2):
        make_reply(thread.opening_post, author=member, body=f"Copyright note {number}")
    # The words' check, the topics to filter by, the count, the page's ranks, its posts.
    with django_assert_max_num_queries(5):
        page({"q": "copyright"})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "Type the words to search for."),
        ({"q": "the of and"}, "too common"),
        ({"q": "-copyright"}, "not only words to leave out"),
        ({"q": "fair\x00use"}, "Null characters are not allowed."),
        ({"q": "fair\x07use"}, "control characters"),
        ({"q": "x" * 201}, "at most 200"),
        ({"q": "copyright", "topic": "no-such-topic"}, "There is no such topic"),
        ({"q": "copyright", "author": "nobody-here"}, "No member is called “nobody-here”."),
        ({"q": "copyright", "type": "everything"}, "Select a valid choice."),
    ],
)
def test_bad_searches_say_what_to_do_and_show_no_results(thread, params, message):
    response, html = page(params)
    assert response.context["page"] is None
    assert any(message in error for error in errors(html)), errors(html)
    assert 'aria-invalid="true"' in html or "type" in params


def test_no_match_says_so_and_keeps_the_tabs(topic):
    _, html = page({"q": "copyright"})
    assert "No post matches: try fewer or other words, or the Claims tab." in html
    assert 'class="tabs"' in html and "0 posts match" in html


def test_a_search_matching_more_than_are_ranked_says_so(thread, member, monkeypatch):
    monkeypatch.setattr("apps.search.selectors.RANKED_POSTS", 3)
    posts = [
        make_reply(thread.opening_post, author=member, body=f"Copyright {n}") for n in range(5)
    ]
    response, html = page({"q": "copyright"})
    assert [post.pk for post in response.context["hits"]] == [post.pk for post in posts[:1:-1]]
    assert "More posts match than are ranked: the 3 newest of them, best first." in html
