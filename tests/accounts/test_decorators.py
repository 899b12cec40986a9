"""What a visitor gets from a view that needs a login: with htmx a small "Log in to …"
fragment, never the login page inside the page; without, the login page; and logging in
leads back to where they were."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.decorators import safe_next
from apps.forum.models import Post
from tests.factories import make_reply

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_fragment(response, next_page: str, action: str) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    for whole_page in ("<html", "<header", "<main", "<footer", "<form"):
        assert whole_page not in html
    login, signup = reverse("login"), reverse("signup")
    assert f'<a href="{login}?next={next_page}">Log in to {action}</a>' in html
    assert f'<a href="{signup}?next={next_page}">sign up</a>' in html


def test_a_visitors_inline_reply_form_is_a_log_in_to_reply_link_back_to_the_post(thread):
    reply = make_reply(thread.opening_post)
    url = reverse("forum:reply", args=[reply.pk])
    response = Client().get(
        url, HTTP_HX_CURRENT_URL=f"http://testserver/threads/{thread.pk}/", **HTMX
    )
    assert_fragment(response, f"/posts/{reply.pk}/reply/", "reply")


def test_a_visitor_posting_a_reply_with_htmx_gets_the_fragment_and_nothing_is_saved(thread):
    page = f"http://testserver/threads/{thread.pk}/?sort=newest"
    response = Client().post(
        reverse("forum:reply", args=[thread.opening_post.pk]),
        {"body": "hi", "response": "neutral"},
        HTTP_HX_CURRENT_URL=page,
        **HTMX,
    )
    assert_fragment(response, f"/threads/{thread.pk}/%3Fsort%3Dnewest", "reply")
    assert Post.objects.count() == 1


def test_the_tags_form_asks_a_visitor_to_log_in_the_same_way(thread):
    url = reverse("claims:post_tags", args=[thread.opening_post.pk])
    assert_fragment(Client().get(url, **HTMX), url, "change this post&#x27;s claims")


def test_without_htmx_a_visitor_goes_to_the_login_page_and_back(thread):
    url = reverse("forum:reply", args=[thread.opening_post.pk])
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "page",
    ["https://evil.example/threads/1/", "//evil.example/", "http://testserver//evil.example/", ""],
)
def test_a_form_sent_from_elsewhere_leads_home_after_logging_in(thread, page):
    response = Client().post(
        reverse("forum:reply", args=[thread.opening_post.pk]),
        {"body": "hi", "response": "neutral"},
        HTTP_REFERER=page,
    )
    assert response.url == f"{reverse('login')}?next=/"
    assert Post.objects.count() == 1


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/threads/1/?sort=newest#post-2", "/threads/1/?sort=newest#post-2"),
        ("http://testserver/threads/1/", "/threads/1/"),
        ("https://testserver/threads/1/", "/threads/1/"),
        ("http://evil.example/", ""),
        ("//evil.example/x", ""),
        ("http://testserver//evil.example/", ""),
        ("javascript:alert(1)", ""),
        (None, ""),
    ],
)
def test_safe_next_keeps_only_paths_of_this_site(rf, url, expected):
    assert safe_next(rf.get("/"), url) == expected


def test_members_get_the_view_itself(thread, logged_in):
    response = logged_in.get(reverse("forum:reply", args=[thread.opening_post.pk]), **HTMX)
    assert response.status_code == 200 and 'class="reply-form"' in response.content.decode()
