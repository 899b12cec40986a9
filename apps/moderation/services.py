"""Moderators' writes: merging claims and undoing merges, removing and restoring posts,
locking threads. Each checks permission and input, then changes rows in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.accounts.models import Notification, User
from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.forum.models import Post, Thread, Topic
from apps.forum.services import post_touches_map
from apps.maps.services import map_mark_dirty
from apps.moderation import reports
from apps.moderation.models import (
    MAX_REASON_LENGTH,
    ClaimMerge,
    DuplicateDismissal,
    ModerationAction,
)
from apps.moderation.selectors import (
    members_needing_choice,
    posts_needing_choice,
    state_fingerprint,
)


def require_permission(user, permission: str, action: str) -> None:
    if not (user.is_authenticated and user.is_active and user.has_perm(permission)):
        raise PermissionDenied(f"Only moderators can {action}.")


def clean_reason(reason: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError("Give a reason: it is shown in the moderation log.", code="no_reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            f"A reason can be at most {MAX_REASON_LENGTH} characters.", code="too_long"
        )
    if "\x00" in reason:
        raise ValidationError("The reason contains a NUL character.", code="null_character")
    return reason


def claim_merge(
    *, target: Claim, sources: list[Claim], moderator, reason: str,
    resolutions: dict[int, str] | None = None, member_resolutions: dict[int, str] | None = None,
    fingerprint: str | None = None,
) -> ClaimMerge:  # fmt: skip
    """Merge `sources` into `target`: their tags and endorsements move to the target, a post
    tagged with (a member endorsing) several of them keeps one tag (endorsement), and they
    become aliases of the target. `resolutions` and `member_resolutions` give the stance kept
    by each post and member with opposite stances on the claims, by post and member id."""
    require_permission(moderator, "moderation.merge_claims", "merge claims")
    reason = clean_reason(reason)
    claim_ids = sorted({target.pk, *(source.pk for source in sources)})
    if not sources:
        raise ValidationError(
            "Choose at least one claim to merge into the target.", code="no_sources"
        )
    if target.pk in {source.pk for source in sources}:
        raise ValidationError("A claim cannot be merged into itself.", code="self_merge")
    with transaction.atomic():
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
        notifications = _notify_authors(target, sources)
        _collapse(ClaimTag, "post_id", target, claim_ids, chosen_stances)
        _collapse(Endorsement, "user_id", target, claim_ids, chosen_endorsements)
        _alias(target, sources)
        merged_posts = target.tags.values("post_id")  # now exactly the posts tagged before
        after = ClaimTag.objects.filter(post_id__in=merged_posts, claim_id__in=_involved(before))
        endorsements = Endorsement.objects.filter(claim_id=target.pk)  # all, one per member
        merge = ClaimMerge.objects.create(
            topic=target.topic, target=target, moderator=moderator, reason=reason, before=before,
            after={"tags": _tag_rows(after), "endorsements": _endorsement_rows(endorsements)},
        )  # fmt: skip
        merge.sources.set(sources)
        merge.notifications.set(notifications)
        _log_merge(merge, sources, ModerationAction.Kind.MERGE, moderator, reason)
        reports.reports_resolve_merged(merge=merge, moderator=moderator)
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
        "tags": _tag_rows(ClaimTag.objects.filter(claim_id__in=claim_ids)),
        "endorsements": _endorsement_rows(Endorsement.objects.filter(claim_id__in=claim_ids)),
        "claims": list(aliases.values_list("pk", "status", "merged_into")),
    }


def _involved(before: dict) -> list[int]:
    return [row[0] for row in before["claims"]]


def _posts_of(snapshot: dict) -> list[int]:
    return sorted({row[1] for row in snapshot["tags"]})


def _endorsements_of(snapshot: dict) -> list[list]:
    return snapshot.get("endorsements", [])  # merges made before endorsements have none


def _any_of(column: str, ids: list[int]) -> RawSQL:
    """A filter `column = ANY(ids)`: one array parameter, where `column__in=ids` makes one
    per id, which Django and PostgreSQL take several times as long to handle."""
    return RawSQL(f"{column} = ANY(%s::bigint[])", [ids], output_field=BooleanField())


def _tag_rows(tags) -> list[list]:
    return [
        list(row) for row in tags.order_by("pk").values_list("pk", "post_id", "claim_id", "stance")
    ]


def _endorsement_rows(endorsements) -> list[list]:
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


def _log_merge(merge: ClaimMerge, sources: list[Claim], kind: str, moderator, reason: str) -> None:
    names = "; ".join(f"«{source.text}»" for source in sources)
    verb = "into" if kind == ModerationAction.Kind.MERGE else "back out of"
    posts = len(_posts_of(merge.before))
    ModerationAction.objects.create(
        topic=merge.topic, kind=kind, moderator=moderator, reason=reason, merge=merge,
        summary=f"{names} {verb} «{merge.target.text}» ({posts} posts)"[:500],
    )  # fmt: skip


def _notify_authors(target: Claim, sources: list[Claim]) -> list[Notification]:
    """Tell the authors of posts tagged with a source that their tags move to the target,
    linking each to their latest such post. Caller runs it before the tags move."""
    posts = (
        Post.objects.filter(tags__claim__in=sources, author__isnull=False)
        .order_by("author_id", "-pk")
        .distinct("author_id")
        .only("pk", "author_id")
    )
    return Notification.objects.bulk_create(
        Notification(
            user_id=post.author_id,
            text=f"A moderator merged claims your posts were tagged with into «{target}».",
            url=post.get_absolute_url(),
        )
        for post in posts
    )


def _retract_notifications(merge: ClaimMerge) -> None:
    """A notification of the merge that its member has not read yet is withdrawn: it would
    tell them of a change that no longer holds. One they have read stays, as what they were
    told, and gets an answer saying that the merge was undone. Caller holds the merge's lock."""
    notifications = list(merge.notifications.select_for_update(of=("self",)).order_by("pk"))
    unread = [note.pk for note in notifications if not note.read]
    Notification.objects.filter(pk__in=unread).delete()
    Notification.objects.bulk_create(
        Notification(
            user_id=note.user_id,
            text=f"A moderator undid the merge into «{merge.target}»: your posts' claim tags"
            " are as they were before it.",
            url=note.url,
        )
        for note in notifications
        if note.read
    )


def claim_merge_undo(*, merge: ClaimMerge, moderator, reason: str = "") -> ClaimMerge:
    """Put back exactly the tags and claims the merge changed, and withdraw or answer the
    notifications it sent (_retract_notifications)."""
    require_permission(moderator, "moderation.merge_claims", "undo merges")
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        merge = ClaimMerge.objects.select_for_update().get(pk=merge.pk)
        claim_ids = _involved(merge.before)
        lock_claims(claim_ids)
        _check_undoable(merge, claim_ids)
        _restore(merge)
        _retract_notifications(merge)
        merge.undone_at, merge.undone_by = timezone.now(), moderator
        merge.save(update_fields=["undone_at", "undone_by"])
        sources = list(merge.sources.order_by("pk"))
        _log_merge(merge, sources, ModerationAction.Kind.UNDO_MERGE, moderator, reason)
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
    merged = ClaimTag.objects.filter(_any_of("post_id", _posts_of(merge.after)))
    if _tag_rows(merged.filter(claim_id__in=claim_ids)) != merge.after["tags"]:
        raise ValidationError(
            "Tags of the merged posts changed since the merge; undoing it would overwrite them.",
            code="tags_changed",
        )
    if _endorsements_now(merge, claim_ids) != _endorsements_left(_endorsements_of(merge.after)):
        raise ValidationError(
            "Endorsements of the merged claims changed since the merge; undoing it would"
            " overwrite them.",
            code="endorsements_changed",
        )


def _endorsements_now(merge: ClaimMerge, claim_ids: list[int]) -> list[list]:
    """The rows of the claims now held by the members whose endorsements the merge moved."""
    members = sorted({row[1] for row in _endorsements_of(merge.after)})
    held = Endorsement.objects.filter(_any_of("user_id", members), claim_id__in=claim_ids)
    return _endorsement_rows(held)


def _endorsements_left(rows: list[list]) -> list[list]:
    """The snapshot's rows but those of deleted members: those went with them, and an undo
    leaves them withdrawn."""
    members = sorted({row[1] for row in rows})
    living = set(User.objects.filter(_any_of("id", members)).values_list("pk", flat=True))
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
    _restore_endorsements(_endorsements_of(merge.before), _endorsements_of(merge.after))


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


def post_remove(*, post: Post, moderator, reason: str) -> Post:
    """Leave a "removed by moderator: reason" tombstone; the post's replies keep their place."""
    require_permission(moderator, "forum.remove_post", "remove posts")
    reason = clean_reason(reason)
    if post.state != Post.State.VISIBLE:
        raise ValidationError("Only a visible post can be removed.", code="not_visible")
    if post.depth == 0:
        raise ValidationError(
            "An opening post cannot be removed; lock the thread instead.", code="opening"
        )
    return _set_post_state(
        post, Post.State.REMOVED, reason, moderator, ModerationAction.Kind.REMOVE_POST
    )


def post_restore(*, post: Post, moderator, reason: str) -> Post:
    require_permission(moderator, "forum.remove_post", "restore posts")
    reason = clean_reason(reason)
    if post.state != Post.State.REMOVED:
        raise ValidationError(
            "Only a post removed by a moderator can be restored.", code="not_removed"
        )
    return _set_post_state(
        post, Post.State.VISIBLE, reason, moderator, ModerationAction.Kind.RESTORE_POST
    )


def _set_post_state(post: Post, state: str, reason: str, moderator, kind: str) -> Post:
    with transaction.atomic():
        post.state = state
        post.removal_reason = reason if state == Post.State.REMOVED else ""
        post.save(update_fields=["state", "removal_reason"])
        ModerationAction.objects.create(
            topic=post.thread.topic, kind=kind, moderator=moderator, reason=reason, post=post,
            thread=post.thread, summary=f"post {post.pk} in “{post.thread.title}”"[:500],
        )  # fmt: skip
        if post_touches_map(post):
            map_mark_dirty(topic=post.thread.topic)
    return post


LOCKING = {True: ModerationAction.Kind.LOCK_THREAD, False: ModerationAction.Kind.UNLOCK_THREAD}


def thread_set_locked(*, thread: Thread, moderator, locked: bool, reason: str) -> Thread:
    require_permission(moderator, "forum.lock_thread", "lock or unlock threads")
    reason = clean_reason(reason)
    if thread.locked == locked:
        raise ValidationError(
            f"The thread is already {'locked' if locked else 'unlocked'}.", code="no_change"
        )
    with transaction.atomic():
        thread.locked = locked
        thread.save(update_fields=["locked"])
        ModerationAction.objects.create(
            topic=thread.topic, moderator=moderator, reason=reason, thread=thread,
            kind=LOCKING[locked],
            summary=f"“{thread.title}”"[:500],
        )  # fmt: skip
    return thread


def thread_delete(*, thread: Thread, moderator, reason: str) -> None:
    """Delete a thread with every post in it; the log keeps what was deleted and why."""
    require_permission(moderator, "forum.delete_thread", "delete threads")
    reason = clean_reason(reason)
    with transaction.atomic():
        posts = thread.posts.count()
        tagged = ClaimTag.objects.filter(post__thread=thread).exists()
        ModerationAction.objects.create(
            topic=thread.topic, kind=ModerationAction.Kind.DELETE_THREAD, moderator=moderator,
            reason=reason, summary=f"“{thread.title}” with its {posts} posts"[:500],
        )  # fmt: skip
        _delete_posts(thread)
        thread.delete()
        if tagged:
            map_mark_dirty(topic=thread.topic)


def _delete_posts(thread: Thread) -> None:
    """Replies protect their parents from deletion; when a whole thread goes, unlink first."""
    Thread.objects.filter(pk=thread.pk).update(opening_post=None)
    thread.posts.update(parent=None, tree_parent=None)
    thread.posts.all().delete()


def topic_delete(*, topic: Topic, moderator, reason: str) -> None:
    """Delete an empty topic with its claims and maps; a topic with threads is refused."""
    require_permission(moderator, "forum.delete_topic", "delete topics")
    reason = clean_reason(reason)
    with transaction.atomic():
        threads = topic.threads.count()
        if threads:
            raise ValidationError(
                f"The topic still has {threads} thread(s): delete them first.",
                code="not_empty",
            )
        ModerationAction.objects.create(
            topic=topic, kind=ModerationAction.Kind.DELETE_TOPIC, moderator=moderator,
            reason=reason, summary=f"“{topic.title}”"[:500],
        )  # fmt: skip
        # Endorsements protect their claims, which go with the topic: they go first.
        Endorsement.objects.filter(claim__topic=topic).delete()
        topic.delete()
