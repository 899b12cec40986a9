"""Who may tag a post and merge claims."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIRequestFactory

from apps.claims.permissions import (
    MayMergeClaims,
    can_merge,
    can_tag_any_post,
    can_tag_post,
    check_merge,
    check_tag_post,
)
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db


def test_the_author_and_moderators_tag_a_post(reply, member, other_member, moderator):
    assert can_tag_post(member, reply) and can_tag_post(moderator, reply)
    assert not can_tag_post(other_member, reply) and not can_tag_post(AnonymousUser(), reply)
    assert can_tag_any_post(moderator) and not can_tag_any_post(member)
    with pytest.raises(PermissionDenied, match="Only the post's author or a moderator"):
        check_tag_post(other_member, reply)
    with pytest.raises(PermissionDenied, match="Log in to tag posts"):
        check_tag_post(AnonymousUser(), reply)


def test_in_a_locked_thread_only_moderators_tag(reply, member, moderator):
    reply.thread.locked = True
    assert not can_tag_post(member, reply) and can_tag_post(moderator, reply)
    check_tag_post(moderator, reply)
    with pytest.raises(PermissionDenied, match="locked"):
        check_tag_post(member, reply)


def test_only_active_moderators_merge(member, moderator):
    retired = make_moderator("retired", is_active=False)
    assert can_merge(moderator)
    assert not can_merge(member) and not can_merge(retired)
    with pytest.raises(PermissionDenied, match="Only moderators can undo merges."):
        check_merge(member, "undo merges")
    request = APIRequestFactory().post("/api/topics/t/merges/")
    for user, allowed in [(moderator, True), (member, False), (AnonymousUser(), False)]:
        request.user = user
        assert MayMergeClaims().has_permission(request, None) is allowed


def test_the_author_of_a_post_in_an_open_thread_is_let_through_without_a_query(
    reply, member, django_assert_num_queries
):
    """Every reply tags its own new post through check_tag_post: it reads no permissions."""
    assert not reply.thread.locked  # the thread is loaded, as posting has it
    with django_assert_num_queries(0):
        check_tag_post(member, reply)
