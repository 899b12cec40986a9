"""apps/accounts/selectors.py: a profile's lists, each claim with its standing on the map."""

import pytest

from apps.accounts import selectors
from apps.claims.models import Claim
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.forum.services.post_state import post_delete
from apps.maps.services import map_build
from tests.factories import TopicFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def debate(thread, member, other_member):
    """alice's claims in two topics (one built into a map), and her endorsements."""
    make_reply(thread.opening_post, author=member, tags=[TagInput("Fair use", "supports")])
    make_reply(thread.opening_post, author=other_member, tags=[TagInput("Copies", "supports")])
    elsewhere = TopicFactory(slug="music", title="Music")
    make_thread(topic=elsewhere, author=member, tags=[TagInput("Sampling is fine", "supports")])
    claim_create(topic=thread.topic, author=member, text="Unmapped claim")
    copies = Claim.objects.get(text="Copies")
    endorsement_set(claim=copies, member=member, stance="opposes")
    map_build(topic_id=thread.topic_id)
    map_build(topic_id=elsewhere.pk)
    endorsement_set(claim=Claim.objects.get(text="Fair use"), member=member, stance="supports")


def test_claims_made_are_the_members_newest_first_with_their_standing(debate, member):
    page = selectors.profile_page(member=member, show="claims", page=1)

    texts = [claim.text for claim in page]
    assert texts == ["Unmapped claim", "Sampling is fine", "Fair use"]
    on_map = {claim.text: claim.on_map for claim in page}
    assert on_map["Unmapped claim"] is None
    assert on_map["Fair use"].standing == "IN" and 0 < on_map["Fair use"].strength < 1
    assert on_map["Sampling is fine"].argument_map.topic.slug == "music"


def test_endorsements_carry_their_stance_and_their_claims_standing(debate, member):
    page = selectors.profile_page(member=member, show="endorsements", page=1)

    rows = [(row.claim.text, row.stance, row.claim.on_map is not None) for row in page]
    assert rows == [("Fair use", "supports", True), ("Copies", "opposes", True)]


def test_the_lists_read_in_a_bounded_number_of_queries(
    debate, member, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # count, page, the map rows
        list(selectors.profile_page(member=member, show="endorsements", page=1))


def test_posts_are_visible_ones_only(thread, member):
    gone = make_reply(thread.opening_post, author=member, body="regret")
    post_delete(post=gone, actor=member)
    page = selectors.profile_page(member=member, show="posts", page=1)
    assert [post.pk for post in page] == [thread.opening_post.pk]
