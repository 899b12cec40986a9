"""Members' reports of posts and claims, and the moderators' resolutions of them. Resolving
an item closes every open report on it, logs it and tells each reporter the outcome, in one
transaction (report_outcomes.py); removing a reported post resolves its reports wherever the
moderator removes it from."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.claims.models import Claim
from apps.core.text import REASON, REPORT, clean_text
from apps.forum.models import Post
from apps.forum.services.post_state import post_remove
from apps.moderation.models import ClaimMerge, Report
from apps.moderation.permissions import check_handle_reports, check_report, check_report_post
from apps.moderation.report_outcomes import reports_lock_open, reports_settle

DISMISS, REMOVE = "dismiss", "remove"


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


def report_resolve(*, report: Report, moderator, action: str, note: str = "") -> int:
    """Dismiss the reports on the reported item, or remove the reported post (the note is
    then the removal's reason, required; the removal closes the reports). Returns how many
    reports it closed."""
    check_handle_reports(moderator)
    if action not in (DISMISS, REMOVE):
        raise ValidationError("Choose “dismiss” or “remove”.", code="no_such_action")
    note = clean_text(note, REASON, required=action == REMOVE)
    if action == REMOVE and report.post_id is None:
        raise ValidationError(
            "Only a post can be removed: merge a claim on the topic's merge screen.",
            code="not_a_post",
        )
    item = report.item
    with transaction.atomic():
        reports = reports_lock_open(item)
        if report.pk not in {each.pk for each in reports}:
            raise ValidationError("These reports were already resolved.", code="already_resolved")
        if action == REMOVE:
            post_remove(post=item, moderator=moderator, reason=note)
        else:
            reports_settle(
                item=item, state=Report.State.DISMISSED, moderator=moderator, note=note,
                outcome="dismissed", told=_told_dismissed(item, note),
            )  # fmt: skip
    return len(reports)


def reports_resolve_merged(*, merge: ClaimMerge, moderator) -> None:
    """Close the open reports on the merge's claims: the merge answered them. Caller holds
    the claims' locks, inside the merge's transaction."""
    sources = list(merge.sources.all())
    target = merge.target
    names = "; ".join(f"«{source.text}»" for source in sources)
    told = {target.pk: f"A moderator merged {names} into the claim you reported, «{target.text}»."}
    for source in sources:
        told[source.pk] = (
            f"A moderator merged the claim you reported, «{source.text}», into «{target.text}»."
        )
    for claim in [target, *sources]:
        reports_settle(
            item=claim, state=Report.State.MERGED, moderator=moderator, note=merge.reason,
            outcome=f"merged into «{target.text}»", told=told[claim.pk],
        )  # fmt: skip


def _told_dismissed(item: Post | Claim, note: str) -> str:
    what = "post" if isinstance(item, Post) else f"claim «{item.text}»"
    told = f"A moderator looked at the {what} you reported and left it as it is"
    return told + (f": {note}" if note else ".")
