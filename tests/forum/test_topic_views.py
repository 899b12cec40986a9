"""apps/forum/topic_views.py and the pages an archived topic changes: moderators create,
edit, archive and unarchive topics over plain forms; an archived topic shows no write form."""

import pytest
from django.test import Client

from apps.claims.models import Claim
from apps.claims.services.tags import TagInput
from apps.forum.models import Topic
from apps.forum.services.topics import topic_archive
from apps.maps.services import map_build
from apps.moderation.models import ModerationAction
from tests.factories import make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def test_moderators_see_the_new_topic_button_and_members_do_not(mod_client, logged_in):
    assert 'href="/topics/new/"' in mod_client.get("/").content.decode()
    assert 'href="/topics/new/"' not in logged_in.get("/").content.decode()
    assert 'href="/topics/new/"' not in Client().get("/").content.decode()


def test_a_moderator_creates_a_topic_over_the_form(mod_client):
    page = mod_client.get("/topics/new/")
    assert page.status_code == 200 and 'name="slug"' in page.content.decode()

    response = mod_client.post(
        "/topics/new/", {"title": "Open licences", "description": "Which?", "slug": ""}
    )

    assert response.status_code == 302 and response["Location"] == "/topics/open-licences/"
    topic = Topic.objects.get()
    assert (topic.title, topic.description) == ("Open licences", "Which?")
    assert "Open licences" in mod_client.get("/").content.decode()


def test_a_refused_topic_comes_back_with_the_error_and_nothing_saved(mod_client, topic):
    response = mod_client.post("/topics/new/", {"title": "AI art", "slug": "ai-art"})

    assert response.status_code == 200
    assert "already has the address" in response.content.decode()
    assert Topic.objects.count() == 1


def test_members_and_visitors_cannot_reach_the_topic_forms(logged_in, topic):
    for url in ("/topics/new/", "/topics/ai-art/edit/", "/topics/ai-art/archive/"):
        assert logged_in.get(url).status_code == 403
        assert logged_in.post(url, {"title": "x", "reason": "x"}).status_code == 403
        assert Client().get(url)["Location"].startswith("/accounts/login/")
    topic.refresh_from_db()
    assert (topic.title, topic.archived) == ("AI art", False)


def test_a_moderator_edits_a_topic(mod_client, topic):
    page = mod_client.get("/topics/ai-art/edit/").content.decode()
    assert 'value="AI art"' in page and 'name="slug"' not in page

    response = mod_client.post(
        "/topics/ai-art/edit/", {"title": "AI and art", "description": "Line one\nLine two"}
    )

    assert response.status_code == 302
    page = mod_client.get("/topics/ai-art/").content.decode()
    assert "AI and art" in page and "Line one<br>Line two" in page


def test_archiving_hides_every_write_form_and_keeps_the_map(mod_client, logged_in, thread, member):
    reply = make_reply(thread.opening_post, author=member, tags=[TagInput("Fair use", "supports")])
    map_build(topic_id=thread.topic_id)
    page = mod_client.get("/topics/ai-art/archive/")
    assert page.status_code == 200 and "becomes read-only" in page.content.decode()

    response = mod_client.post("/topics/ai-art/archive/", {"reason": "Settled"})

    assert response.status_code == 302
    topic = logged_in.get("/topics/ai-art/").content.decode()
    assert "archived" in topic and "Start a thread" not in topic
    thread_page = logged_in.get(f"/threads/{thread.pk}/").content.decode()
    assert "it takes no new replies" in thread_page
    assert 'class="reply-form"' not in thread_page
    assert f"/posts/{reply.pk}/edit/" not in thread_page
    assert f"/posts/{reply.pk}/reply/" not in thread_page
    mod_thread = mod_client.get(f"/threads/{thread.pk}/").content.decode()
    assert f"/moderation/posts/{reply.pk}/remove/" not in mod_thread
    assert f"/posts/{reply.pk}/tags/" not in mod_thread
    assert f"/moderation/threads/{thread.pk}/lock/" not in mod_thread
    claim = Claim.objects.get(text="Fair use")
    claim_page = logged_in.get(claim.get_absolute_url()).content.decode()
    assert "take no new endorsements" in claim_page and "I support this" not in claim_page
    assert logged_in.get("/topics/ai-art/map/").status_code == 200
    assert logged_in.get("/topics/ai-art/map/export/argdown/").status_code == 200
    assert ModerationAction.objects.get(kind="archive_topic").reason == "Settled"


def test_write_pages_of_an_archived_topic_answer_403_and_change_nothing(
    mod_client, logged_in, thread, member, moderator
):
    reply = make_reply(thread.opening_post, author=member)
    topic_archive(topic=thread.topic, moderator=moderator, archived=True, reason="x")

    for url, data in [
        ("/topics/ai-art/new/", {"title": "New", "body": "Hello"}),
        (f"/posts/{reply.pk}/reply/", {"body": "Reply", "response": "neutral"}),
        (f"/posts/{reply.pk}/edit/", {"body": "Edited"}),
        (f"/posts/{reply.pk}/delete/", {}),
    ]:
        response = logged_in.post(url, data)
        assert response.status_code == 403, url
        assert "archived" in response.content.decode()
    reply.refresh_from_db()
    assert (reply.body, reply.state, reply.reply_count) == ("A reply", "visible", 0)


def test_a_moderator_unarchives_a_topic(mod_client, topic, moderator):
    topic_archive(topic=topic, moderator=moderator, archived=True, reason="x")
    assert "Unarchive this topic" in mod_client.get("/topics/ai-art/").content.decode()

    mod_client.post("/topics/ai-art/archive/", {"reason": "Reopened"})

    topic.refresh_from_db()
    assert not topic.archived


def test_archiving_without_a_reason_shows_the_error(mod_client, topic):
    response = mod_client.post("/topics/ai-art/archive/", {"reason": ""})
    assert response.status_code == 200 and 'class="errors"' in response.content.decode()
    topic.refresh_from_db()
    assert not topic.archived


def test_the_duplicate_queue_and_merge_page_of_an_archived_topic_are_403(
    mod_client, topic, moderator
):
    topic_archive(topic=topic, moderator=moderator, archived=True, reason="x")

    assert "Likely duplicate claims" not in mod_client.get("/topics/ai-art/").content.decode()
    for url in ("/moderation/topics/ai-art/duplicates/", "/moderation/topics/ai-art/merge/"):
        response = mod_client.get(url)
        assert response.status_code == 403 and "archived" in response.content.decode()
