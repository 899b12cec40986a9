import pytest
from rest_framework.test import APIClient

from apps.notifications.models import Notification, Watch
from tests.factories import UserFactory, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.fixture
def two_replies(thread, other_member):
    first = make_reply(thread.opening_post, author=other_member, body="First")
    return first, make_reply(thread.opening_post, author=other_member, body="Second")


def test_the_callers_notifications_newest_first_with_the_unread_count(api, two_replies):
    Notification.objects.create(user=UserFactory(), text="Someone else's")
    body = api.get("/api/notifications/").json()
    assert (body["count"], body["unread"]) == (2, 2)
    assert [note["excerpt"] for note in body["results"]] == ["Second", "First"]
    assert body["results"][0]["kind"] == "reply" and body["results"][0]["actor"] == "bob"
    assert body["results"][0]["post"] == two_replies[1].pk


def test_mark_read_by_ids_and_then_all(api, member, other_member, two_replies):
    first, second = member.notifications.order_by("pk")
    theirs = Notification.objects.create(user=other_member, text="Theirs")
    answer = api.post("/api/notifications/read/", {"ids": [first.pk, theirs.pk]}, format="json")
    assert answer.json() == {"marked": 1, "unread": 1}
    assert not Notification.objects.get(pk=theirs.pk).read
    answer = api.post("/api/notifications/read/", {"all": True}, format="json")
    assert answer.json() == {"marked": 1, "unread": 0}


@pytest.mark.parametrize(
    "data",
    [{}, {"all": False}, {"ids": [1], "all": True}, {"ids": "1"}, {"ids": [0]},
     {"ids": ["x"]}, {"ids": [2**63]}, {"ids": list(range(1, 502))}, {"all": "maybe"}, []],
)  # fmt: skip
def test_bad_input_is_a_400_in_the_error_shape_and_changes_nothing(api, member, two_replies, data):
    answer = api.post("/api/notifications/read/", data, format="json")
    assert answer.status_code == 400 and answer.json()
    assert member.notifications.filter(read=False).count() == 2


def test_visitors_get_a_401(two_replies):
    assert APIClient().get("/api/notifications/").status_code == 401
    assert APIClient().post("/api/notifications/read/", {"all": True}).status_code == 401
    assert APIClient().put(f"/api/threads/{two_replies[0].thread_id}/watch/").status_code == 401


def test_watch_and_unwatch_a_thread(thread, other_member):
    bob = APIClient()
    bob.force_authenticate(UserFactory(username="carol"))
    url = f"/api/threads/{thread.pk}/watch/"
    assert bob.get(url).json() == {"thread": thread.pk, "watching": False}
    assert bob.put(url).status_code == 201
    assert bob.put(url).status_code == 200
    assert bob.get(url).json()["watching"] is True
    assert bob.delete(url).status_code == 204
    assert not Watch.objects.filter(user__username="carol").exists()
    assert bob.put("/api/threads/999999/watch/").status_code == 404
