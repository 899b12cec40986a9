"""Members' reports of posts and claims, and the moderators' resolutions of them. Resolving
an item closes every open report on it, logs it and tells each reporter the outcome, in one
transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator

from apps.claims.models import Claim
from apps.core.text import REASON, REPORT, clean_text
from apps.forum.models import Post
from apps.forum.services.post_state import post_remove
from apps.moderation.models import ClaimMerge, ModerationAction, Report
from apps.moderation.permissions import check_handle_reports, check_report, check_report_post
from apps.notifications.models import Notification
from apps.notifications.services import notification_send

DISMISS, REMOVE = "dismiss", "remove"
RESOLUTIONS = {DISMISS: Report.State.DISMISSED, REMOVE: Report.State.REMOVED}
OUTCOMES = {DISMISS: "dismissed", REMOVE: "the post removed"}  # as the log says it


def report_create(*, reporter, reason: str, post: Post | None = None, claim: Claim | None = None):
    """Report a post or a claim (an alias stands for its target) to the moderators. An
    archived topic takes reports too: it is still read, so it can still hurt (a moderator
    dismisses them, or unarchives the topic to remove the post)."""
    if (post is None) == (claim is None):
        raise TypeError("Report either a post or a claim.")
    if post is not None:
        check_report_post(reporter, post)
        if post.is_tombstone:
            raise ValidationError(
                "This post was already deleted or removed: there is nothing left to report.",
                code="tombstone",
            )
        topic = post.thread.topic
    else:
        check_report(reporter, "a claim")
        claim = claim.canonical
        topic = claim.topic
    reason = clean_text(reason, REPORT)
    try:
        with transaction.atomic():
            return Report.objects.create(
                topic=topic, post=post, claim=claim, reporter=reporter, reason=reason
            )
    except IntegrityError:  # the partial unique constraints: one open report per item
        raise ValidationError(
            "You already reported this, and the moderators have not resolved it yet.",
            code="already_reported",
        ) from None


def report_resolve(*, report: Report, moderator, action: str, note: str = "") -> list[Report]:
    """Dismiss the reports on the reported item, or remove the reported post (the note is
    then the removal's reason, required). Returns the reports it closed."""
    check_handle_reports(moderator)
    if action not in RESOLUTIONS:
        raise ValidationError("Choose “dismiss” or “remove”.", code="no_such_action")
    note = clean_text(note, REASON, required=action == REMOVE)
    if action == REMOVE and report.post_id is None:
        raise ValidationError(
            "Only a post can be removed: merge a claim on the topic's merge screen.",
            code="not_a_post",
        )
    with transaction.atomic():
        reports = _lock_open(post_id=report.post_id, claim_id=report.claim_id)
        if report.pk not in {each.pk for each in reports}:
            raise ValidationError("These reports were already resolved.", code="already_resolved")
        item = report.item
        # A post a moderator removed meanwhile (from the thread) needs no second removal.
        if action == REMOVE and item.state != Post.State.REMOVED:
            post_remove(post=item, moderator=moderator, reason=note)
        _close(reports, RESOLUTIONS[action], moderator, note)
        _log(reports, item, moderator, note, OUTCOMES[action])
        reporters_notify(
            reports=reports,
            text=_told(item, action, note),
            url=item.get_absolute_url(),
            moderator=moderator,
        )
    return reports


def reports_resolve_merged(*, merge: ClaimMerge, moderator) -> None:
    """Close the open reports on the merge's claims: the merge answered them. Caller holds
    the claims' locks, inside the merge's transaction."""
    sources = list(merge.sources.all())
    for claim in [merge.target, *sources]:
        reports = _lock_open(post_id=None, claim_id=claim.pk)
        if not reports:
            continue
        _close(reports, Report.State.MERGED, moderator, merge.reason)
        _log(reports, claim, moderator, merge.reason, f"merged into «{merge.target.text}»")
        if claim.pk == merge.target.pk:
            names = "; ".join(f"«{source.text}»" for source in sources)
            text = f"A moderator merged {names} into the claim you reported, «{claim.text}»."
        else:
            text = (
                f"A moderator merged the claim you reported, «{claim.text}», into"
                f" «{merge.target.text}»."
            )
        url = merge.target.get_absolute_url()
        reporters_notify(reports=reports, text=text, url=url, moderator=moderator)


def _lock_open(*, post_id: int | None, claim_id: int | None) -> list[Report]:
    """The item's open reports, row-locked: two moderators resolving it queue up."""
    open_reports = Report.objects.filter(
        state=Report.State.OPEN, post_id=post_id, claim_id=claim_id
    )
    locked = open_reports.select_related("reporter").select_for_update(of=("self",))
    return list(locked.order_by("pk"))


def _close(reports: list[Report], state: str, moderator, note: str) -> None:
    now = timezone.now()
    for report in reports:
        report.state, report.resolved_by, report.resolved_at = state, moderator, now
        report.note = note
    Report.objects.bulk_update(reports, ["state", "resolved_by", "resolved_at", "note"])


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


def _told(item: Post | Claim, action: str, note: str) -> str:
    what = "post" if isinstance(item, Post) else f"claim «{item.text}»"
    if action == REMOVE:
        told = f"A moderator removed the post you reported: {note}"
    else:
        told = f"A moderator looked at the {what} you reported and left it as it is"
        told += f": {note}" if note else "."
    return Truncator(told).chars(Notification._meta.get_field("text").max_length)


def reporters_notify(*, reports: list[Report], text: str, url: str, moderator) -> None:
    """Tell each reporter how their report was resolved: the one place reports notify
    anyone, in the caller's transaction."""
    for report in reports:
        notification_send(member=report.reporter, text=text, url=url, actor=moderator)
