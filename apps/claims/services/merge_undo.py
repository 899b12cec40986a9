"""Undoing a merge: the tags, endorsements and claims exactly as they were before it,
refused when a later merge or a later change touched the same rows."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.claims.models import ClaimTag, Endorsement
from apps.claims.permissions import check_merge
from apps.claims.services.merge import (
    any_of,
    endorsement_rows,
    endorsements_of,
    involved_claims,
    lock_claims,
    log_merge,
    posts_of,
    tag_rows,
)
from apps.core.text import REASON, clean_text
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty
from apps.moderation.models import ClaimMerge, ModerationAction
from apps.notifications.services import notifications_for_merge_undo


def claim_merge_undo(*, merge: ClaimMerge, moderator, reason: str = "") -> ClaimMerge:
    """Put back exactly the tags and claims the merge changed, and withdraw or answer the
    notifications it sent (notifications_for_merge_undo)."""
    check_merge(moderator, "undo merges")
    check_topic_open(merge.topic)
    reason = clean_text(reason, REASON, required=False)
    with writing_in(merge.topic):
        merge = ClaimMerge.objects.select_for_update().get(pk=merge.pk)
        claim_ids = involved_claims(merge.before)
        lock_claims(claim_ids)
        _check_undoable(merge, claim_ids)
        _restore(merge)
        merge.undone_at, merge.undone_by = timezone.now(), moderator
        merge.save(update_fields=["undone_at", "undone_by"])
        notifications_for_merge_undo(merge=merge)
        sources = list(merge.sources.order_by("pk"))
        log_merge(merge, sources, ModerationAction.Kind.UNDO_MERGE, moderator, reason)
        map_mark_dirty(topic=merge.topic)
    return merge


def _check_undoable(merge: ClaimMerge, claim_ids: list[int]) -> None:
    """Caller holds the merge's and the claims' row locks."""
    if merge.undone_at:
        raise ValidationError("This merge was already undone.", code="already_undone")
    later = (
        ClaimMerge.objects.filter(topic=merge.topic, undone_at__isnull=True, pk__gt=merge.pk)
        .filter(Q(target_id__in=claim_ids) | Q(sources__in=claim_ids))
        .order_by("pk")
        .first()
    )
    if later:
        raise ValidationError(
            f"A later merge (#{later.pk}, into «{later.target}») touched these claims:"
            " undo it first.",
            code="later_merge",
        )
    merged = ClaimTag.objects.filter(any_of("post_id", posts_of(merge.after)))
    if tag_rows(merged.filter(claim_id__in=claim_ids)) != merge.after["tags"]:
        raise ValidationError(
            "Tags of the merged posts changed since the merge; undoing it would overwrite them.",
            code="tags_changed",
        )
    if _endorsements_now(merge, claim_ids) != _endorsements_left(endorsements_of(merge.after)):
        raise ValidationError(
            "Endorsements of the merged claims changed since the merge; undoing it would"
            " overwrite them.",
            code="endorsements_changed",
        )


def _endorsements_now(merge: ClaimMerge, claim_ids: list[int]) -> list[list]:
    """The rows of the claims now held by the members whose endorsements the merge moved."""
    members = sorted({row[1] for row in endorsements_of(merge.after)})
    held = Endorsement.objects.filter(any_of("user_id", members), claim_id__in=claim_ids)
    return endorsement_rows(held)


def _endorsements_left(rows: list[list]) -> list[list]:
    """The snapshot's rows but those of deleted members: those went with them, and an undo
    leaves them withdrawn."""
    members = sorted({row[1] for row in rows})
    living = set(User.objects.filter(any_of("id", members)).values_list("pk", flat=True))
    return [row for row in rows if row[1] in living]


def _restore(merge: ClaimMerge) -> None:
    """Give the tags the merge kept their claim and stance back, put back those it deleted,
    likewise the endorsements, and give the claims their status and target back: five
    statements, whatever the number of rows. Caller holds the locks and checked that the
    tags and endorsements are as the merge left them."""
    kept = {row[0]: row for row in merge.after["tags"]}
    changed = [row for row in merge.before["tags"] if row[0] in kept and row != kept[row[0]]]
    deleted = [row for row in merge.before["tags"] if row[0] not in kept]
    pks, _, claims, stances = _columns(changed, 4)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE claims_claimtag tag SET claim_id = was.claim_id, stance = was.stance
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS was(id, claim_id, stance)
            WHERE tag.id = was.id
            """,
            [pks, claims, stances],
        )
        cursor.execute(
            """
            INSERT INTO claims_claimtag (id, post_id, claim_id, stance)
            SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[])
            """,
            _columns(deleted, 4),
        )
        cursor.execute(
            """
            UPDATE claims_claim claim SET status = was.status, merged_into_id = was.merged_into
            FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS was(id, status, merged_into)
            WHERE claim.id = was.id
            """,
            _columns(merge.before["claims"], 3),
        )
    _restore_endorsements(endorsements_of(merge.before), endorsements_of(merge.after))


def _restore_endorsements(before: list[list], after: list[list]) -> None:
    """As _restore, for the endorsements: a deleted member's rows are gone and stay gone."""
    kept = {row[0]: row for row in after}
    changed = [row for row in before if row[0] in kept and row != kept[row[0]]]
    deleted = [row for row in before if row[0] not in kept]
    pks, _, claims, stances, _, _ = _columns(changed, 6)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE claims_endorsement endorsement
            SET claim_id = was.claim_id, stance = was.stance
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS was(id, claim_id, stance)
            WHERE endorsement.id = was.id
            """,
            [pks, claims, stances],
        )
        cursor.execute(
            """
            INSERT INTO claims_endorsement (id, user_id, claim_id, stance, created, updated)
            SELECT * FROM unnest(
                %s::bigint[], %s::bigint[], %s::bigint[], %s::text[],
                %s::timestamptz[], %s::timestamptz[]
            ) AS was(id, user_id, claim_id, stance, created, updated)
            WHERE EXISTS (SELECT 1 FROM accounts_user member WHERE member.id = was.user_id)
            """,
            _columns(deleted, 6),
        )


def _columns(rows: list[list], width: int) -> list[list]:
    """Snapshot rows as one list per column, for unnest()."""
    return [[row[column] for row in rows] for column in range(width)]
