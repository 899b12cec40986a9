"""Who may moderate: an active member holding the action's permission (the moderators group
holds them all), and who may read the moderators' names in the log."""

from django.core.exceptions import PermissionDenied

from apps.accounts.permissions import can_participate

# The moderation actions' permissions, by what they allow.
REMOVE_POSTS = "forum.remove_post"
LOCK_THREADS = "forum.lock_thread"
DELETE_THREADS = "forum.delete_thread"
DELETE_TOPICS = "forum.delete_topic"
MERGE_CLAIMS = "moderation.merge_claims"  # also the duplicate queue
SEE_MODERATORS = "moderation.view_moderationaction"


def can_moderate(user, permission: str) -> bool:
    return can_participate(user) and user.has_perm(permission)


def check_moderate(user, permission: str, action: str) -> None:
    """`action` completes "Only moderators can …"."""
    if not can_moderate(user, permission):
        raise PermissionDenied(f"Only moderators can {action}.")


def can_see_moderators(user) -> bool:
    """Moderators' names in the public log are for moderators only."""
    return can_moderate(user, SEE_MODERATORS)
