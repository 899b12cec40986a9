"""Notification mail: the outbox in the database, sent at once or as a daily digest, exactly
once, and later (never lost) when the broker is down."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.forum.services.post_state import post_remove
from apps.notifications.models import Preferences
from apps.notifications.outbox import mail_due
from apps.notifications.services import unsubscribe_token
from apps.notifications.tasks import send_due_mail
from tests.factories import UserFactory, make_moderator, make_reply
from tests.maps.test_pipeline import pointed_at
from tests.workers import free_port, redis_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def wants_mail(member):
    def wants(frequency: str, **fields) -> Preferences:
        return Preferences.objects.create(user=member, email=frequency, **fields)

    return wants


def test_an_immediate_member_gets_one_mail_on_commit_and_never_twice(
    thread, member, wants_mail, django_capture_on_commit_callbacks, monkeypatch
):
    wants_mail("immediately")
    monkeypatch.setattr(send_due_mail, "apply_async", lambda **kwargs: send_due_mail())
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread.opening_post, author=UserFactory(username="bob"), body="Not so.")
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "bob replied to your post in “Is training fair use?”."
    assert "“Not so.”" in message.body and "/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://")
    assert mail_due() == 0 and len(mail.outbox) == 1


def test_members_without_mail_get_none_and_nothing_waits(thread, member):
    make_reply(thread.opening_post)
    assert not member.notifications.get().email_pending
    assert mail_due() == 0 and mail.outbox == []


def test_the_daily_digest_is_one_mail_of_the_days_unread_ones(thread, member, wants_mail):
    preferences = wants_mail("daily", last_digest=timezone.now())
    first, second, third = (make_reply(thread.opening_post, body=f"Reply {n}") for n in range(3))
    assert mail_due() == 0  # not a day yet
    member.notifications.filter(post=second).update(read=True)
    post_remove(post=third, moderator=make_moderator(), reason="spam")
    later = timezone.now() + timedelta(days=1, minutes=1)
    assert mail_due(now=later) == 1
    [digest] = mail.outbox
    assert digest.subject == "Your Agora digest: 2 notifications"
    assert "Reply 0" in digest.body and "Reply 1" not in digest.body
    assert "Reply 2" not in digest.body and "since been deleted or removed" in digest.body
    assert not member.notifications.filter(email_pending=True).exists()
    preferences.refresh_from_db()
    assert preferences.last_digest == later
    assert mail_due(now=later + timedelta(hours=1)) == 0


def test_a_broker_outage_delays_the_mail_and_loses_none(
    thread, member, wants_mail, django_capture_on_commit_callbacks
):
    wants_mail("immediately")
    with redis_server(free_port()) as spare, pointed_at(spare.url):
        spare.stop()
        with django_capture_on_commit_callbacks(execute=True):
            reply = make_reply(thread.opening_post, body="Sent while Redis was down")
        assert mail.outbox == []  # the fast path could not queue it
        assert member.notifications.get(post=reply).email_pending
        spare.start()
        assert send_due_mail() == 1  # what beat runs every minute
        assert send_due_mail() == 0
    [message] = mail.outbox
    assert "Sent while Redis was down" in message.body


def test_unsubscribing_needs_no_login_and_never_happens_on_get(member, wants_mail):
    wants_mail("immediately")
    url = f"/unsubscribe/{unsubscribe_token(member)}/"
    visitor = Client()
    page = visitor.get(url)
    assert page.status_code == 200 and b"Stop all notification email to alice?" in page.content
    member.preferences.refresh_from_db()
    assert member.preferences.email == "immediately"
    assert b"Done" in visitor.post(url).content
    member.preferences.refresh_from_db()
    assert member.preferences.email == "none"
    assert visitor.post("/unsubscribe/forged:token/").status_code == 400
