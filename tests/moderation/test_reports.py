"""Reports (apps/moderation/reports.py): members report posts and claims; moderators
resolve an item, closing all its open reports, logging it and telling each reporter."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from apps.claims.models import Claim
from apps.claims.services.claims import claim_create
from apps.claims.services.merge import claim_merge
from apps.claims.services.tags import TagInput
from apps.core.text import MAX_REASON_LENGTH
from apps.forum.models import Post
from apps.forum.services.post_state import post_remove
from apps.forum.services.posting import reply_create
from apps.forum.services.threads import thread_delete
from apps.forum.services.topics import topic_archive
from apps.moderation.models import ModerationAction, Report
from apps.moderation.reports import report_create, report_resolve
from apps.notifications.models import Notification
from tests.factories import UserFactory, make_moderator, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def reply(thread, other_member):
    return make_reply(thread.opening_post, author=other_member, body="Buy cheap pills")


def notes_of(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind="message").values_list("text", flat=True)
    )


def test_a_member_reports_another_members_post(reply, member):
    report = report_create(reporter=member, post=reply, reason="  Spam  ")
    assert (report.post, report.claim, report.topic) == (reply, None, reply.thread.topic)
    assert (report.state, report.reason) == (Report.State.OPEN, "Spam")


def test_a_second_open_report_of_the_same_item_is_refused(reply, member):
    report_create(reporter=member, post=reply, reason="Spam")
    with pytest.raises(ValidationError) as refused:
        report_create(reporter=member, post=reply, reason="Still spam")
    assert refused.value.code == "already_reported"
    assert Report.objects.count() == 1


def test_after_a_resolution_the_member_may_report_the_item_again(reply, member, moderator):
    first = report_create(reporter=member, post=reply, reason="Spam")
    report_resolve(report=first, moderator=moderator, action="dismiss")
    again = report_create(reporter=member, post=reply, reason="It is back")
    assert again.state == Report.State.OPEN


def test_a_member_may_not_report_their_own_post(reply, other_member):
    with pytest.raises(PermissionDenied, match="edit or delete it"):
        report_create(reporter=other_member, post=reply, reason="Oops")
    assert not Report.objects.exists()


def test_a_visitor_may_not_report(reply):
    with pytest.raises(PermissionDenied, match="Log in"):
        report_create(reporter=AnonymousUser(), post=reply, reason="Spam")


def test_a_tombstone_cannot_be_reported(reply, member, moderator):
    post_remove(post=reply, moderator=moderator, reason="spam")
    with pytest.raises(ValidationError) as refused:
        report_create(reporter=member, post=Post.objects.get(pk=reply.pk), reason="Spam")
    assert refused.value.code == "tombstone"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "empty"), ("   ", "empty"), ("x" * (MAX_REASON_LENGTH + 1), "too_long"),
     ("a\x00b", "control")],
)  # fmt: skip
def test_a_bad_reason_is_refused_and_saves_nothing(reply, member, reason, code):
    with pytest.raises(ValidationError) as refused:
        report_create(reporter=member, post=reply, reason=reason)
    assert refused.value.code == code
    assert not Report.objects.exists()


def test_a_member_may_report_a_claim_even_one_they_wrote_and_an_alias_reports_its_target(
    topic, member, moderator
):
    """A claim belongs to everyone tagging it, not to whoever typed it first."""
    kept, _ = claim_create(topic=topic, author=member, text="Training is fair use")
    alias, _ = claim_create(topic=topic, author=member, text="Training counts as fair use")
    claim_merge(target=kept, sources=[alias], moderator=moderator, reason="same")
    report = report_create(reporter=member, claim=Claim.objects.get(pk=alias.pk), reason="Vague")
    assert report.claim == kept


def test_dismissing_closes_every_open_report_logs_it_and_tells_each_reporter(
    reply, member, moderator
):
    third = UserFactory(username="carol")
    first = report_create(reporter=member, post=reply, reason="Spam")
    report_create(reporter=third, post=reply, reason="Advert")
    closed = report_resolve(report=first, moderator=moderator, action="dismiss", note="On topic")
    assert closed == 2
    assert set(Report.objects.values_list("state", "resolved_by", "note")) == {
        (Report.State.DISMISSED, moderator.pk, "On topic")
    }
    reply.refresh_from_db()
    assert reply.state == Post.State.VISIBLE
    entry = ModerationAction.objects.get(kind=ModerationAction.Kind.RESOLVE_REPORTS)
    assert entry.post == reply and entry.reason == "On topic"
    assert entry.summary.startswith("2 reports on post") and entry.summary.endswith("dismissed")
    assert "Spam" not in entry.summary  # the reporters' reasons stay with the moderators
    for reporter in (member, third):
        assert notes_of(reporter) == [
            "A moderator looked at the post you reported and left it as it is: On topic"
        ]


def test_removing_through_a_report_removes_the_post_with_the_note_as_its_reason(
    reply, member, moderator
):
    report = report_create(reporter=member, post=reply, reason="Spam")
    report_resolve(report=report, moderator=moderator, action="remove", note="spam")
    reply.refresh_from_db()
    assert (reply.state, reply.removal_reason) == (Post.State.REMOVED, "spam")
    report.refresh_from_db()
    assert report.state == Report.State.REMOVED
    kinds = set(ModerationAction.objects.values_list("kind", flat=True))
    assert kinds == {ModerationAction.Kind.REMOVE_POST, ModerationAction.Kind.RESOLVE_REPORTS}
    assert notes_of(member) == ["A moderator removed the post you reported: spam"]


def test_removing_needs_a_note_and_a_refusal_changes_nothing(reply, member, moderator):
    report = report_create(reporter=member, post=reply, reason="Spam")
    with pytest.raises(ValidationError) as refused:
        report_resolve(report=report, moderator=moderator, action="remove", note=" ")
    assert refused.value.code == "empty"
    report.refresh_from_db()
    assert report.state == Report.State.OPEN
    assert not ModerationAction.objects.filter(post=reply).exists()
    assert not Notification.objects.filter(user=member, kind="message").exists()


def test_an_opening_post_is_not_removed_and_its_reports_stay_open(thread, other_member, moderator):
    report = report_create(reporter=other_member, post=thread.opening_post, reason="Troll")
    with pytest.raises(ValidationError) as refused:
        report_resolve(report=report, moderator=moderator, action="remove", note="troll")
    assert refused.value.code == "opening"
    report.refresh_from_db()
    assert report.state == Report.State.OPEN
    assert not Notification.objects.filter(user=other_member, kind="message").exists()


def test_removing_a_reported_post_from_its_thread_resolves_its_reports(reply, member, moderator):
    """However a moderator removes a post, its open reports close and the reporters hear."""
    third = UserFactory(username="carol")
    report = report_create(reporter=member, post=reply, reason="Spam")
    report_create(reporter=third, post=reply, reason="Advert")
    post_remove(post=reply, moderator=moderator, reason="spam")
    assert set(Report.objects.values_list("state", "resolved_by", "note")) == {
        (Report.State.REMOVED, moderator.pk, "spam")
    }
    entry = ModerationAction.objects.get(kind=ModerationAction.Kind.RESOLVE_REPORTS)
    assert entry.summary.startswith("2 reports on post")
    assert entry.summary.endswith("the post removed")
    for reporter in (member, third):
        assert notes_of(reporter) == ["A moderator removed the post you reported: spam"]
    with pytest.raises(ValidationError) as refused:  # a queue opened before the removal
        report_resolve(report=report, moderator=moderator, action="remove", note="spam")
    assert refused.value.code == "already_resolved"
    assert ModerationAction.objects.filter(kind="remove_post").count() == 1


def test_removing_an_unreported_post_logs_no_reports(reply, moderator):
    post_remove(post=reply, moderator=moderator, reason="spam")
    kinds = list(ModerationAction.objects.values_list("kind", flat=True))
    assert kinds == [ModerationAction.Kind.REMOVE_POST]


def test_a_claim_is_dismissed_but_never_removed(topic, member, moderator):
    claim, _ = claim_create(topic=topic, author=member, text="Fair use")
    report = report_create(reporter=member, claim=claim, reason="Duplicate")
    with pytest.raises(ValidationError) as refused:
        report_resolve(report=report, moderator=moderator, action="remove", note="x")
    assert refused.value.code == "not_a_post"
    report_resolve(report=report, moderator=moderator, action="dismiss")
    assert notes_of(member) == [
        "A moderator looked at the claim «Fair use» you reported and left it as it is."
    ]


def test_resolving_twice_or_an_unknown_action_is_refused(reply, member, moderator):
    report = report_create(reporter=member, post=reply, reason="Spam")
    with pytest.raises(ValidationError) as refused:
        report_resolve(report=report, moderator=moderator, action="ban")
    assert refused.value.code == "no_such_action"
    report_resolve(report=report, moderator=moderator, action="dismiss")
    report_create(reporter=UserFactory(username="carol"), post=reply, reason="Spam again")
    with pytest.raises(ValidationError) as refused:
        report_resolve(report=report, moderator=moderator, action="dismiss")
    assert refused.value.code == "already_resolved"
    assert Report.objects.filter(state=Report.State.OPEN).count() == 1  # the newer one


def test_only_moderators_resolve(reply, member, other_member):
    report = report_create(reporter=member, post=reply, reason="Spam")
    with pytest.raises(PermissionDenied, match="Only moderators"):
        report_resolve(report=report, moderator=other_member, action="dismiss")
    report.refresh_from_db()
    assert report.state == Report.State.OPEN


def test_merging_claims_resolves_the_reports_on_every_claim_of_the_merge(
    thread, member, other_member, moderator
):
    reply_create(
        parent=thread.opening_post, author=member, body="…",
        tags=[TagInput("Models copy art", "supports"), TagInput("Models store art", "supports")],
    )  # fmt: skip
    kept, merged = (
        Claim.objects.get(text=text) for text in ("Models copy art", "Models store art")
    )
    report_create(reporter=member, claim=merged, reason="Duplicate")
    report_create(reporter=other_member, claim=kept, reason="Same as the other")
    claim_merge(target=kept, sources=[merged], moderator=moderator, reason="same claim")
    assert set(Report.objects.values_list("state", "note")) == {(Report.State.MERGED, "same claim")}
    assert ModerationAction.objects.filter(kind="resolve_reports").count() == 2
    assert notes_of(member)[0] == (
        "A moderator merged the claim you reported, «Models store art», into «Models copy art»."
    )
    assert notes_of(other_member) == [
        "A moderator merged «Models store art» into the claim you reported, «Models copy art»."
    ]


def test_a_deleted_thread_takes_its_reports_along(thread, reply, member, moderator):
    report_create(reporter=member, post=reply, reason="Spam")
    thread_delete(thread=thread, moderator=moderator, reason="spam thread")
    assert not Report.objects.exists()


def test_an_archived_topic_takes_reports_dismisses_them_but_removes_nothing(
    reply, member, moderator
):
    topic_archive(topic=reply.thread.topic, moderator=moderator, archived=True, reason="Done")
    reply = Post.objects.select_related("thread__topic").get(pk=reply.pk)
    report = report_create(reporter=member, post=reply, reason="Spam")

    with pytest.raises(PermissionDenied, match="archived: it is read-only"):
        report_resolve(report=report, moderator=moderator, action="remove", note="spam")
    reply.refresh_from_db()
    report.refresh_from_db()
    assert reply.state == Post.State.VISIBLE and report.state == Report.State.OPEN

    report_resolve(report=report, moderator=moderator, action="dismiss")
    report.refresh_from_db()
    assert report.state == Report.State.DISMISSED
