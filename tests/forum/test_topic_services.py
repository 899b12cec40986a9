"""topic_create, topic_edit and topic_archive (apps/forum/services/topics.py)."""

import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from apps.forum.models import Post, Topic
from apps.forum.services.posting import reply_create
from apps.forum.services.topics import topic_archive, topic_create, topic_edit, writing_in
from apps.moderation.models import ModerationAction
from tests.factories import TopicFactory, UserFactory, make_moderator, make_thread

pytestmark = pytest.mark.django_db


def test_a_moderator_creates_a_topic_with_its_slug_made_from_the_title(moderator):
    topic = topic_create(
        moderator=moderator, title="  Open   source licences ", description=" Which ones? "
    )

    assert (topic.slug, topic.title, topic.description) == (
        "open-source-licences",
        "Open source licences",
        "Which ones?",
    )
    assert not topic.archived
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.topic, entry.moderator) == ("create_topic", topic, moderator)


def test_a_given_slug_is_used(moderator):
    topic = topic_create(moderator=moderator, title="Licences", slug="oss_licences-2")
    assert topic.slug == "oss_licences-2"


@pytest.mark.parametrize(
    "slug", ["Upper", "-leading", "has space", "new", "ünï", "x" * 81, "a/b", "dot.dot"]
)
def test_a_bad_or_reserved_slug_is_refused(moderator, slug):
    with pytest.raises(ValidationError):
        topic_create(moderator=moderator, title="Licences", slug=slug)
    assert not Topic.objects.exists() and not ModerationAction.objects.exists()


def test_a_title_without_latin_letters_needs_a_slug(moderator):
    with pytest.raises(ValidationError, match="address"):
        topic_create(moderator=moderator, title="著作権")
    topic = topic_create(moderator=moderator, title="著作権", slug="copyright-jp")
    assert topic.title == "著作権"


def test_a_taken_slug_is_refused_and_nothing_is_logged(moderator):
    TopicFactory(slug="licences")

    with pytest.raises(ValidationError, match="already has the address"):
        topic_create(moderator=moderator, title="Licences")

    assert Topic.objects.count() == 1 and not ModerationAction.objects.exists()


@pytest.mark.parametrize(
    ("title", "description", "code"),
    [
        ("", "", "empty"),
        ("   ", "", "empty"),
        ("x" * 201, "", "too_long"),
        ("Nul\x00title", "", "control"),
        ("Fine", "d" * 2_001, "too_long"),
        ("Fine", "nul\x00", "control"),
    ],
)
def test_bad_titles_and_descriptions_are_refused(moderator, title, description, code):
    with pytest.raises(ValidationError) as refusal:
        topic_create(moderator=moderator, title=title, description=description)
    assert refusal.value.code == code
    assert not Topic.objects.exists()


def test_members_cannot_create_edit_or_archive_topics(topic, member):
    with pytest.raises(PermissionDenied, match="Only moderators"):
        topic_create(moderator=member, title="Mine")
    with pytest.raises(PermissionDenied):
        topic_edit(topic=topic, moderator=member, title="Renamed")
    with pytest.raises(PermissionDenied):
        topic_archive(topic=topic, moderator=member, archived=True, reason="done")
    topic.refresh_from_db()
    assert (topic.title, topic.archived) == ("AI art", False)
    assert not ModerationAction.objects.exists()


def test_an_inactive_moderator_cannot_create_topics(moderator):
    moderator.is_active = False
    with pytest.raises(PermissionDenied):
        topic_create(moderator=moderator, title="Late")


def test_editing_changes_title_and_description_and_keeps_the_slug(topic, moderator):
    topic_edit(topic=topic, moderator=moderator, title="AI and art", description="New")

    topic.refresh_from_db()
    assert (topic.slug, topic.title, topic.description) == ("ai-art", "AI and art", "New")
    assert ModerationAction.objects.get().kind == "edit_topic"


def test_an_edit_that_changes_nothing_logs_nothing(topic, moderator):
    topic_edit(topic=topic, moderator=moderator, title="AI art")
    assert not ModerationAction.objects.exists()


def test_a_refused_edit_changes_nothing(topic, moderator):
    with pytest.raises(ValidationError):
        topic_edit(topic=topic, moderator=moderator, title="ok", description="\x00")
    topic.refresh_from_db()
    assert topic.title == "AI art"


def test_archiving_and_unarchiving_are_logged_with_their_reason(topic, moderator):
    topic_archive(topic=topic, moderator=moderator, archived=True, reason="Settled")
    topic.refresh_from_db()
    assert topic.archived
    topic_archive(topic=topic, moderator=moderator, archived=False, reason="Reopened")
    topic.refresh_from_db()
    assert not topic.archived
    log = list(ModerationAction.objects.order_by("pk").values_list("kind", "reason"))
    assert log == [("archive_topic", "Settled"), ("unarchive_topic", "Reopened")]


def test_archiving_needs_a_reason_and_a_change(topic, moderator):
    with pytest.raises(ValidationError, match="Give a reason"):
        topic_archive(topic=topic, moderator=moderator, archived=True, reason=" ")
    with pytest.raises(ValidationError, match="already open"):
        topic_archive(topic=topic, moderator=moderator, archived=False, reason="x")
    topic.refresh_from_db()
    assert not topic.archived and not ModerationAction.objects.exists()


def test_a_member_with_only_one_of_the_two_permissions_is_no_topic_manager(topic):
    half = UserFactory(username="half")
    half.user_permissions.add(Permission.objects.get(codename="add_topic"))
    with pytest.raises(PermissionDenied):
        topic_create(moderator=half, title="Half")


def _waiting(pid: int) -> bool:
    """Whether the session `pid` waits for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_archiving_waits_for_the_writes_under_way_and_a_write_read_before_it_is_refused():
    thread = make_thread()
    moderator, author = make_moderator(), UserFactory()
    stale = Post.objects.select_related("thread__topic").get(pk=thread.opening_post_id)
    writing, errors, archiver = threading.Event(), [], []

    def write() -> None:
        try:
            with writing_in(stale.thread.topic):
                writing.set()
                deadline = time.monotonic() + 30  # a bound for a broken test, not a measure
                while not (archiver and _waiting(archiver[0])):
                    assert time.monotonic() < deadline, "the archiving never came to wait"
                    time.sleep(0.01)
                reply_create(parent=stale, author=author, body="Just in time")
        except BaseException as error:  # asserted below
            errors.append(error)
        finally:
            connection.close()

    def archive() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                archiver.append(cursor.fetchone()[0])
            writing.wait()
            topic_archive(topic=thread.topic, moderator=moderator, archived=True, reason="Done")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write), threading.Thread(target=archive)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert Post.objects.filter(body="Just in time").exists()  # it began first: it landed
    assert Topic.objects.get(pk=thread.topic_id).archived
    assert not stale.thread.topic.archived  # as read before the archiving …
    with pytest.raises(PermissionDenied, match="archived"):
        reply_create(parent=stale, author=author, body="Too late")  # … and read again
    assert not Post.objects.filter(body="Too late").exists()
