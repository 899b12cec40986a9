"""Moderation's own writes: the duplicate queue. (Merging claims lives in apps/claims,
removing posts and locking or deleting threads in apps/forum; each logs itself here.)"""

from django.core.exceptions import PermissionDenied, ValidationError

from apps.claims.models import Claim
from apps.moderation.models import DuplicateDismissal


def require_permission(user, permission: str, action: str) -> None:
    if not (user.is_authenticated and user.is_active and user.has_perm(permission)):
        raise PermissionDenied(f"Only moderators can {action}.")


def duplicate_dismiss(*, first: Claim, second: Claim, moderator) -> DuplicateDismissal:
    require_permission(moderator, "moderation.merge_claims", "dismiss duplicate suggestions")
    if first.topic_id != second.topic_id or first.pk == second.pk:
        raise ValidationError(
            "Only two different claims of one topic make a pair.", code="not_a_pair"
        )
    first, second = sorted([first, second], key=lambda claim: claim.pk)
    dismissal, _ = DuplicateDismissal.objects.get_or_create(
        first=first, second=second, defaults={"topic": first.topic, "moderator": moderator}
    )
    return dismissal
