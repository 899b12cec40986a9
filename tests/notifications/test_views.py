import re

import pytest
from django.core import mail
from django.test import Client

from apps.forum.services.post_state import post_remove
from apps.notifications.models import Notification, Preferences, Watch
from tests.factories import PASSWORD, UserFactory, make_moderator, make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(thread, other_member):
    """bob replied to alice's opening post: alice has one unread notification."""
    return make_reply(thread.opening_post, author=other_member, body="I **disagree**.")


def test_the_header_counts_unread_and_the_list_marks_nothing_on_get(logged_in, replied):
    assert "(1 new)" in logged_in.get("/").content.decode()
    page = logged_in.get("/notifications/").content.decode()
    assert "bob replied to your post in “Is training fair use?”." in page
    assert "I disagree." in page and "Mark all read" in page
    assert "(1 new)" in logged_in.get("/notifications/").content.decode()


def test_the_header_counts_up_to_99_and_then_says_99_plus(logged_in, member):
    def unread(count: int) -> None:
        Notification.objects.bulk_create(
            Notification(user=member, text="A message.") for _ in range(count)
        )

    unread(99)
    assert "(99 new)" in logged_in.get("/").content.decode()
    unread(1)
    assert "(99+ new)" in logged_in.get("/").content.decode()
    member.notifications.update(read=True)
    assert "new)" not in logged_in.get("/").content.decode()


def test_mark_one_read_by_post_without_javascript(logged_in, member, replied):
    note = member.notifications.get()
    answer = logged_in.post("/notifications/read/", {"id": note.pk, "page": "1"})
    assert answer.status_code == 302 and answer["Location"] == "/notifications/?page=1"
    note.refresh_from_db()
    assert note.read
    assert "new)" not in logged_in.get(answer["Location"]).content.decode()


def test_mark_all_read(logged_in, member, thread, replied):
    make_reply(replied, author=UserFactory())
    logged_in.post("/notifications/read/", {"all": "1"}, follow=True)
    assert not member.notifications.filter(read=False).exists()


@pytest.mark.parametrize("data", [{"id": "x"}, {"id": "-1"}, {"id": "9" * 30}])
def test_malformed_ids_are_a_400_and_change_nothing(logged_in, member, replied, data):
    assert logged_in.post("/notifications/read/", data).status_code == 400
    assert member.notifications.get().read is False


def test_neither_ids_nor_all_says_so_and_others_ids_change_nothing(
    logged_in, member, other_member, replied
):
    theirs = Notification.objects.create(user=other_member, text="Theirs")
    page = logged_in.post("/notifications/read/", {}, follow=True).content.decode()
    assert "Say which notifications to mark read" in page
    logged_in.post("/notifications/read/", {"id": theirs.pk})
    theirs.refresh_from_db()
    assert not theirs.read


def test_a_removed_posts_notification_does_not_show_its_words(logged_in, replied):
    post_remove(post=replied, moderator=make_moderator(), reason="rude")
    page = logged_in.get("/notifications/").content.decode()
    assert "disagree" not in page and "since been deleted or removed" in page


def test_watch_and_unwatch_from_the_thread_page(thread, other_member):
    bob = Client()
    bob.force_login(other_member)
    assert "Watch this thread" in bob.get(thread.get_absolute_url()).content.decode()
    answer = bob.post(f"/threads/{thread.pk}/watch/", {"watch": "1"})
    assert answer["Location"] == thread.get_absolute_url()
    assert Watch.objects.filter(user=other_member, thread=thread).exists()
    assert "Stop watching" in bob.get(thread.get_absolute_url()).content.decode()
    bob.post(f"/threads/{thread.pk}/watch/", {"watch": "0"})
    assert not Watch.objects.filter(user=other_member, thread=thread).exists()


def test_visitors_see_no_watch_button_and_cannot_watch(thread):
    visitor = Client()
    assert "Watch this thread" not in visitor.get(thread.get_absolute_url()).content.decode()
    assert visitor.post(f"/threads/{thread.pk}/watch/", {"watch": "1"}).status_code == 302
    assert not Watch.objects.exclude(user=thread.author).exists()


def test_the_settings_page_saves_address_mail_and_watching(logged_in, member):
    page = logged_in.get("/settings/").content.decode()
    assert 'value="alice@example.org"' in page
    answer = logged_in.post(
        "/settings/", {"email_address": "new@example.org", "email": "immediately"}
    )
    assert answer.status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.org"
    assert (member.preferences.email, member.preferences.watch_by_default) == (
        "immediately", False,
    )  # fmt: skip


def test_settings_refuse_mail_without_an_address_and_change_nothing(logged_in, member):
    page = logged_in.post("/settings/", {"email_address": "", "email": "daily"})
    assert "Give an email address to receive email." in page.content.decode()
    assert not Preferences.objects.exists()
    member.refresh_from_db()
    assert member.email == "alice@example.org"


def test_password_reset_by_email_follows_the_link(member):
    visitor = Client()
    assert "Forgot your password?" in visitor.get("/accounts/login/").content.decode()
    answer = visitor.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert answer["Location"] == "/accounts/password_reset/done/"
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form = visitor.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "A-fresh-pass-phrase-2026", "new_password2": "A-fresh-pass-phrase-2026"},
    )
    assert done["Location"] == "/accounts/reset/done/"
    member.refresh_from_db()
    assert member.check_password("A-fresh-pass-phrase-2026")
    assert not member.check_password(PASSWORD)
    assert "has been used already" in visitor.get(link, follow=True).content.decode()


def test_password_reset_answers_the_same_for_an_unknown_address(member):
    known = Client().post("/accounts/password_reset/", {"email": "alice@example.org"})
    unknown = Client().post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
