"""Deleting things loses nothing by accident: users, threads and topics."""

import pytest
from django.test import Client

from apps.claims.services.tags import TagInput
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.posting import reply_create
from apps.maps.models import MapDirtyMark
from apps.moderation.models import ModerationAction
from tests.factories import make_moderator, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client():
    client = Client()
    client.force_login(make_moderator())
    return client


def test_deleting_a_user_keeps_their_posts_as_by_a_deleted_user(thread, member, other_member):
    reply = make_reply(thread.opening_post, author=other_member, body="Still part of the debate")
    make_reply(reply, author=member, body="An answer to it")
    other_member.delete()
    reply.refresh_from_db()
    assert reply.author is None and reply.body == "Still part of the debate"
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert (
        "deleted user" in html and "Still part of the debate" in html and "An answer to it" in html
    )


def test_deleting_a_thread_asks_first_and_says_what_goes(thread, member, moderator_client):
    reply_create(
        parent=thread.opening_post, author=member, body="x", tags=[TagInput("Fair use", "supports")]
    )
    url = f"/moderation/threads/{thread.pk}/delete/"
    page = moderator_client.get(url).content.decode()
    assert "all 2 of its posts" in page and "1 claim tags" in page
    assert Thread.objects.filter(pk=thread.pk).exists()  # asking deletes nothing
    assert moderator_client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert Thread.objects.filter(pk=thread.pk).exists()
    response = moderator_client.post(url, {"reason": "Spam thread"})
    assert response.status_code == 302 and response.url == thread.topic.get_absolute_url()
    assert (
        not Thread.objects.filter(pk=thread.pk).exists()
        and not Post.objects.filter(thread_id=thread.pk).exists()
    )
    entry = ModerationAction.objects.get(kind="delete_thread")
    assert entry.reason == "Spam thread" and "with its 2 posts" in entry.summary
    assert MapDirtyMark.objects.filter(topic=thread.topic).exists()


def test_members_cannot_delete_threads_or_topics(thread, logged_in):
    assert (
        logged_in.post(f"/moderation/threads/{thread.pk}/delete/", {"reason": "x"}).status_code
        == 403
    )
    assert (
        logged_in.post(
            f"/moderation/topics/{thread.topic.slug}/delete/", {"reason": "x"}
        ).status_code
        == 403
    )
    assert Thread.objects.filter(pk=thread.pk).exists()


def test_a_topic_with_threads_is_not_deleted(thread, moderator_client):
    url = f"/moderation/topics/{thread.topic.slug}/delete/"
    assert "still has 1 thread" in moderator_client.get(url).content.decode()
    response = moderator_client.post(url, {"reason": "Gone"})
    assert response.status_code == 200 and "still has 1 thread" in response.content.decode()
    assert Topic.objects.filter(pk=thread.topic_id).exists()


def test_an_empty_topic_is_deleted_and_the_log_keeps_its_entries(topic, moderator_client):
    response = moderator_client.post(
        f"/moderation/topics/{topic.slug}/delete/", {"reason": "Duplicate topic"}
    )
    assert response.status_code == 302 and not Topic.objects.filter(pk=topic.pk).exists()
    entry = ModerationAction.objects.get(kind="delete_topic")
    assert entry.topic is None and entry.reason == "Duplicate topic"
    assert "(deleted topic)" in Client().get("/modlog/").content.decode()
