"""Who may moderate, action by action, who sees the moderators' names, who may report and
who handles reports."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied

from apps.moderation.permissions import (
    DELETE_THREADS,
    DELETE_TOPICS,
    LOCK_THREADS,
    MERGE_CLAIMS,
    REMOVE_POSTS,
    can_handle_reports,
    can_moderate,
    can_report_post,
    can_see_moderators,
    check_handle_reports,
    check_moderate,
    check_report_post,
)
from tests.factories import make_moderator, make_reply

pytestmark = pytest.mark.django_db

ACTIONS = [REMOVE_POSTS, LOCK_THREADS, DELETE_THREADS, DELETE_TOPICS, MERGE_CLAIMS]


@pytest.mark.parametrize("permission", ACTIONS)
def test_the_moderators_group_holds_every_moderation_action(permission, member, moderator):
    assert can_moderate(moderator, permission)
    assert not can_moderate(member, permission) and not can_moderate(AnonymousUser(), permission)


def test_a_deactivated_moderator_moderates_nothing():
    retired = make_moderator("retired", is_active=False)
    assert not any(can_moderate(retired, permission) for permission in ACTIONS)
    with pytest.raises(PermissionDenied, match="Only moderators can lock or unlock threads."):
        check_moderate(retired, LOCK_THREADS, "lock or unlock threads")


def test_one_permission_does_not_grant_another(member):
    app, codename = REMOVE_POSTS.split(".")
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label=app, codename=codename)
    )
    assert can_moderate(member, REMOVE_POSTS) and not can_moderate(member, DELETE_TOPICS)


def test_only_moderators_see_who_moderated(member, moderator):
    assert can_see_moderators(moderator)
    assert not can_see_moderators(member) and not can_see_moderators(AnonymousUser())


def test_members_report_others_posts_and_no_one_reports_their_own(thread, member, other_member):
    theirs = make_reply(thread.opening_post, author=other_member)
    assert can_report_post(member, theirs)
    assert not can_report_post(other_member, theirs)
    assert not can_report_post(AnonymousUser(), theirs)
    with pytest.raises(PermissionDenied, match="your own post"):
        check_report_post(other_member, theirs)
    with pytest.raises(PermissionDenied, match="Log in to report a post"):
        check_report_post(AnonymousUser(), theirs)


def test_only_active_moderators_handle_reports(member):
    assert can_handle_reports(make_moderator("active_mod"))
    assert not can_handle_reports(make_moderator("retired_mod", is_active=False))
    assert not can_handle_reports(member)
    assert not can_handle_reports(AnonymousUser())
    with pytest.raises(PermissionDenied, match="Only moderators"):
        check_handle_reports(member)
