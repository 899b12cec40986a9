import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.models import User
from apps.accounts.services import member_delete, profile_edit
from apps.claims.models import Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.maps.models import MapDirtyMark
from tests.factories import TopicFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_deleting_a_member_withdraws_their_endorsements_and_rebuilds_their_topics_maps(
    member, other_member, admin
):
    endorsed, posted, untouched = TopicFactory(), TopicFactory(), TopicFactory()
    claim, _ = claim_create(topic=endorsed, author=other_member, text="Fair use")
    endorsement_set(claim=claim, member=member, stance="supports")
    endorsement_set(claim=claim, member=other_member, stance="opposes")
    reply = make_reply(make_thread(topic=posted, author=other_member).opening_post, author=member)
    make_thread(topic=untouched, author=other_member)
    MapDirtyMark.objects.all().delete()
    member_delete(member=member, actor=admin)
    assert not User.objects.filter(username="alice").exists()
    assert list(Endorsement.objects.values_list("user", "stance")) == [(other_member.pk, "opposes")]
    assert set(MapDirtyMark.objects.values_list("topic", flat=True)) == {endorsed.pk, posted.pk}
    reply.refresh_from_db()
    assert reply.author is None  # the post stays, by "deleted user"


@pytest.mark.parametrize("who", ["member", "inactive administrator"])
def test_only_active_administrators_delete_members(member, other_member, who):
    claim, _ = claim_create(topic=TopicFactory(), author=member, text="Fair use")
    endorsement_set(claim=claim, member=member, stance="supports")
    actor = other_member
    if who == "inactive administrator":
        actor = UserFactory(username="gone", is_superuser=True, is_active=False)
    MapDirtyMark.objects.all().delete()
    with pytest.raises(PermissionDenied, match="Only administrators"):
        member_delete(member=member, actor=actor)
    assert User.objects.filter(pk=member.pk).exists() and Endorsement.objects.count() == 1
    assert not MapDirtyMark.objects.exists()


# --- profile_edit --------------------------------------------------------------------------


def test_a_member_sets_their_bio_rendered_and_sanitized(member, other_member):
    profile_edit(
        member=member, editor=member, bio="  I like **maps**, @bob. <script>x()</script>  "
    )

    member.refresh_from_db()
    assert member.bio == "I like **maps**, @bob. <script>x()</script>"
    assert "<strong>maps</strong>" in member.bio_html
    assert 'href="/u/bob/"' in member.bio_html
    assert "<script" not in member.bio_html


def test_a_blank_bio_clears_it(member):
    profile_edit(member=member, editor=member, bio="Hello")
    profile_edit(member=member, editor=member, bio="   ")
    member.refresh_from_db()
    assert (member.bio, member.bio_html) == ("", "")


@pytest.mark.parametrize(("bio", "code"), [("x" * 2001, "too_long"), ("a\x00b", "control")])
def test_an_overlong_or_nul_bio_is_refused(member, bio, code):
    with pytest.raises(ValidationError) as refusal:
        profile_edit(member=member, editor=member, bio=bio)
    assert refusal.value.code == code
    member.refresh_from_db()
    assert member.bio == ""


def test_nobody_edits_another_members_bio(member, other_member):
    with pytest.raises(PermissionDenied, match="their own profile"):
        profile_edit(member=member, editor=other_member, bio="Hacked")
    member.refresh_from_db()
    assert member.bio == ""
