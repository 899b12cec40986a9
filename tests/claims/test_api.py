import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.forum.services.posting import reply_create
from apps.maps.exports import stored_graph
from apps.maps.models import ArgumentMap
from apps.maps.services import map_build
from tests.factories import TopicFactory, UserFactory
from tests.maps.helpers import node as node_of

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
    target, _ = claim_create(
        topic=topic, author=member, text="Models store copies of their training images"
    )
    alias, _ = claim_create(topic=topic, author=member, text="The AI stores copies")
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


@pytest.mark.parametrize("again_text", ["Fair use", "fair USE", "  Fair   use. "])
def test_creating_a_claim_is_201_only_when_new_and_200_for_the_same_words(topic, api, again_text):
    created = api.post(f"/api/topics/{topic.slug}/claims/", {"text": "Fair use"}, format="json")
    again = api.post(f"/api/topics/{topic.slug}/claims/", {"text": again_text}, format="json")
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]
    assert Claim.objects.count() == 1


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
    claim_post = reply_create(
        parent=thread.opening_post, author=member, body="a", tags=[TagInput("Fair use", "supports")]
    )
    reply_create(
        parent=claim_post,
        author=other_member,
        body="b",
        response="disagree",
        tags=[TagInput("Copies", "supports")],
    )
    fair_use = Claim.objects.get(text="Fair use")
    endorsement_set(claim=fair_use, member=UserFactory(username="fay"), stance="supports")
    map_build(topic_id=thread.topic_id)
    node = node_of(stored_graph(ArgumentMap.objects.get(topic=thread.topic)), fair_use.pk)
    body = APIClient().get(f"/api/claims/{fair_use.pk}/").json()
    assert (body["standing"], body["status"]) == ("OUT", "active")
    assert body["reason"] == "Has an unanswered objection: «Copies»"
    assert (body["strength"], body["base"]) == (node["strength"], node["base"])
    assert (body["supporters"], body["opposers"]) == (2, 1)
    assert body["endorsements"] == {"supports": 1, "opposes": 0}
    assert body["map_version"] == 1
    assert APIClient().get("/api/claims/999999/").status_code == 404


def test_a_claim_off_the_map_has_null_map_fields(thread, member):
    reply_create(
        parent=thread.opening_post, author=member, body="a", tags=[TagInput("Fair use", "supports")]
    )
    untagged, _ = claim_create(topic=thread.topic, author=member, text="Nobody says")
    before = APIClient().get(f"/api/claims/{untagged.pk}/").json()
    map_build(topic_id=thread.topic_id)
    after = APIClient().get(f"/api/claims/{untagged.pk}/").json()
    fields = ["standing", "reason", "strength", "base", "supporters", "opposers", "endorsements"]
    assert [after[name] for name in fields] == [None] * len(fields)
    assert (before["map_version"], after["map_version"]) == (None, 1)


def test_the_claim_api_reads_the_claims_row_never_the_graph(thread, member):
    reply_create(
        parent=thread.opening_post, author=member, body="a", tags=[TagInput("Fair use", "supports")]
    )
    map_build(topic_id=thread.topic_id)
    url = f"/api/claims/{Claim.objects.get(text='Fair use').pk}/"
    with CaptureQueriesContext(connection) as queries:
        assert APIClient().get(url).status_code == 200
    assert len(queries) == 3  # the claim, the latest version, its row
    assert not any('"graph"' in query["sql"] for query in queries.captured_queries)


def test_posts_are_created_with_tags_and_show_them(thread, api):
    existing, _ = claim_create(topic=thread.topic, author=UserFactory(), text="Fair use")
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
    foreign, _ = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    response = post_reply(api, thread, [{"claim": foreign.pk, "stance": "supports"}])
    assert response.status_code == 400 and "another topic" in response.content.decode()


def test_patch_changes_tags_for_the_author_and_for_moderators_only(
    thread, member, other_member, api
):
    reply = reply_create(
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


# --- endorsements ----------------------------------------------------------------------


@pytest.fixture
def fair_use(topic, member):
    return claim_create(topic=topic, author=member, text="Fair use")[0]


def endorsement_url(claim) -> str:
    return f"/api/claims/{claim.pk}/endorsement/"


def endorsement_rows() -> list[tuple]:
    return list(
        Endorsement.objects.order_by("pk").values_list("pk", "claim", "user", "stance", "updated")
    )


def test_put_creates_then_changes_the_callers_endorsement(fair_use, member, api):
    created = api.put(endorsement_url(fair_use), {"stance": "supports"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"claim", "stance", "created", "updated"}
    assert (body["claim"], body["stance"]) == (fair_use.pk, "supports")
    assert body["created"] == body["updated"]
    same = api.put(endorsement_url(fair_use), {"stance": "supports"}, format="json")
    assert same.status_code == 200 and same.json() == body
    changed = api.put(endorsement_url(fair_use), {"stance": "opposes"}, format="json")
    assert changed.status_code == 200 and changed.json()["stance"] == "opposes"
    assert changed.json()["created"] == body["created"] != changed.json()["updated"]
    assert list(Endorsement.objects.values_list("user", "stance")) == [(member.pk, "opposes")]


def test_get_answers_the_callers_endorsement_or_404(fair_use, member, other_member, api):
    endorsement_set(claim=fair_use, member=other_member, stance="opposes")
    missing = api.get(endorsement_url(fair_use))
    assert missing.status_code == 404 and "not endorsed" in missing.json()["detail"]
    endorsement_set(claim=fair_use, member=member, stance="supports")
    found = api.get(endorsement_url(fair_use))
    assert found.status_code == 200
    assert (found.json()["claim"], found.json()["stance"]) == (fair_use.pk, "supports")


def test_delete_withdraws_it_and_a_second_delete_is_404(fair_use, member, other_member, api):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    endorsement_set(claim=fair_use, member=other_member, stance="supports")
    response = api.delete(endorsement_url(fair_use))
    assert response.status_code == 204 and not response.content
    assert list(Endorsement.objects.values_list("user", flat=True)) == [other_member.pk]
    again = api.delete(endorsement_url(fair_use))
    assert again.status_code == 404 and "nothing to withdraw" in again.json()["detail"]
    assert api.get(endorsement_url(fair_use)).status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_the_endorsement_endpoint_needs_credentials(fair_use, member, method):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    before = endorsement_rows()
    response = getattr(APIClient(), method)(
        endorsement_url(fair_use), {"stance": "opposes"}, format="json"
    )
    assert response.status_code == 401
    assert endorsement_rows() == before


@pytest.mark.parametrize(
    "payload", [{"stance": "maybe"}, {"stance": "withdraw"}, {"stance": None}, {}, ["supports"]]
)
def test_a_bad_stance_is_400_and_changes_nothing(fair_use, member, api, payload):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    before = endorsement_rows()
    response = api.put(endorsement_url(fair_use), payload, format="json")
    assert response.status_code == 400, response.content
    assert endorsement_rows() == before


def test_an_alias_answers_for_its_target_and_an_unknown_claim_is_404(topic, member, api):
    target, _ = claim_create(topic=topic, author=member, text="Models store copies")
    alias, _ = claim_create(topic=topic, author=member, text="The AI keeps a copy")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    response = api.put(endorsement_url(alias), {"stance": "opposes"}, format="json")
    assert response.status_code == 201 and response.json()["claim"] == target.pk
    assert api.get(endorsement_url(target)).json()["stance"] == "opposes"
    missing = "/api/claims/999999/endorsement/"
    assert api.put(missing, {"stance": "opposes"}, format="json").status_code == 404
    assert api.delete(missing).status_code == 404


def test_the_schema_documents_the_endorsement_endpoint(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/claims/{id}/endorsement/"]
    assert {"get", "put", "delete"} <= set(operations)
    assert set(operations["put"]["responses"]) == {"200", "201"}
    assert "204" in operations["delete"]["responses"]
