"""Topics: moderators create, edit, archive and unarchive them, and delete an empty one with
its claims and maps."""

import re
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.text import slugify

from apps.claims.models import Endorsement
from apps.core.text import DESCRIPTION, REASON, TITLE, clean_text
from apps.forum.models import Topic
from apps.forum.permissions import check_manage_topics, check_topic_open
from apps.moderation.models import ModerationAction
from apps.moderation.permissions import DELETE_TOPICS, check_moderate

MAX_SLUG_LENGTH = 80  # Topic.slug
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
RESERVED_SLUGS = {"new"}  # /topics/new/ is the page that creates a topic
ARCHIVING = {
    True: ModerationAction.Kind.ARCHIVE_TOPIC,
    False: ModerationAction.Kind.UNARCHIVE_TOPIC,
}


@contextmanager
def writing_in(topic: Topic):
    """A write's transaction in `topic`, refused if the topic is archived once it starts.
    The write share-locks the topic's row, so writes never wait for each other, but an
    archiving (which updates the row) waits for the writes under way, and a write that
    starts meanwhile waits for it, then reads the row as archived and is refused."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT archived FROM forum_topic WHERE id = %s FOR SHARE", [topic.pk])
            topic.archived = cursor.fetchone()[0]
        check_topic_open(topic)
        yield


def topic_create(*, moderator, title: str, description: str = "", slug: str = "") -> Topic:
    """A new topic at /topics/<slug>/ (the slug made from the title when none is given)."""
    check_manage_topics(moderator, "create topics")
    title = clean_text(title, TITLE)
    description = clean_text(description, DESCRIPTION, required=False)
    slug = clean_slug(slug or slugify(title)[:MAX_SLUG_LENGTH].strip("-_"))
    try:
        with transaction.atomic():
            topic = Topic.objects.create(slug=slug, title=title, description=description)
            _log_topic(topic, ModerationAction.Kind.CREATE_TOPIC, moderator)
    except IntegrityError as error:  # the slug is the only unique column
        raise ValidationError(
            f"A topic already has the address “{slug}”: choose another.", code="slug_taken"
        ) from error
    return topic


def topic_edit(
    *, topic: Topic, moderator, title: str | None = None, description: str | None = None
) -> Topic:
    """Change the title or the description (each left as it is when None); its address stays."""
    check_manage_topics(moderator, "edit topics")
    title = topic.title if title is None else clean_text(title, TITLE)
    description = (
        topic.description
        if description is None
        else clean_text(description, DESCRIPTION, required=False)
    )
    if (title, description) == (topic.title, topic.description):
        return topic
    with transaction.atomic():
        topic.title, topic.description = title, description
        topic.save(update_fields=["title", "description"])
        _log_topic(topic, ModerationAction.Kind.EDIT_TOPIC, moderator)
    return topic


def topic_archive(*, topic: Topic, moderator, archived: bool, reason: str) -> Topic:
    """Archive a topic (read-only from then on; its map stays as built) or unarchive it."""
    check_manage_topics(moderator, "archive or unarchive topics")
    reason = clean_text(reason, REASON)
    with transaction.atomic():
        # The writes under way finish first, and the ones that start now wait (writing_in).
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        if topic.archived == archived:
            raise ValidationError(
                f"The topic is already {'archived' if archived else 'open'}.", code="no_change"
            )
        topic.archived = archived
        topic.save(update_fields=["archived"])
        _log_topic(topic, ARCHIVING[archived], moderator, reason)
    return topic


def topic_delete(*, topic: Topic, moderator, reason: str) -> None:
    """Delete an empty topic with its claims and maps; a topic with threads is refused."""
    check_moderate(moderator, DELETE_TOPICS, "delete topics")
    reason = clean_text(reason, REASON)
    with transaction.atomic():
        threads = topic.threads.count()
        if threads:
            raise ValidationError(
                f"The topic still has {threads} thread(s): delete them first.",
                code="not_empty",
            )
        _log_topic(topic, ModerationAction.Kind.DELETE_TOPIC, moderator, reason)
        # Endorsements protect their claims, which go with the topic: they go first.
        Endorsement.objects.filter(claim__topic=topic).delete()
        topic.delete()


def clean_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise ValidationError(
            f"A topic's address is 1 to {MAX_SLUG_LENGTH} lower-case letters, digits, hyphens"
            " and underscores, starting with a letter or digit.",
            code="slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"“{slug}” is reserved: choose another address.", code="slug")
    return slug


def _log_topic(topic: Topic, kind: str, moderator, reason: str = "") -> None:
    ModerationAction.objects.create(
        topic=topic, kind=kind, moderator=moderator, reason=reason, summary=f"“{topic.title}”"[:500]
    )
