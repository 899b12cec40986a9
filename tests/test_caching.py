import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage import default_storage
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client

from config.caching import cache_for_visitors
from tests.factories import make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor_cache(settings):
    settings.VISITOR_PAGE_SECONDS = 10
    caches["visitor_pages"].clear()


def test_visitors_share_a_short_lived_copy_of_a_page(
    visitor_cache, thread, django_assert_num_queries
):
    url = thread.get_absolute_url()
    first = Client().get(url)
    make_reply(thread.opening_post, body="a fresh reply")
    with django_assert_num_queries(0):
        again = Client().get(url)
    assert again.content == first.content and b"a fresh reply" not in again.content


def test_members_always_see_the_page_fresh(visitor_cache, thread, logged_in):
    url = thread.get_absolute_url()
    Client().get(url)
    make_reply(thread.opening_post, body="a fresh reply")
    assert b"a fresh reply" in logged_in.get(url).content


@pytest.mark.parametrize("status, cookie", [(404, False), (200, True)])
def test_an_error_or_a_page_that_sets_a_cookie_is_never_shared(visitor_cache, rf, status, cookie):
    calls = []

    @cache_for_visitors
    def view(request):
        calls.append(request)
        response = HttpResponse("page", status=status)
        if cookie:
            response.set_cookie("csrftoken", "personal")
        return response

    for _ in range(2):
        request = rf.get("/somewhere/")
        request.user = AnonymousUser()
        request.session = {}
        request._messages = default_storage(request)
        view(request)
    assert len(calls) == 2
