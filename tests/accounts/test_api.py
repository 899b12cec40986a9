"""GET /api/members/{username}/, and GET and PATCH /api/members/me/."""

import pytest

from apps.claims.models import Claim
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.maps.services import map_build
from tests.conftest import api_of
from tests.factories import make_reply

pytestmark = pytest.mark.django_db


def test_a_members_profile_lists_their_claims_and_endorsements_with_standing(
    thread, member, other_member
):
    make_reply(thread.opening_post, author=member, tags=[TagInput("Fair use", "supports")])
    make_reply(thread.opening_post, author=other_member, tags=[TagInput("Copies", "supports")])
    endorsement_set(claim=Claim.objects.get(text="Copies"), member=member, stance="opposes")
    map_build(topic_id=thread.topic_id)

    response = api_of().get("/api/members/alice/")

    assert response.status_code == 200
    data = response.data
    assert (data["username"], data["bio"], data["posts"]) == ("alice", "", 2)
    (claim,) = data["claims"]
    assert (claim["text"], claim["topic"], claim["standing"]) == ("Fair use", "ai-art", "IN")
    assert 0 < claim["strength"] < 1
    (endorsement,) = data["endorsements"]
    assert (endorsement["claim"]["text"], endorsement["stance"]) == ("Copies", "opposes")
    assert "password" not in data and "email" not in data


def test_unknown_and_inactive_members_are_404(member):
    assert api_of().get("/api/members/nobody/").status_code == 404
    member.is_active = False
    member.save()
    assert api_of().get("/api/members/alice/").status_code == 404


def test_a_member_reads_and_edits_their_own_bio(member):
    api = api_of(member)

    response = api.patch("/api/members/me/", {"bio": "I *read*"}, format="json")

    assert response.status_code == 200
    assert response.data["bio"] == "I *read*"
    assert response.data["bio_html"].strip() == "<p>I <em>read</em></p>"
    assert api.get("/api/members/me/").data["username"] == "alice"


@pytest.mark.parametrize("body", [{}, {"bio": "x" * 2001}, {"bio": "a\x00b"}, {"bio": 5 * [1]}])
def test_a_bad_bio_is_400_and_changes_nothing(member, body):
    response = api_of(member).patch("/api/members/me/", body, format="json")
    assert response.status_code == 400 and response.data
    member.refresh_from_db()
    assert member.bio == ""


def test_visitors_have_no_me():
    assert api_of().get("/api/members/me/").status_code == 401
    assert api_of().patch("/api/members/me/", {"bio": "x"}, format="json").status_code == 401
