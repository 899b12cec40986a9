"""The forum's permission functions: who may reply, edit and delete, who manages topics,
and that an archived topic refuses every write service that changes its content or its map
(and marks no map dirty)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.claims.models import Claim, Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set, endorsement_withdraw
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from apps.claims.services.tags import TagInput, post_tags_set
from apps.forum import permissions
from apps.forum.models import Post, Thread, Topic
from apps.forum.permissions import (
    can_delete_post,
    can_edit_post,
    can_reply,
    check_delete_post,
    check_edit_post,
    check_reply,
)
from apps.forum.services.editing import post_edit
from apps.forum.services.post_state import post_delete, post_remove, post_restore
from apps.forum.services.posting import reply_create, thread_create
from apps.forum.services.threads import thread_delete, thread_set_locked
from apps.forum.services.topics import topic_archive
from apps.maps.models import MapDirtyMark
from apps.maps.services import map_build
from apps.moderation.models import ClaimMerge, DuplicateDismissal
from apps.moderation.services import duplicate_dismiss
from tests.factories import UserFactory, make_moderator, make_reply

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


@pytest.fixture
def archived(thread, member, other_member, moderator):
    """The topic with a thread, a tagged reply, a removed reply, an endorsement and a
    merge, built into a map, then archived."""
    reply = make_reply(
        thread.opening_post,
        author=member,
        tags=[TagInput("Fair use", "supports"), TagInput("Copies", "opposes")],
    )
    removed = make_reply(thread.opening_post, author=other_member, body="spam")
    post_remove(post=removed, moderator=moderator, reason="spam")
    fair_use, copies = Claim.objects.get(text="Fair use"), Claim.objects.get(text="Copies")
    endorsement_set(claim=fair_use, member=other_member, stance="supports")
    twin = claim_create(topic=thread.topic, author=member, text="Fair use applies")[0]
    merge = claim_merge(target=fair_use, sources=[twin], moderator=moderator, reason="same")
    map_build(topic_id=thread.topic_id)
    topic_archive(topic=thread.topic, moderator=moderator, archived=True, reason="Settled")
    # Fresh rows, as a request reads them.
    claims = Claim.objects.select_related("topic")
    return {
        "topic": Topic.objects.get(pk=thread.topic_id),
        "thread": Thread.objects.select_related("topic").get(pk=thread.pk),
        "reply": Post.objects.select_related("thread__topic").get(pk=reply.pk),
        "removed": Post.objects.select_related("thread__topic").get(pk=removed.pk),
        "fair_use": claims.get(pk=fair_use.pk), "copies": claims.get(pk=copies.pk),
        "merge": ClaimMerge.objects.select_related("topic").get(pk=merge.pk),
    }  # fmt: skip


def writes(a, member, other_member, moderator):
    """Every write service that could touch the archived topic, as its caller would."""
    return {
        "start a thread": lambda: thread_create(
            topic=a["topic"], author=member, title="New", body="Hello"
        ),
        "reply": lambda: reply_create(parent=a["reply"], author=other_member, body="x"),
        "edit a post": lambda: post_edit(post=a["reply"], editor=member, body="Edited"),
        "delete a post": lambda: post_delete(post=a["reply"], actor=member),
        "tag a post": lambda: post_tags_set(
            post=a["reply"], actor=moderator, tags=[TagInput("New claim", "supports")]
        ),
        "create a claim": lambda: claim_create(topic=a["topic"], author=member, text="Another"),
        "endorse": lambda: endorsement_set(claim=a["copies"], member=member, stance="opposes"),
        "withdraw": lambda: endorsement_withdraw(claim=a["fair_use"], member=other_member),
        "merge": lambda: claim_merge(
            target=a["fair_use"], sources=[a["copies"]], moderator=moderator, reason="same"
        ),
        "undo a merge": lambda: claim_merge_undo(
            merge=a["merge"], moderator=moderator, reason="no"
        ),
        "remove a post": lambda: post_remove(post=a["reply"], moderator=moderator, reason="x"),
        "restore a post": lambda: post_restore(post=a["removed"], moderator=moderator, reason="x"),
        "delete a thread": lambda: thread_delete(
            thread=a["thread"], moderator=moderator, reason="x"
        ),
        "lock a thread": lambda: thread_set_locked(
            thread=a["thread"], moderator=moderator, locked=True, reason="x"
        ),
        "dismiss a duplicate pair": lambda: duplicate_dismiss(
            first=a["fair_use"], second=a["copies"], moderator=moderator
        ),
    }


WRITES = [
    "start a thread", "reply", "edit a post", "delete a post", "tag a post", "create a claim",
    "endorse", "withdraw", "merge", "undo a merge", "remove a post", "restore a post",
    "delete a thread", "lock a thread", "dismiss a duplicate pair",
]  # fmt: skip


@pytest.mark.parametrize("write", WRITES)
def test_an_archived_topic_refuses_every_write_and_changes_nothing(
    archived, member, other_member, moderator, write
):
    def snapshot():
        return (
            list(Post.objects.order_by("pk").values_list("pk", "body", "state")),
            list(Claim.objects.order_by("pk").values_list("pk", "status")),
            list(Endorsement.objects.order_by("pk").values_list("pk", "stance")),
            list(Thread.objects.values_list("pk", "locked")),
            DuplicateDismissal.objects.count(),
        )

    before = snapshot()
    with pytest.raises(PermissionDenied, match="archived: it is read-only"):
        writes(archived, member, other_member, moderator)[write]()
    assert snapshot() == before
    assert not MapDirtyMark.objects.filter(topic=archived["topic"]).exists()  # no rebuild


def test_the_writes_listed_are_every_write_of_the_fixture(archived, member, other_member):
    assert set(writes(archived, member, other_member, None)) == set(WRITES)


def test_unarchiving_lets_writes_through_again(archived, member, moderator):
    topic_archive(topic=archived["topic"], moderator=moderator, archived=False, reason="Reopened")
    parent = Post.objects.select_related("thread__topic").get(pk=archived["reply"].pk)
    reply = reply_create(parent=parent, author=member, body="Back")
    assert reply.pk


def test_can_manage_topics_is_for_active_moderators_only(member, moderator):
    assert permissions.can_manage_topics(moderator)
    assert not permissions.can_manage_topics(member)
    assert not permissions.can_manage_topics(None)
    gone = make_moderator("gone_mod")
    gone.is_active = False
    assert not permissions.can_manage_topics(gone)
    with pytest.raises(PermissionDenied, match="Only moderators can create topics"):
        permissions.check_manage_topics(UserFactory(username="zed"), "create topics")


def test_can_write_in_says_whether_the_topic_is_archived(topic):
    assert permissions.can_write_in(topic)
    topic.archived = True
    assert not permissions.can_write_in(topic)
    with pytest.raises(PermissionDenied):
        permissions.check_topic_open(topic)
