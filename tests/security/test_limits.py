"""Rate limits, login throttling and security headers, on the real Redis."""

import pytest
import redis
from django.core import mail
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from apps.claims.models import Endorsement
from apps.claims.services.claims import claim_create
from apps.forum.models import Post
from apps.moderation.models import Report
from tests.factories import PASSWORD, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    """Limits on, with small numbers, and a clean slate in Redis: the limits cache's keys
    only, not the whole database, which the other xdist workers use at the same time."""
    settings.RATELIMIT_ENABLE = True
    settings.AXES_ENABLED = True
    settings.RATES = {
        "post": "3/m", "endorse": "3/m", "claim": "2/h", "signup": "2/h", "report": "2/h"
    }  # fmt: skip
    settings.RATES["password_reset"] = "2/h"
    server = redis.Redis.from_url(settings.CACHES["limits"]["LOCATION"])
    stale = list(server.scan_iter(match=caches["limits"].make_key("*")))
    if stale:
        server.delete(*stale)


def test_posting_too_fast_gets_a_clear_429_page_and_saves_nothing(limits, thread, logged_in):
    url = f"/posts/{thread.opening_post.pk}/reply/"
    statuses = [
        logged_in.post(url, {"body": f"reply {n}", "response": "neutral"}).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert thread.posts.count() == 1 + 3
    assert (
        "posting faster than this forum allows"
        in logged_in.post(url, {"body": "x", "response": "neutral"}).content.decode()
    )


def test_the_api_answers_429_when_posting_too_fast(limits, thread, member):
    api = APIClient()
    api.force_authenticate(member)
    payload = {"parent": thread.opening_post.pk, "body": "hi"}
    statuses = [
        api.post(f"/api/threads/{thread.pk}/posts/", payload, format="json").status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    assert Post.objects.filter(thread=thread).count() == 4


def test_endorsing_too_fast_gets_a_clear_429_over_html_and_the_api_alike(limits, topic, member):
    claim, _ = claim_create(topic=topic, author=member, text="Fair use")
    browser = Client()
    browser.force_login(member)
    url = f"/claims/{claim.pk}/endorsement/"
    statuses = [
        browser.post(url, {"stance": stance}).status_code
        for stance in ("supports", "withdraw", "opposes")
    ]
    refused = browser.post(url, {"stance": "supports"})
    assert statuses == [302, 302, 302] and refused.status_code == 429
    assert "faster than this forum allows" in refused.content.decode()
    assert Endorsement.objects.get().stance == "opposes"  # the refused one changed nothing
    api = APIClient()
    api.force_authenticate(member)
    refused = api.put(f"/api/claims/{claim.pk}/endorsement/", {"stance": "supports"}, format="json")
    assert refused.status_code == 429 and "Too many requests" in refused.json()["detail"]
    assert api.delete(f"/api/claims/{claim.pk}/endorsement/").status_code == 429
    assert api.get(f"/api/claims/{claim.pk}/endorsement/").status_code == 200  # reads are free
    assert Endorsement.objects.get().stance == "opposes"


def test_claim_creation_is_limited(limits, topic, member):
    api = APIClient()
    api.force_authenticate(member)
    statuses = [
        api.post(
            f"/api/topics/{topic.slug}/claims/", {"text": f"Claim {n}"}, format="json"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_reporting_shares_one_budget_over_html_and_the_api(limits, topic, thread, member):
    claim, _ = claim_create(topic=topic, author=member, text="Fair use")
    posts = [make_reply(thread.opening_post, body=f"Spam {n}") for n in range(3)]
    browser = Client()
    browser.force_login(member)
    assert browser.post(f"/posts/{posts[0].pk}/report/", {"reason": "Spam"}).status_code == 302
    api = APIClient()
    api.force_authenticate(member)
    sent = api.post(f"/api/claims/{claim.pk}/reports/", {"reason": "Vague"}, format="json")
    assert sent.status_code == 201
    refused = browser.post(f"/posts/{posts[1].pk}/report/", {"reason": "Spam"})
    assert (
        refused.status_code == 429 and "faster than this forum allows" in refused.content.decode()
    )
    refused = api.post(f"/api/posts/{posts[2].pk}/reports/", {"reason": "Spam"}, format="json")
    assert refused.status_code == 429
    assert Report.objects.count() == 2


def test_signups_from_one_address_are_limited(limits):
    client = Client()
    for n in range(2):
        data = {
            "username": f"new{n}",
            "email": "",
            "password1": "a-Long-pass-9",
            "password2": "a-Long-pass-9",
        }
        assert client.post("/accounts/signup/", data).status_code == 302
        client.post("/accounts/logout/")
    data = {
        "username": "new9",
        "email": "",
        "password1": "a-Long-pass-9",
        "password2": "a-Long-pass-9",
    }
    assert client.post("/accounts/signup/", data).status_code == 429


def test_password_reset_requests_from_one_address_are_limited(limits, member):
    client = Client()
    asks = [
        client.post("/accounts/password_reset/", {"email": "alice@example.org"}).status_code
        for _ in range(3)
    ]
    assert asks == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_repeated_failed_logins_lock_the_account_for_that_address(limits, member):
    client = Client()
    wrong = {"username": "alice", "password": "wrong"}
    assert [client.post("/accounts/login/", wrong).status_code for _ in range(5)] == [200] * 4 + [
        429
    ]
    locked = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other_address.post(
            "/accounts/login/", {"username": "alice", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_pages_carry_a_content_security_policy_without_inline_scripts(thread):
    response = Client().get(thread.get_absolute_url())
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert (
        policy["script-src"] == "'self'"
        and "unsafe-inline" not in response["Content-Security-Policy"]
    )
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    html = response.content.decode()
    assert "<script>" not in html and " on" + "click=" not in html


def test_with_redis_unreachable_members_still_post_and_log_in(limits, settings, thread, member):
    down = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHES = {
        name: {**config, "LOCATION": down} for name, config in settings.CACHES.items()
    }
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )
    response = client.post(
        f"/posts/{thread.opening_post.pk}/reply/", {"body": "still here", "response": "neutral"}
    )
    assert response.status_code == 302
    assert thread.posts.filter(body="still here").exists()
