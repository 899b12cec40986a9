"""Who may report and who handles reports (apps/moderation/permissions.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.moderation import permissions
from tests.factories import make_moderator, make_reply

pytestmark = pytest.mark.django_db


def test_members_report_others_posts_and_no_one_reports_their_own(thread, member, other_member):
    theirs = make_reply(thread.opening_post, author=other_member)
    assert permissions.can_report_post(member, theirs)
    assert not permissions.can_report_post(other_member, theirs)
    assert not permissions.can_report_post(AnonymousUser(), theirs)
    with pytest.raises(PermissionDenied, match="your own post"):
        permissions.check_report_post(other_member, theirs)
    with pytest.raises(PermissionDenied, match="Log in to report a post"):
        permissions.check_report_post(AnonymousUser(), theirs)


def test_only_active_moderators_handle_reports(member):
    assert permissions.can_handle_reports(make_moderator("active_mod"))
    assert not permissions.can_handle_reports(make_moderator("retired_mod", is_active=False))
    assert not permissions.can_handle_reports(member)
    assert not permissions.can_handle_reports(AnonymousUser())
    with pytest.raises(PermissionDenied, match="Only moderators"):
        permissions.check_handle_reports(member)
