"""apps/forum/permissions.py: who manages topics, and that an archived topic refuses every
write service that changes its content or its map (and marks no map dirty)."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.claims.models import Claim, Endorsement
from apps.claims.services import (
    TagInput,
    claim_create,
    endorsement_set,
    endorsement_withdraw,
    post_tags_set,
)
from apps.forum import permissions, services
from apps.forum.models import Post, Thread, Topic
from apps.maps.models import MapRequest
from apps.maps.services import map_build
from apps.moderation import services as moderation
from apps.moderation.models import ClaimMerge
from tests.factories import UserFactory, make_moderator, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return make_moderator()


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
    moderation.post_remove(post=removed, moderator=moderator, reason="spam")
    fair_use, copies = Claim.objects.get(text="Fair use"), Claim.objects.get(text="Copies")
    endorsement_set(claim=fair_use, member=other_member, stance="supports")
    twin = claim_create(topic=thread.topic, author=member, text="Fair use applies")[0]
    merge = moderation.claim_merge(
        target=fair_use, sources=[twin], moderator=moderator, reason="same"
    )
    map_build(topic_id=thread.topic_id)
    services.topic_archive(topic=thread.topic, moderator=moderator, archived=True, reason="Settled")
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
        "start a thread": lambda: services.thread_create(
            topic=a["topic"], author=member, title="New", body="Hello"
        ),
        "reply": lambda: services.reply_create(parent=a["reply"], author=other_member, body="x"),
        "edit a post": lambda: services.post_edit(post=a["reply"], editor=member, body="Edited"),
        "delete a post": lambda: services.post_delete(post=a["reply"], actor=member),
        "tag a post": lambda: post_tags_set(
            post=a["reply"], actor=moderator, tags=[TagInput("New claim", "supports")]
        ),
        "create a claim": lambda: claim_create(topic=a["topic"], author=member, text="Another"),
        "endorse": lambda: endorsement_set(claim=a["copies"], member=member, stance="opposes"),
        "withdraw": lambda: endorsement_withdraw(claim=a["fair_use"], member=other_member),
        "merge": lambda: moderation.claim_merge(
            target=a["fair_use"], sources=[a["copies"]], moderator=moderator, reason="same"
        ),
        "undo a merge": lambda: moderation.claim_merge_undo(
            merge=a["merge"], moderator=moderator, reason="no"
        ),
        "remove a post": lambda: moderation.post_remove(
            post=a["reply"], moderator=moderator, reason="x"
        ),
        "restore a post": lambda: moderation.post_restore(
            post=a["removed"], moderator=moderator, reason="x"
        ),
        "delete a thread": lambda: moderation.thread_delete(
            thread=a["thread"], moderator=moderator, reason="x"
        ),
    }


WRITES = [
    "start a thread", "reply", "edit a post", "delete a post", "tag a post", "create a claim",
    "endorse", "withdraw", "merge", "undo a merge", "remove a post", "restore a post",
    "delete a thread",
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
            Thread.objects.count(),
        )

    before = snapshot()
    with pytest.raises(PermissionDenied, match="archived: it is read-only"):
        writes(archived, member, other_member, moderator)[write]()
    assert snapshot() == before
    assert not MapRequest.objects.filter(topic=archived["topic"]).exists()  # no rebuild


def test_the_writes_listed_are_every_write_of_the_fixture(archived, member, other_member):
    assert set(writes(archived, member, other_member, None)) == set(WRITES)


def test_unarchiving_lets_writes_through_again(archived, member, moderator):
    services.topic_archive(
        topic=archived["topic"], moderator=moderator, archived=False, reason="Reopened"
    )
    parent = Post.objects.select_related("thread__topic").get(pk=archived["reply"].pk)
    reply = services.reply_create(parent=parent, author=member, body="Back")
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
