import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.claims.models import Claim
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from apps.claims.services.tags import TagInput
from apps.forum.models import Post
from apps.forum.services.post_state import post_remove
from apps.notifications import services
from apps.notifications.models import Notification, Preferences, Watch
from apps.notifications.selectors import with_excerpts
from tests.factories import UserFactory, make_moderator, make_reply, make_thread

pytestmark = pytest.mark.django_db


def kinds(member) -> list[str]:
    return list(member.notifications.values_list("kind", flat=True))


def test_a_reply_notifies_the_parent_author_once_in_the_reply_transaction(thread, member):
    bob = UserFactory(username="bob")
    reply = make_reply(thread.opening_post, author=bob, body="I disagree.")
    note = member.notifications.get()
    assert (note.kind, note.actor, note.post, note.thread) == ("reply", bob, reply, thread)
    assert note.text == "bob replied to your post in “Is training fair use?”."
    assert note.url == reply.permalink and not note.read


def test_one_notification_per_event_even_when_reply_mention_and_watch_all_apply(thread, member):
    bob = UserFactory(username="bob")
    make_reply(thread.opening_post, author=bob, body="@alice, see @alice again")
    assert kinds(member) == ["reply"]  # alice watches her thread and is mentioned too


def test_mentions_notify_existing_members_but_not_in_code_or_the_writer(thread, member):
    carol, dave, bob = UserFactory(username="carol"), UserFactory(username="dave"), UserFactory()
    make_reply(thread.opening_post, author=bob, body=f"@carol and `@dave` and @{bob.username}")
    assert kinds(carol) == ["mention"]
    assert kinds(dave) == [] and kinds(bob) == []


def test_watchers_hear_of_replies_and_repliers_watch_by_default(thread, member):
    bob, carol = UserFactory(), UserFactory()
    first = make_reply(thread.opening_post, author=bob)
    make_reply(first, author=carol)
    assert kinds(bob) == ["reply"]
    assert sorted(kinds(member)) == ["reply", "watched"]
    assert set(Watch.objects.filter(thread=thread).values_list("user", flat=True)) == {
        member.pk, bob.pk, carol.pk,
    }  # fmt: skip


def test_a_watched_threads_replies_gather_under_one_unread_notification(thread, member):
    bob, carol = UserFactory(username="bob"), UserFactory(username="carol")
    first = make_reply(make_reply(thread.opening_post, author=bob), author=carol)
    make_reply(first, author=bob)
    make_reply(first, author=UserFactory(username="dave"))
    watched = member.notifications.get(kind="watched")  # one, however many replies came
    assert watched.post == first and watched.url == first.permalink  # where reading starts
    assert (
        watched.text
        == "New replies in “Is training fair use?”, a thread you watch, starting with carol’s."
    )
    services.notifications_mark_read(member=member, ids=[watched.pk])
    later = make_reply(first, author=carol)
    assert member.notifications.get(kind="watched", read=False).post == later


def test_a_watcher_who_wants_each_mail_gets_one_for_the_gathered_replies(thread, member):
    Preferences.objects.create(user=member, email=Preferences.Email.IMMEDIATELY)
    bob = UserFactory(username="bob")
    first = make_reply(make_reply(thread.opening_post, author=bob), author=bob)
    make_reply(first, author=bob)
    assert member.notifications.filter(kind="watched", email_pending=True).count() == 1


def test_never_for_your_own_actions(thread, member):
    make_reply(make_reply(thread.opening_post, author=member, body="@alice"), author=member)
    assert kinds(member) == []


def test_the_watch_by_default_setting_turns_auto_watching_off(thread, member):
    bob = UserFactory()
    Preferences.objects.create(user=bob, watch_by_default=False)
    make_reply(thread.opening_post, author=bob)
    make_thread(author=bob)
    assert not Watch.objects.filter(user=bob).exists()


def test_inactive_members_are_not_notified(thread, member):
    member.is_active = False
    member.save()
    make_reply(thread.opening_post)
    assert kinds(member) == []


def test_unwatching_stops_the_replies_and_watching_is_idempotent(thread, member):
    assert services.thread_watch(thread=thread, member=member) is False  # watched already
    assert services.thread_unwatch(thread=thread, member=member) is True
    assert services.thread_unwatch(thread=thread, member=member) is False
    make_reply(make_reply(thread.opening_post, author=member))
    assert kinds(member) == ["reply"]  # to her reply, not the watched one


@pytest.mark.parametrize("visitor", ["anonymous", "inactive"])
def test_only_active_members_watch(thread, visitor):
    user = AnonymousUser() if visitor == "anonymous" else UserFactory(is_active=False)
    with pytest.raises(PermissionDenied):
        services.thread_watch(thread=thread, member=user)


def test_mark_read_by_ids_touches_only_the_members_own(thread, member, other_member):
    make_reply(thread.opening_post, author=other_member)
    make_reply(make_reply(thread.opening_post, author=member), author=other_member)
    mine = list(member.notifications.values_list("pk", flat=True))
    theirs = Notification.objects.create(user=other_member, text="Yours")
    assert services.notifications_mark_read(member=member, ids=[mine[0], theirs.pk]) == 1
    theirs.refresh_from_db()
    assert not theirs.read
    assert member.notifications.filter(read=False).count() == 1
    assert services.notifications_mark_read(member=member, all=True) == 1
    assert not member.notifications.filter(read=False).exists()


@pytest.mark.parametrize(
    "which",
    [{}, {"ids": [1], "all": True}, {"ids": [0]}, {"ids": [True]}, {"ids": ["1"]},
     {"ids": [2**63]}, {"ids": list(range(1, 502))}],
)  # fmt: skip
def test_mark_read_refuses_bad_input_and_changes_nothing(thread, member, which):
    make_reply(thread.opening_post)
    with pytest.raises(ValidationError):
        services.notifications_mark_read(member=member, **which)
    assert member.notifications.filter(read=False).count() == 1


def test_a_removed_posts_notification_stays_but_the_post_is_gone(thread, member):
    reply = make_reply(thread.opening_post, body="Secret words")
    post_remove(post=reply, moderator=make_moderator(), reason="spam")
    [note] = with_excerpts(member.notifications.all(), member)
    assert note.post_gone and note.excerpt == ""
    assert "Secret" not in note.text


def test_merge_tells_post_authors_and_claim_makers_but_not_the_moderator(thread, member):
    bob, carol, moderator = UserFactory(), UserFactory(), make_moderator()
    kept = make_reply(thread.opening_post, author=moderator, tags=[TagInput("Kept", "supports")])
    make_reply(kept, author=bob, tags=[TagInput("Copy", "supports")])
    copy = Claim.objects.get(text="Copy")
    Claim.objects.filter(pk=copy.pk).update(created_by=carol)
    copy.refresh_from_db()
    merge = claim_merge(
        target=Claim.objects.get(text="Kept"), sources=[copy], moderator=moderator, reason="dup"
    )
    merged = Notification.objects.filter(kind="merged")
    assert set(merged.values_list("user", flat=True)) == {bob.pk, carol.pk}
    assert list(merge.notifications.order_by("user")) == list(merged.order_by("user"))
    merged.filter(user=bob).update(read=True)
    claim_merge_undo(merge=merge, moderator=moderator)
    assert list(Notification.objects.filter(kind__in=["merged", "unmerged"]).values_list(
        "user", "kind")) == [(bob.pk, "unmerged"), (bob.pk, "merged")]  # fmt: skip


def test_preferences_need_an_address_for_mail_and_no_mail_empties_the_outbox(member):
    with pytest.raises(ValidationError):
        services.preferences_update(
            member=member, email_address="", watch_by_default=True, email="daily"
        )
    with pytest.raises(ValidationError):
        services.preferences_update(
            member=member, email_address="not an address", watch_by_default=True, email="none"
        )
    with pytest.raises(ValidationError):
        services.preferences_update(
            member=member, email_address="a@example.org", watch_by_default=True, email="hourly"
        )
    assert not Preferences.objects.filter(user=member).exists()
    services.preferences_update(
        member=member, email_address="a@example.org", watch_by_default=False, email="daily"
    )
    member.refresh_from_db()
    assert (member.email, member.preferences.email) == ("a@example.org", "daily")
    assert member.preferences.last_digest is not None


def test_notifications_for_members_who_want_mail_wait_in_the_outbox(thread, member):
    Preferences.objects.create(user=member, email="daily")
    make_reply(thread.opening_post)
    assert member.notifications.get().email_pending
    services.preferences_update(
        member=member, email_address=member.email, watch_by_default=True, email="none"
    )
    assert not member.notifications.get().email_pending


def test_an_unsubscribe_token_names_its_member_and_a_forged_one_nothing(member):
    Preferences.objects.create(user=member, email="immediately")
    token = services.unsubscribe_token(member)
    with pytest.raises(PermissionDenied):
        services.email_unsubscribe(token=token[:-2] + "xx")
    assert services.email_unsubscribe(token=token) == member
    member.preferences.refresh_from_db()
    assert member.preferences.email == "none"


def test_an_opening_post_mention_notifies_and_its_author_watches(member):
    bob = UserFactory(username="bob")
    thread = make_thread(author=member, body="Hello @bob")
    assert bob.notifications.get().kind == "mention"
    assert Watch.objects.filter(user=member, thread=thread).exists()
    assert Post.objects.count() == 1


def test_a_plain_message_reaches_its_member_but_not_for_their_own_doing(member, other_member):
    [note] = services.notification_send(
        member=member, text="Your report was upheld.", url="/modlog/", actor=other_member
    )
    assert (note.kind, note.user, note.actor, note.url) == (
        "message",
        member,
        other_member,
        "/modlog/",
    )
    assert services.notification_send(member=member, text="Mine", actor=member) == []
    assert member.notifications.count() == 1


def test_a_reply_tells_every_watcher_in_the_same_queries_however_many(thread, member):
    """Every active watcher told, each marked for the mail they want, by a fixed number of
    statements (the benchmark's busiest thread has 300 watchers)."""

    def queries_with_watchers(count: int) -> int:
        watched = make_thread(title=f"Watched by {count}")
        watchers = [UserFactory() for _ in range(count)]
        Watch.objects.bulk_create(Watch(user=watcher, thread=watched) for watcher in watchers)
        Preferences.objects.create(user=watchers[0], email=Preferences.Email.DAILY)
        with CaptureQueriesContext(connection) as queries:
            reply = make_reply(watched.opening_post, author=member, body="Hello, watchers.")
        told = Notification.objects.filter(post=reply, kind="watched")
        assert sorted(told.values_list("user", flat=True)) == sorted(w.pk for w in watchers)
        assert told.filter(email_pending=True).get().user == watchers[0]
        return len(queries)

    assert queries_with_watchers(2) == queries_with_watchers(30)


def test_a_refused_reply_tells_no_one(thread, member):
    bob = UserFactory(username="bob")
    tags = [TagInput("Fair use", "supports"), TagInput("fair USE!", "opposes")]
    with pytest.raises(ValidationError, match="tagged twice"):
        make_reply(thread.opening_post, author=bob, body="@alice", tags=tags)
    assert kinds(member) == [] and not Watch.objects.filter(user=bob).exists()
    assert not Post.objects.filter(author=bob).exists()


def test_no_index_of_the_notification_rows_is_kept_for_nothing():
    """A reply writes a row for each watcher and each row every index: none may be covered
    by another's leading columns, and the claim's holds only the rows that have one."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexrelid::regclass::text, indkey::int2[], indisunique,
                pg_get_expr(indpred, indrelid)
            FROM pg_index WHERE indrelid = 'accounts_notification'::regclass
            """
        )
        indexes = cursor.fetchall()
    covered = [
        name
        for name, columns, unique, where in indexes
        for _, wider, _, wider_where in indexes
        if not unique and where == wider_where and len(columns) < len(wider)
        and wider[: len(columns)] == columns
    ]  # fmt: skip
    assert covered == []
    [claim_index] = [where for name, _, _, where in indexes if "claim" in name]
    assert claim_index == "(claim_id IS NOT NULL)"
