"""Who may moderate: an active member holding the action's permission (the moderators group
holds them all); who may read the moderators' names in the log; who may report."""

from django.core.exceptions import PermissionDenied

from apps.accounts.permissions import can_participate, check_participate
from apps.forum.models import Post

# The moderation actions' permissions, by what they allow.
REMOVE_POSTS = "forum.remove_post"
LOCK_THREADS = "forum.lock_thread"
DELETE_THREADS = "forum.delete_thread"
DELETE_TOPICS = "forum.delete_topic"
MERGE_CLAIMS = "moderation.merge_claims"  # also the duplicate queue
SEE_MODERATORS = "moderation.view_moderationaction"
HANDLE_REPORTS = "moderation.handle_reports"


def can_moderate(user, permission: str) -> bool:
    return can_participate(user) and user.has_perm(permission)


def check_moderate(user, permission: str, action: str) -> None:
    """`action` completes "Only moderators can …"."""
    if not can_moderate(user, permission):
        raise PermissionDenied(f"Only moderators can {action}.")


def can_see_moderators(user) -> bool:
    """Moderators' names in the public log are for moderators only."""
    return can_moderate(user, SEE_MODERATORS)


def can_report(user) -> bool:
    """Any active member may report a claim, and any post but their own."""
    return can_participate(user)


def can_report_post(user, post: Post) -> bool:
    # As on Discourse or Lemmy, a member does not report their own post: they edit or
    # delete it, which they may always do.
    return can_report(user) and post.author_id != user.pk


def check_report(user, what: str) -> None:
    check_participate(user, f"report {what}")


def check_report_post(user, post: Post) -> None:
    check_report(user, "a post")
    if not can_report_post(user, post):
        raise PermissionDenied("This is your own post: edit or delete it instead of reporting it.")


def can_handle_reports(user) -> bool:
    return can_moderate(user, HANDLE_REPORTS)


def check_handle_reports(user) -> None:
    check_moderate(user, HANDLE_REPORTS, "see and resolve reports")
