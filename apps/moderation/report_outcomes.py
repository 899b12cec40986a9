"""How reports end: an item's open reports closed together, one line in the log, each
reporter told. Report resolution (reports.py), post removal (apps/forum/services/post_state.py)
and claim merges end them here, inside their own transactions."""

from django.utils import timezone
from django.utils.text import Truncator

from apps.claims.models import Claim
from apps.forum.models import Post
from apps.moderation.models import ModerationAction, Report
from apps.notifications.models import Notification
from apps.notifications.services import notification_send


def reports_lock_open(item: Post | Claim) -> list[Report]:
    """The item's open reports, row-locked: two moderators resolving it queue up."""
    field = "post" if isinstance(item, Post) else "claim"
    open_reports = Report.objects.filter(state=Report.State.OPEN, **{field: item})
    locked = open_reports.select_related("reporter").select_for_update(of=("self",))
    return list(locked.order_by("pk"))


def reports_settle(
    *, item: Post | Claim, state: str, moderator, note: str, outcome: str, told: str
) -> list[Report]:
    """Close the item's open reports with `state`, log `outcome` ("dismissed", "the post
    removed") and tell each reporter `told`. Returns the reports it closed (none: no-op)."""
    reports = reports_lock_open(item)
    if not reports:
        return reports
    now = timezone.now()
    for report in reports:
        report.state, report.resolved_by, report.resolved_at = state, moderator, now
        report.note = note
    Report.objects.bulk_update(reports, ["state", "resolved_by", "resolved_at", "note"])
    _log(reports, item, moderator, note, outcome)
    told = Truncator(told).chars(Notification._meta.get_field("text").max_length)
    for report in reports:
        notification_send(
            member=report.reporter, text=told, url=item.get_absolute_url(), actor=moderator
        )
    return reports


def _log(reports: list[Report], item: Post | Claim, moderator, note: str, outcome: str) -> None:
    """One line in the public log; the reporters and their reasons stay with moderators."""
    count = f"{len(reports)} report{'s' if len(reports) > 1 else ''}"
    if isinstance(item, Post):
        what = f"post {item.pk} in “{item.thread.title}”"
        topic, thread, post = item.thread.topic, item.thread, item
    else:
        what, topic, thread, post = f"claim «{item.text}»", item.topic, None, None
    ModerationAction.objects.create(
        topic=topic, kind=ModerationAction.Kind.RESOLVE_REPORTS, moderator=moderator,
        reason=note, post=post, thread=thread, summary=f"{count} on {what}: {outcome}"[:500],
    )  # fmt: skip
