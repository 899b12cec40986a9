"""Moderators' writes: merging claims and undoing merges, removing and restoring posts,
locking threads. Each checks permission and input, then changes rows in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Notification
from apps.claims.models import Claim, ClaimTag
from apps.forum.models import Post, Thread, Topic
from apps.maps.services import map_mark_dirty
from apps.moderation.models import (
    MAX_REASON_LENGTH,
    ClaimMerge,
    DuplicateDismissal,
    ModerationAction,
)
from apps.moderation.selectors import merge_preview, state_fingerprint


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
    resolutions: dict[int, str] | None = None, fingerprint: str | None = None,
) -> ClaimMerge:  # fmt: skip
    """Merge `sources` into `target`: their tags move to the target, a post tagged with
    several of them keeps one tag, and they become aliases of the target."""
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
        preview = merge_preview(
            target=claims[target.pk], sources=[claims[pk] for pk in claim_ids if pk != target.pk]
        )
        merged_stances = _resolve_conflicts(preview, resolutions or {})
        before = _snapshot(claim_ids)
        _move_tags(claims[target.pk], claim_ids, merged_stances)
        _alias(claims[target.pk], preview.sources)
        merge = ClaimMerge.objects.create(
            topic=target.topic, target=claims[target.pk], moderator=moderator, reason=reason,
            before=before, after={"tags": _tags_on(list(merged_stances), _involved(before))},
        )  # fmt: skip
        merge.sources.set(preview.sources)
        _log_merge(merge, preview, ModerationAction.Kind.MERGE, moderator, reason)
        _notify_authors(preview, merge)
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


def _resolve_conflicts(preview, resolutions: dict[int, str]) -> dict[int, str]:
    """post id -> the stance of its one merged tag."""
    merged = {}
    for affected in preview.posts:
        stances = set(affected.stances.values())
        if len(stances) == 1:
            merged[affected.post.pk] = stances.pop()
            continue
        choice = resolutions.get(affected.post.pk)
        if choice not in ClaimTag.Stance.values:
            raise ValidationError(
                f"Post {affected.post.pk} supports one of these claims and opposes another: "
                "choose the stance its merged tag keeps.",
                code="unresolved_conflict",
            )
        merged[affected.post.pk] = choice
    return merged


def _snapshot(claim_ids: list[int]) -> dict:
    aliases = Claim.objects.filter(Q(pk__in=claim_ids) | Q(merged_into__in=claim_ids)).order_by(
        "pk"
    )
    return {
        "tags": _tag_rows(ClaimTag.objects.filter(claim_id__in=claim_ids)),
        "claims": list(aliases.values_list("pk", "status", "merged_into")),
    }


def _involved(before: dict) -> list[int]:
    return [row[0] for row in before["claims"]]


def _tags_on(post_ids: list[int], claim_ids: list[int]) -> list[list]:
    return _tag_rows(ClaimTag.objects.filter(post_id__in=post_ids, claim_id__in=claim_ids))


def _tag_rows(tags) -> list[list]:
    return [
        list(row) for row in tags.order_by("pk").values_list("pk", "post_id", "claim_id", "stance")
    ]


def _move_tags(target: Claim, claim_ids: list[int], merged_stances: dict[int, str]) -> None:
    """Each affected post keeps one tag on the target: its existing target tag if it has
    one, else its earliest tag on a source, re-pointed. Caller holds the claims' locks."""
    tags = ClaimTag.objects.filter(claim_id__in=claim_ids).order_by("post_id", "-claim_id", "pk")
    keep: dict[int, ClaimTag] = {}
    for tag in tags:
        if tag.post_id not in keep or tag.claim_id == target.pk:
            keep[tag.post_id] = tag
    kept_ids = [tag.pk for tag in keep.values()]
    ClaimTag.objects.filter(claim_id__in=claim_ids).exclude(pk__in=kept_ids).delete()
    for tag in keep.values():
        tag.claim_id, tag.stance = target.pk, merged_stances[tag.post_id]
    ClaimTag.objects.bulk_update(list(keep.values()), ["claim", "stance"], batch_size=2000)


def _alias(target: Claim, sources: list[Claim]) -> None:
    """Sources, and the aliases they had, now point straight at the target."""
    Claim.objects.filter(merged_into__in=sources).update(merged_into=target)
    Claim.objects.filter(pk__in=[source.pk for source in sources]).update(
        status=Claim.Status.MERGED, merged_into=target
    )


def _log_merge(merge: ClaimMerge, preview, kind: str, moderator, reason: str) -> None:
    names = "; ".join(f"«{source.text}»" for source in preview.sources)
    verb = "into" if kind == ModerationAction.Kind.MERGE else "back out of"
    ModerationAction.objects.create(
        topic=merge.topic, kind=kind, moderator=moderator, reason=reason, merge=merge,
        summary=f"{names} {verb} «{merge.target.text}» ({len(preview.posts)} posts)"[:500],
    )  # fmt: skip


def _notify_authors(preview, merge: ClaimMerge) -> None:
    """Tell the authors of posts whose tags moved to the target (not those already on it)."""
    sources = {source.pk for source in preview.sources}
    authors = {
        affected.post.author_id: affected.post
        for affected in preview.posts
        if affected.post.author_id and sources & set(affected.stances)
    }
    Notification.objects.bulk_create(
        Notification(
            user_id=author_id,
            text=f"A moderator merged claims your posts were tagged with into «{merge.target}».",
            url=post.get_absolute_url(),
        )
        for author_id, post in authors.items()
    )


def claim_merge_undo(*, merge: ClaimMerge, moderator, reason: str = "") -> ClaimMerge:
    """Put back exactly the tags and claims the merge changed."""
    require_permission(moderator, "moderation.merge_claims", "undo merges")
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        merge = ClaimMerge.objects.select_for_update().get(pk=merge.pk)
        claim_ids = _involved(merge.before)
        lock_claims(claim_ids)
        _check_undoable(merge, claim_ids)
        post_ids = sorted({row[1] for row in merge.before["tags"]})
        ClaimTag.objects.filter(post_id__in=post_ids, claim_id__in=claim_ids).delete()
        ClaimTag.objects.bulk_create(
            ClaimTag(pk=pk, post_id=post, claim_id=claim, stance=stance)
            for pk, post, claim, stance in merge.before["tags"]
        )
        for pk, status, merged_into in merge.before["claims"]:
            Claim.objects.filter(pk=pk).update(status=status, merged_into_id=merged_into)
        merge.undone_at, merge.undone_by = timezone.now(), moderator
        merge.save(update_fields=["undone_at", "undone_by"])
        preview = merge_preview(target=merge.target, sources=list(merge.sources.all()))
        _log_merge(merge, preview, ModerationAction.Kind.UNDO_MERGE, moderator, reason)
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
    post_ids = sorted({row[1] for row in merge.after["tags"]})
    if _tags_on(post_ids, claim_ids) != merge.after["tags"]:
        raise ValidationError(
            "Tags of the merged posts changed since the merge; undoing it would overwrite them.",
            code="tags_changed",
        )


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
        if ClaimTag.objects.filter(Q(post=post) | Q(post__parent=post)).exists():
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
        topic.delete()
