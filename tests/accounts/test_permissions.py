"""apps/accounts/permissions.py: a member edits their own profile only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.accounts.permissions import can_edit_profile, check_edit_profile

pytestmark = pytest.mark.django_db


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
