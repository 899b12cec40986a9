"""GET /api/search/ (apps/search/api): the same search as the page, paged like every list,
bad parameters answered 400 in the API's error shape."""

import pytest
import yaml
from rest_framework.test import APIClient

from apps.claims.services.claims import claim_create
from apps.claims.services.merge import claim_merge
from apps.claims.services.tags import TagInput
from apps.forum.services.post_state import post_delete, post_remove
from apps.maps.services import map_build
from tests.factories import UserFactory, make_moderator, make_reply

pytestmark = pytest.mark.django_db


def search(**params):
    return APIClient().get("/api/search/", params)


def test_posts_found_come_with_thread_author_rank_and_escaped_snippet(thread, member):
    reply = make_reply(thread.opening_post, author=member, body="Copyright <3 & law")
    response = search(q="copyright")
    assert response.status_code == 200
    assert response.data["count"] == 1 and response.data["next"] is None
    (hit,) = response.data["results"]
    assert {key: hit[key] for key in ("type", "id", "url", "thread", "topic", "author")} == {
        "type": "post",
        "id": reply.pk,
        "url": f"/posts/{reply.pk}/#post-{reply.pk}",
        "thread": thread.pk,
        "topic": "ai-art",
        "author": "alice",
    }
    assert hit["thread_title"] == thread.title and hit["rank"] > 0
    assert hit["snippet"] == "<mark>Copyright</mark> &lt;3 &amp; law"


def test_a_removed_post_is_not_found_and_its_text_not_shown(thread, member):
    reply = make_reply(thread.opening_post, author=member, body="Secretword here")
    post_remove(post=reply, moderator=make_moderator(), reason="spam")
    response = search(q="secretword")
    assert response.data["count"] == 0 and "Secretword" not in response.content.decode()


def test_claims_found_carry_their_strength_and_standing(thread, member, topic):
    fair = claim_create(topic=topic, author=member, text="Training is fair use")[0]
    alias = claim_create(topic=topic, author=member, text="Training counts as fair use")[0]
    other = claim_create(topic=topic, author=member, text="Fair use is American law")[0]
    make_reply(thread.opening_post, author=member, body="Yes", tags=[TagInput(fair.pk, "supports")])
    claim_merge(target=fair, sources=[alias], moderator=make_moderator(), reason="dup")
    map_build(topic_id=topic.pk)
    response = search(q="training", type="claims")
    assert response.status_code == 200
    assert response.data["results"] == [
        {
            "type": "claim",
            "id": fair.pk,
            "url": f"/claims/{fair.pk}/",
            "topic": "ai-art",
            "text": "Training is fair use",
            "strength": pytest.approx(2 / 3),
            "standing": "IN",
            "map_version": 1,
        }
    ]
    found = {hit["id"]: hit for hit in search(q="fair use", type="claims").data["results"]}
    assert set(found) == {fair.pk, other.pk}
    assert found[other.pk]["strength"] is None and found[other.pk]["standing"] is None


def test_results_are_paged_like_every_list(thread, member):
    for number in range(55):
        make_reply(thread.opening_post, author=member, body=f"Copyright note {number}")
    first = search(q="copyright")
    assert first.data["count"] == 55 and len(first.data["results"]) == 50
    assert first.data["next"] == "http://testserver/api/search/?page=2&q=copyright"
    second = APIClient().get(first.data["next"])
    assert len(second.data["results"]) == 5
    seen = {hit["id"] for hit in first.data["results"] + second.data["results"]}
    assert len(seen) == 55
    assert search(q="copyright", page=3).status_code == 404


def test_filters_by_topic_and_author(thread, member, other_member):
    make_reply(thread.opening_post, author=member, body="Copyright mine")
    theirs = make_reply(thread.opening_post, author=other_member, body="Copyright theirs")
    response = search(q="copyright", topic="ai-art", author="bob")
    assert [hit["id"] for hit in response.data["results"]] == [theirs.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "This field is required."),
        ({"q": "   "}, "q", "Type the words to search for."),
        ({"q": "the of"}, "q", "too common"),
        ({"q": "-copyright"}, "q", "not only words to leave out"),
        ({"q": "a\x07b"}, "q", "control characters"),
        ({"q": "a\x00b"}, "q", "Null characters are not allowed."),
        ({"q": "y" * 201}, "q", "at most 200"),
        ({"q": "law", "type": "users"}, "type", "is not a valid choice"),
        ({"q": "law", "topic": "nope"}, "topic", "There is no topic “nope”."),
        ({"q": "law", "author": "nobody"}, "author", "No member is called “nobody”."),
        ({"q": "law", "page": "x"}, "detail", "Invalid page."),
    ],
)
def test_bad_parameters_are_a_400_saying_which_and_why(topic, params, field, message):
    response = search(**params)
    assert response.status_code == (404 if field == "detail" else 400)
    errors = response.data[field]
    assert message in (errors if isinstance(errors, str) else errors[0])


def test_the_schema_documents_the_operation_with_a_summary_and_its_parameters():
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)
    operation = schema["paths"]["/api/search/"]["get"]
    assert operation["summary"] == "Search posts or claims"
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "q",
        "type",
        "topic",
        "author",
        "page",
    }
    hit = schema["components"]["schemas"]["SearchHit"]["oneOf"]
    assert hit == [
        {"$ref": "#/components/schemas/PostHit"},
        {"$ref": "#/components/schemas/ClaimHit"},
    ]


def test_a_visitor_and_a_member_get_the_same_answer(thread, member):
    make_reply(thread.opening_post, author=member, body="Copyright for all")
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get("/api/search/", {"q": "copyright"}).data == search(q="copyright").data
    post_delete(post=thread.opening_post.replies.get(), actor=member)
    assert search(q="copyright").data["count"] == 0
