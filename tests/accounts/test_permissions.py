"""The rule the others start from: an active member; and a member edits their own
profile only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIRequestFactory

from apps.accounts.permissions import (
    IsActiveMember,
    IsActiveMemberOrReadOnly,
    can_delete_member,
    can_edit_profile,
    can_participate,
    check_delete_member,
    check_edit_profile,
    check_participate,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_a_logged_in_active_account_participates(member):
    gone = UserFactory(username="gone", is_active=False)
    assert can_participate(member)
    assert not any(can_participate(user) for user in (None, AnonymousUser(), gone))
    check_participate(member, "reply")
    with pytest.raises(PermissionDenied, match="Log in to reply."):
        check_participate(gone, "reply")


def test_only_administrators_delete_members(member, moderator):
    admin = UserFactory(username="root", is_superuser=True)
    assert can_delete_member(admin)
    assert not can_delete_member(member) and not can_delete_member(moderator)
    with pytest.raises(PermissionDenied, match="Only administrators"):
        check_delete_member(moderator)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_api_lets_anyone_read_and_active_members_write(method, member):
    request = getattr(APIRequestFactory(), method)("/api/topics/")
    for user, writes in [(AnonymousUser(), False), (member, True)]:
        request.user = user
        assert IsActiveMember().has_permission(request, None) is writes
        allowed = IsActiveMemberOrReadOnly().has_permission(request, None)
        assert allowed is (writes or method == "get")


def test_only_the_member_themself_may_edit_their_profile(member, other_member):
    assert can_edit_profile(member, member)
    assert not can_edit_profile(other_member, member)
    assert not can_edit_profile(AnonymousUser(), member)
    member.is_active = False
    assert not can_edit_profile(member, member)


def test_the_refusals_say_why(member, other_member):
    with pytest.raises(PermissionDenied, match="Log in"):
        check_edit_profile(AnonymousUser(), member)
    with pytest.raises(PermissionDenied, match="their own profile"):
        check_edit_profile(other_member, member)
