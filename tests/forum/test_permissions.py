"""Who may reply, edit and delete: the forum's permission functions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.forum.permissions import (
    can_delete_post,
    can_edit_post,
    can_reply,
    check_delete_post,
    check_edit_post,
    check_reply,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def lock(thread):
    thread.locked = True
    thread.save(update_fields=["locked"])


def test_members_reply_while_the_thread_is_open(thread, member):
    assert can_reply(member, thread) and not can_reply(AnonymousUser(), thread)
    with pytest.raises(PermissionDenied, match="Log in to reply"):
        check_reply(AnonymousUser(), thread)
    lock(thread)
    assert not can_reply(member, thread)
    with pytest.raises(PermissionDenied, match="locked"):
        check_reply(member, thread)


def test_only_the_author_edits_and_only_while_the_thread_is_open(reply, member, other_member):
    moderator = UserFactory(username="boss", is_superuser=True)  # every permission there is
    assert can_edit_post(member, reply)
    assert not any(can_edit_post(user, reply) for user in (other_member, moderator, None))
    with pytest.raises(PermissionDenied, match="Only the author can edit this post."):
        check_edit_post(moderator, reply)
    lock(reply.thread)
    assert not can_edit_post(member, reply)
    with pytest.raises(PermissionDenied, match="can no longer be edited"):
        check_edit_post(member, reply)


def test_the_page_can_ask_with_its_own_thread(reply, member, django_assert_num_queries):
    reply.thread.locked = True  # the page's copy of the thread says so
    with django_assert_num_queries(0):
        assert not can_edit_post(member, reply, thread=reply.thread)


def test_a_deactivated_author_can_neither_edit_nor_delete(reply, member):
    member.is_active = False
    assert not can_edit_post(member, reply) and not can_delete_post(member, reply)
    with pytest.raises(PermissionDenied, match="Log in to delete"):
        check_delete_post(member, reply)


def test_only_the_author_deletes(reply, member, other_member):
    assert can_delete_post(member, reply) and not can_delete_post(other_member, reply)
    with pytest.raises(PermissionDenied, match="Only the author can delete this post."):
        check_delete_post(other_member, reply)
