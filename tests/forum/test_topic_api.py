"""POST /api/topics/ and PATCH /api/topics/{slug}/, and the API's refusals in an archived
topic (403 with the reason, nothing changed)."""

import pytest

from apps.claims.models import Claim
from apps.claims.services.tags import TagInput
from apps.forum.models import Post, Topic
from apps.forum.services.topics import topic_archive
from apps.moderation.models import ModerationAction
from tests.conftest import api_of
from tests.factories import make_reply

pytestmark = pytest.mark.django_db


def test_a_moderator_creates_a_topic(moderator):
    response = api_of(moderator).post(
        "/api/topics/", {"title": "Licences", "description": "Which?"}, format="json"
    )

    assert response.status_code == 201
    assert response.data == {
        "slug": "licences", "title": "Licences", "description": "Which?", "archived": False,
        "created": response.data["created"],
    }  # fmt: skip
    assert api_of().get("/api/topics/licences/").data["title"] == "Licences"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "slug": "Bad Slug"},
        {"title": "ok", "slug": "new"},
        {"title": "ok", "description": "d" * 2001},
        {"title": "nul\x00"},
        {"title": ["list"]},
    ],
)
def test_bad_topics_are_400_with_a_message_and_nothing_created(moderator, body):
    response = api_of(moderator).post("/api/topics/", body, format="json")
    assert response.status_code == 400 and response.data
    assert not Topic.objects.exists()


def test_a_taken_slug_is_400(moderator, topic):
    response = api_of(moderator).post(
        "/api/topics/", {"title": "Again", "slug": "ai-art"}, format="json"
    )
    assert response.status_code == 400
    assert "already has the address" in str(response.data)


def test_members_get_403_and_visitors_401(member, topic):
    assert api_of(member).post("/api/topics/", {"title": "x"}, format="json").status_code == 403
    assert api_of().post("/api/topics/", {"title": "x"}, format="json").status_code == 401
    patch = {"title": "Renamed"}
    assert api_of(member).patch("/api/topics/ai-art/", patch, format="json").status_code == 403
    assert api_of().patch("/api/topics/ai-art/", patch, format="json").status_code == 401
    assert Topic.objects.get().title == "AI art"


def test_a_moderator_edits_then_archives_then_unarchives(moderator, topic):
    api = api_of(moderator)

    edited = api.patch("/api/topics/ai-art/", {"description": "All of it"}, format="json")
    archived = api.patch(
        "/api/topics/ai-art/", {"archived": True, "reason": "Settled"}, format="json"
    )
    again = api.patch("/api/topics/ai-art/", {"archived": True, "reason": "x"}, format="json")
    reopened = api.patch("/api/topics/ai-art/", {"archived": False, "reason": "x"}, format="json")

    assert edited.status_code == 200 and edited.data["description"] == "All of it"
    assert archived.status_code == 200 and archived.data["archived"] is True
    assert again.status_code == 400 and "already archived" in str(again.data)
    assert reopened.status_code == 200 and reopened.data["archived"] is False
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["edit_topic", "archive_topic", "unarchive_topic"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"archived": True},
        {"archived": True, "reason": "x", "title": "Both"},
        {"reason": "alone"},
        {"archived": "maybe", "reason": "x"},
    ],
)
def test_a_patch_mixing_or_missing_what_it_needs_is_400(moderator, topic, body):
    response = api_of(moderator).patch("/api/topics/ai-art/", body, format="json")
    assert response.status_code == 400 and response.data
    topic.refresh_from_db()
    assert (topic.title, topic.archived) == ("AI art", False)


def test_the_api_refuses_writes_in_an_archived_topic_with_403(
    moderator, member, other_member, thread
):
    reply = make_reply(thread.opening_post, author=member, tags=[TagInput("Fair use", "supports")])
    topic_archive(topic=thread.topic, moderator=moderator, archived=True, reason="x")
    claim = Claim.objects.get()
    api, mod = api_of(member), api_of(moderator)

    answers = [
        api.post("/api/topics/ai-art/threads/", {"title": "t", "body": "b"}, format="json"),
        api.post(
            f"/api/threads/{thread.pk}/posts/", {"parent": reply.pk, "body": "b"}, format="json"
        ),
        api.patch(f"/api/posts/{reply.pk}/", {"body": "edited"}, format="json"),
        api.delete(f"/api/posts/{reply.pk}/"),
        mod.patch(
            f"/api/posts/{reply.pk}/", {"tags": [{"claim": "New", "stance": "supports"}]},
            format="json",
        ),
        api.post("/api/topics/ai-art/claims/", {"text": "Another"}, format="json"),
        api_of(other_member).put(
            f"/api/claims/{claim.pk}/endorsement/", {"stance": "opposes"}, format="json"
        ),
    ]  # fmt: skip

    for response in answers:
        assert response.status_code == 403, response.data
        assert "archived" in response.data["detail"]
    assert Post.objects.count() == 2 and Claim.objects.count() == 1
