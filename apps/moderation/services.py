"""Moderation's own writes: the duplicate queue. (Merging claims lives in apps/claims,
removing posts and locking or deleting threads in apps/forum; each logs itself here.)"""

from django.core.exceptions import ValidationError

from apps.claims.models import Claim
from apps.claims.permissions import check_merge
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in
from apps.moderation.models import DuplicateDismissal


def duplicate_dismiss(*, first: Claim, second: Claim, moderator) -> DuplicateDismissal:
    check_merge(moderator, "dismiss duplicate suggestions")
    check_topic_open(first.topic)
    if first.topic_id != second.topic_id or first.pk == second.pk:
        raise ValidationError(
            "Only two different claims of one topic make a pair.", code="not_a_pair"
        )
    first, second = sorted([first, second], key=lambda claim: claim.pk)
    with writing_in(first.topic):
        dismissal, _ = DuplicateDismissal.objects.get_or_create(
            first=first, second=second, defaults={"topic": first.topic, "moderator": moderator}
        )
    return dismissal
