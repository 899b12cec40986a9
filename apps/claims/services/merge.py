"""Merging claims (Misago's shape): find the posts and members with stances on several of
the claims, let the moderator resolve the opposite ones, then re-point the tags and
endorsements in bulk and record enough to undo it exactly (merge_undo.py)."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.claims.permissions import check_merge
from apps.core.text import REASON, clean_text
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty
from apps.moderation.models import ClaimMerge, ModerationAction
from apps.moderation.reports import reports_resolve_merged
from apps.moderation.selectors import (
    members_needing_choice,
    posts_needing_choice,
    state_fingerprint,
)
from apps.notifications.services import notifications_for_merge


def claim_merge(
    *, target: Claim, sources: list[Claim], moderator, reason: str,
    resolutions: dict[int, str] | None = None, member_resolutions: dict[int, str] | None = None,
    fingerprint: str | None = None,
) -> ClaimMerge:  # fmt: skip
    """Merge `sources` into `target`: their tags and endorsements move to the target, a post
    tagged with (a member endorsing) several of them keeps one tag (endorsement), and they
    become aliases of the target. `resolutions` and `member_resolutions` give the stance kept
    by each post and member with opposite stances on the claims, by post and member id."""
    check_merge(moderator)
    check_topic_open(target.topic)
    reason = clean_text(reason, REASON)
    claim_ids = sorted({target.pk, *(source.pk for source in sources)})
    if not sources:
        raise ValidationError(
            "Choose at least one claim to merge into the target.", code="no_sources"
        )
    if target.pk in {source.pk for source in sources}:
        raise ValidationError("A claim cannot be merged into itself.", code="self_merge")
    with writing_in(target.topic):
        claims = lock_claims(claim_ids)
        _check_mergeable(claims, target.pk, fingerprint)
        target, sources = claims[target.pk], [claims[pk] for pk in claim_ids if pk != target.pk]
        chosen_stances = _chosen(
            posts_needing_choice(claim_ids=claim_ids), resolutions, POST_CHOICE
        )
        chosen_endorsements = _chosen(
            members_needing_choice(claim_ids=claim_ids), member_resolutions, MEMBER_CHOICE
        )
        before = _snapshot(claim_ids)
        notifications = notifications_for_merge(target=target, sources=sources, moderator=moderator)
        _collapse(ClaimTag, "post_id", target, claim_ids, chosen_stances)
        _collapse(Endorsement, "user_id", target, claim_ids, chosen_endorsements)
        _alias(target, sources)
        merged_posts = target.tags.values("post_id")  # now exactly the posts tagged before
        after = ClaimTag.objects.filter(
            post_id__in=merged_posts, claim_id__in=involved_claims(before)
        )
        endorsements = Endorsement.objects.filter(claim_id=target.pk)  # all, one per member
        merge = ClaimMerge.objects.create(
            topic=target.topic, target=target, moderator=moderator, reason=reason, before=before,
            after={"tags": tag_rows(after), "endorsements": endorsement_rows(endorsements)},
        )  # fmt: skip
        merge.sources.set(sources)
        merge.notifications.set(notifications)
        log_merge(merge, sources, ModerationAction.Kind.MERGE, moderator, reason)
        reports_resolve_merged(merge=merge, moderator=moderator)
        map_mark_dirty(topic=target.topic)
    return merge


def lock_claims(claim_ids: list[int]) -> dict[int, Claim]:
    """Row-lock the claims in id order, so that merges touching the same claims queue up
    instead of deadlocking."""
    claims = Claim.objects.select_for_update(of=("self",)).filter(pk__in=claim_ids).order_by("pk")
    return {claim.pk: claim for claim in claims.select_related("merged_into")}


def _check_mergeable(claims: dict[int, Claim], target_id: int, fingerprint: str | None) -> None:
    """Caller holds the claims' row locks."""
    if len({claim.topic_id for claim in claims.values()}) > 1:
        raise ValidationError("Only claims of the same topic can be merged.", code="other_topic")
    for claim in claims.values():
        if claim.status != Claim.Status.ACTIVE:
            role = "target" if claim.pk == target_id else "claim"
            raise ValidationError(
                f"The {role} «{claim.text}» is already merged into «{claim.merged_into}»;"
                " merge into that.",
                code="already_merged",
            )
    if fingerprint is not None and fingerprint != state_fingerprint(sorted(claims)):
        raise ValidationError(
            "The claims' tags changed since the preview was shown:"
            " check the new preview and confirm again.",
            code="stale_preview",
        )


POST_CHOICE = (
    "Post {} supports one of these claims and opposes another: "
    "choose the stance its merged tag keeps."
)
MEMBER_CHOICE = (
    "Member {} supports one of these claims and opposes another: "
    "choose the stance their merged endorsement keeps."
)


def _chosen(owners: list[int], resolutions: dict[int, str] | None, refusal: str) -> dict:
    """owner (post or member) id -> the stance the moderator chose for it, for each owner
    with opposite stances on the claims; every other owner keeps the stance it has."""
    chosen = {}
    for owner in owners:
        choice = (resolutions or {}).get(owner)
        if choice not in ClaimTag.Stance.values:
            raise ValidationError(refusal.format(owner), code="unresolved_conflict")
        chosen[owner] = choice
    return chosen


def _snapshot(claim_ids: list[int]) -> dict:
    aliases = Claim.objects.filter(Q(pk__in=claim_ids) | Q(merged_into__in=claim_ids)).order_by(
        "pk"
    )
    return {
        "tags": tag_rows(ClaimTag.objects.filter(claim_id__in=claim_ids)),
        "endorsements": endorsement_rows(Endorsement.objects.filter(claim_id__in=claim_ids)),
        "claims": list(aliases.values_list("pk", "status", "merged_into")),
    }


def involved_claims(before: dict) -> list[int]:
    return [row[0] for row in before["claims"]]


def posts_of(snapshot: dict) -> list[int]:
    return sorted({row[1] for row in snapshot["tags"]})


def endorsements_of(snapshot: dict) -> list[list]:
    return snapshot.get("endorsements", [])  # merges made before endorsements have none


def any_of(column: str, ids: list[int]) -> RawSQL:
    """A filter `column = ANY(ids)`: one array parameter, where `column__in=ids` makes one
    per id, which Django and PostgreSQL take several times as long to handle."""
    return RawSQL(f"{column} = ANY(%s::bigint[])", [ids], output_field=BooleanField())


def tag_rows(tags) -> list[list]:
    return [
        list(row) for row in tags.order_by("pk").values_list("pk", "post_id", "claim_id", "stance")
    ]


def endorsement_rows(endorsements) -> list[list]:
    """[id, user, claim, stance, created, updated], times in ISO 8601 as JSON holds them."""
    rows = endorsements.order_by("pk").values_list(
        "pk", "user_id", "claim_id", "stance", "created", "updated"
    )
    return [[*row[:4], row[4].isoformat(), row[5].isoformat()] for row in rows]


def _collapse(model, owner: str, target: Claim, claim_ids: list[int], chosen: dict) -> None:
    """Each owner (a post of its tags, a member of their endorsements) keeps one row on the
    target: its existing target row if it has one, else its row on the source with the
    highest id, re-pointed, with the stance `chosen` for it if any; in three statements
    whatever the number of rows. Caller holds the claims' locks."""
    source_ids = [pk for pk in claim_ids if pk != target.pk]
    outranking = model.objects.filter(**{owner: OuterRef(owner)}, claim_id__in=claim_ids)
    outranking = outranking.filter(Q(claim_id=target.pk) | Q(claim_id__gt=OuterRef("claim_id")))
    model.objects.filter(claim_id__in=source_ids).filter(Exists(outranking)).delete()
    model.objects.filter(claim_id__in=source_ids).update(claim_id=target.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {model._meta.db_table} kept SET stance = chosen.stance
            FROM unnest(%s::bigint[], %s::text[]) AS chosen(owner, stance)
            WHERE kept.{owner} = chosen.owner AND kept.claim_id = %s
            """,
            [list(chosen), list(chosen.values()), target.pk],
        )


def _alias(target: Claim, sources: list[Claim]) -> None:
    """Sources, and the aliases they had, now point straight at the target."""
    Claim.objects.filter(merged_into__in=sources).update(merged_into=target)
    Claim.objects.filter(pk__in=[source.pk for source in sources]).update(
        status=Claim.Status.MERGED, merged_into=target
    )


def log_merge(merge: ClaimMerge, sources: list[Claim], kind: str, moderator, reason: str) -> None:
    names = "; ".join(f"«{source.text}»" for source in sources)
    verb = "into" if kind == ModerationAction.Kind.MERGE else "back out of"
    posts = len(posts_of(merge.before))
    ModerationAction.objects.create(
        topic=merge.topic, kind=kind, moderator=moderator, reason=reason, merge=merge,
        summary=f"{names} {verb} «{merge.target.text}» ({posts} posts)"[:500],
    )  # fmt: skip
