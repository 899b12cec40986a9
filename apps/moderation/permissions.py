"""Who may report, and who handles reports: `can_*` answer templates and serializers,
`check_*` refuse with the reason."""

from django.core.exceptions import PermissionDenied

from apps.forum.models import Post

HANDLE_REPORTS = "moderation.handle_reports"


def can_report(user) -> bool:
    """Any active member may report a claim, and any post but their own."""
    return user.is_authenticated and user.is_active


def can_report_post(user, post: Post) -> bool:
    # As on Discourse or Lemmy, a member does not report their own post: they edit or
    # delete it, which they may always do.
    return can_report(user) and post.author_id != user.pk


def check_report(user, what: str) -> None:
    if not can_report(user):
        raise PermissionDenied(f"Log in to report {what}.")


def check_report_post(user, post: Post) -> None:
    check_report(user, "a post")
    if not can_report_post(user, post):
        raise PermissionDenied("This is your own post: edit or delete it instead of reporting it.")


def can_handle_reports(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(HANDLE_REPORTS)


def check_handle_reports(user) -> None:
    if not can_handle_reports(user):
        raise PermissionDenied("Only moderators can see and resolve reports.")
