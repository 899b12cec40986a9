"""The admin deletes members through member_delete, one at a time or in bulk."""

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.claims.models import Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.maps.models import MapDirtyMark
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def endorsers(topic, member):
    claim, _ = claim_create(topic=topic, author=member, text="Fair use")
    users = [UserFactory(username=name) for name in ["ann", "ben", "cat"]]
    for user in users:
        endorsement_set(claim=claim, member=user, stance="supports")
    MapDirtyMark.objects.all().delete()
    return users


def test_deleting_a_member_in_the_admin_withdraws_their_endorsements(
    admin_client, endorsers, topic
):
    ann = endorsers[0]
    response = admin_client.post(f"/admin/accounts/user/{ann.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="ann").exists()
    assert Endorsement.objects.count() == 2
    assert list(MapDirtyMark.objects.values_list("topic", flat=True)) == [topic.pk]


def test_deleting_members_in_bulk_in_the_admin_marks_the_map_for_each(
    admin_client, endorsers, topic
):
    response = admin_client.post(
        "/admin/accounts/user/",
        {
            "action": "delete_selected",
            "_selected_action": [user.pk for user in endorsers[:2]],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert list(Endorsement.objects.values_list("user__username", flat=True)) == ["cat"]
    assert MapDirtyMark.objects.filter(topic=topic).count() == 2
