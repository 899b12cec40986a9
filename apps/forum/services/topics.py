"""Deleting a topic that has no threads left, with its claims and maps."""

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.claims.models import Endorsement
from apps.core.text import REASON, clean_text
from apps.forum.models import Topic
from apps.moderation.models import ModerationAction
from apps.moderation.permissions import DELETE_TOPICS, check_moderate


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
        ModerationAction.objects.create(
            topic=topic, kind=ModerationAction.Kind.DELETE_TOPIC, moderator=moderator,
            reason=reason, summary=f"“{topic.title}”"[:500],
        )  # fmt: skip
        # Endorsements protect their claims, which go with the topic: they go first.
        Endorsement.objects.filter(claim__topic=topic).delete()
        topic.delete()
