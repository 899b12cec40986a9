import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from apps.claims.models import Claim, ClaimTag
from apps.claims.services import TagInput, claim_create
from apps.forum import services as forum
from apps.maps.services import map_build
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


def post_reply(api, thread, tags, **extra):
    return api.post(
        f"/api/threads/{thread.pk}/posts/",
        {"parent": thread.opening_post.pk, "body": "A reply", "tags": tags, **extra},
        format="json",
    )


def test_claims_are_searched_by_similarity_with_aliases_resolved(topic, member):
    target = claim_create(
        topic=topic, author=member, text="Models store copies of their training images"
    )
    alias = claim_create(topic=topic, author=member, text="The AI stores copies")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    claim_create(topic=topic, author=member, text="Training is fair use")
    results = (
        APIClient()
        .get(f"/api/topics/{topic.slug}/claims/", {"q": "stores copies"})
        .json()["results"]
    )
    assert [claim["id"] for claim in results] == [target.pk]
    listing = APIClient().get(f"/api/topics/{topic.slug}/claims/").json()
    assert listing["count"] == 2  # active claims only


def test_creating_a_claim_returns_the_existing_one_for_the_same_words(topic, api):
    created = api.post(f"/api/topics/{topic.slug}/claims/", {"text": "Fair use"}, format="json")
    again = api.post(f"/api/topics/{topic.slug}/claims/", {"text": "Fair use"}, format="json")
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]


@pytest.mark.parametrize("text, status", [("", 400), ("   ", 400), ("x" * 201, 400), ("?!", 400)])
def test_bad_claim_texts_are_refused(topic, api, text, status):
    assert (
        api.post(f"/api/topics/{topic.slug}/claims/", {"text": text}, format="json").status_code
        == status
    )
    assert not Claim.objects.exists()


def test_anonymous_cannot_create_claims(topic):
    assert (
        APIClient()
        .post(f"/api/topics/{topic.slug}/claims/", {"text": "x"}, format="json")
        .status_code
        == 401
    )


def test_a_claim_shows_its_standing_in_the_latest_map(thread, member, other_member):
    claim_post = forum.reply_create(
        parent=thread.opening_post, author=member, body="a", tags=[TagInput("Fair use", "supports")]
    )
    forum.reply_create(
        parent=claim_post,
        author=other_member,
        body="b",
        response="disagree",
        tags=[TagInput("Copies", "supports")],
    )
    map_build(topic_id=thread.topic_id)
    body = APIClient().get(f"/api/claims/{Claim.objects.get(text='Fair use').pk}/").json()
    assert (body["standing"], body["status"]) == ("OUT", "active")
    assert body["reason"] == "OUT: attacked by «Copies», which stands"
    assert APIClient().get("/api/claims/999999/").status_code == 404


def test_posts_are_created_with_tags_and_show_them(thread, api):
    existing = claim_create(topic=thread.topic, author=UserFactory(), text="Fair use")
    response = post_reply(
        api,
        thread,
        [{"claim": existing.pk, "stance": "opposes"}, {"claim": "Copies", "stance": "supports"}],
    )
    assert response.status_code == 201
    assert response.json()["tags"] == [
        {"claim": existing.pk, "claim_text": "Fair use", "stance": "opposes"},
        {
            "claim": Claim.objects.get(text="Copies").pk,
            "claim_text": "Copies",
            "stance": "supports",
        },
    ]
    listed = APIClient().get(f"/api/threads/{thread.pk}/posts/").json()["results"]
    assert listed[1]["tags"] == response.json()["tags"]


@pytest.mark.parametrize(
    "tags",
    [
        [{"claim": 999_999, "stance": "supports"}],
        [{"claim": "Fair use", "stance": "maybe"}],
        [{"claim": "Fair use", "stance": "supports"}, {"claim": "fair use", "stance": "opposes"}],
        [{"claim": f"Claim {n}", "stance": "supports"} for n in range(6)],
        [{"claim": True, "stance": "supports"}],
        [{"claim": ["list"], "stance": "supports"}],
        [{"claim": "x" * 201, "stance": "supports"}],
        [{"stance": "supports"}],
        "not a list",
    ],
)
def test_bad_tags_over_the_api_are_400_and_save_nothing(thread, api, tags):
    response = post_reply(api, thread, tags)
    assert response.status_code == 400, response.content
    assert (
        thread.posts.count() == 1 and not Claim.objects.exists() and not ClaimTag.objects.exists()
    )


def test_a_claim_of_another_topic_is_400(thread, api, member):
    foreign = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    response = post_reply(api, thread, [{"claim": foreign.pk, "stance": "supports"}])
    assert response.status_code == 400 and "another topic" in response.content.decode()


def test_patch_changes_tags_for_the_author_and_for_moderators_only(
    thread, member, other_member, api
):
    reply = forum.reply_create(
        parent=thread.opening_post, author=member, body="x", tags=[TagInput("Fair use", "supports")]
    )
    assert (
        api.patch(
            f"/api/posts/{reply.pk}/",
            {"tags": [{"claim": "Copies", "stance": "opposes"}]},
            format="json",
        ).status_code
        == 200
    )
    assert reply.tags.get().claim.text == "Copies"
    intruder = APIClient()
    intruder.force_authenticate(other_member)
    assert intruder.patch(f"/api/posts/{reply.pk}/", {"tags": []}, format="json").status_code == 403
    assert reply.tags.count() == 1
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="moderators"))
    intruder.force_authenticate(moderator)
    assert intruder.patch(f"/api/posts/{reply.pk}/", {"tags": []}, format="json").status_code == 200
    assert (
        intruder.patch(f"/api/posts/{reply.pk}/", {"body": "hijack"}, format="json").status_code
        == 403
    )
    assert not reply.tags.exists()
    assert api.patch(f"/api/posts/{reply.pk}/", {}, format="json").status_code == 400
