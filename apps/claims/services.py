"""Writes to claims, claim tags and endorsements."""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from apps.claims.models import (
    MAX_CLAIM_LENGTH,
    MAX_TAGS_PER_POST,
    Claim,
    ClaimTag,
    Endorsement,
    claim_key,
)
from apps.forum.models import Post, Topic
from apps.forum.permissions import check_topic_open
from apps.maps.services import map_mark_dirty

NEIGHBOURS = 5  # likely duplicates recorded for a new claim


@dataclass(frozen=True)
class TagInput:
    """A tag as a user gives it: an existing claim's id, or a claim's text (found or created)."""

    claim: int | str
    stance: str


def claim_create(*, topic: Topic, author, text: str) -> tuple[Claim, bool]:
    """The active claim of the topic with these words (or the claim its words' alias was
    merged into), and whether it was created just now."""
    if not (author and author.is_authenticated and author.is_active):
        raise PermissionDenied("Log in to add a claim.")
    check_topic_open(topic)
    with transaction.atomic():
        return _claim_for_text(topic, text, author)


def can_tag(user, post: Post) -> bool:
    """The post's author may change its tags, and so may moderators."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.pk == post.author_id or user.has_perm("claims.tag_any_post")


def post_tags_set(*, post: Post, actor, tags: list[TagInput]) -> list[ClaimTag]:
    """Replace a post's tags."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("Log in to tag posts.")
    if not can_tag(actor, post):
        raise PermissionDenied("Only the post's author or a moderator can change its tags.")
    check_topic_open(post.thread.topic)
    if post.is_tombstone:
        raise ValidationError("A deleted or removed post cannot be tagged.", code="tombstone")
    if post.thread.locked and not actor.has_perm("claims.tag_any_post"):
        raise PermissionDenied("This thread is locked: its posts' tags can no longer change.")
    check_tag_inputs(tags)
    with transaction.atomic():
        return tags_write(post=post, tags=tags, creator=actor)


def check_tag_inputs(tags: list[TagInput]) -> None:
    """What can be checked before touching the database."""
    if len(tags) > MAX_TAGS_PER_POST:
        raise ValidationError(
            f"A post can carry at most {MAX_TAGS_PER_POST} claim tags; this one has {len(tags)}.",
            code="too_many_tags",
        )
    for tag in tags:
        if tag.stance not in ClaimTag.Stance.values:
            raise ValidationError(
                f"A stance is “supports” or “opposes”, not “{tag.stance}”.", code="stance"
            )


def tags_write(*, post: Post, tags: list[TagInput], creator) -> list[ClaimTag]:
    """Make the post's tags exactly `tags`, marking the map dirty if anything changed.
    Caller has checked permission and check_tag_inputs, inside a transaction."""
    topic = post.thread.topic
    wanted: dict[int, str] = {}
    for tag in tags:
        claim = _resolve(topic, tag.claim, creator)
        if claim.pk in wanted:
            raise ValidationError(
                f"The claim «{claim.text}» is tagged twice.", code="duplicate_tag"
            )
        wanted[claim.pk] = tag.stance
    current = {tag.claim_id: tag for tag in post.tags.all()}
    changed = _apply(post, current, wanted)
    if changed:
        map_mark_dirty(topic=topic)
    return list(post.tags.select_related("claim").order_by("pk"))


def _apply(post: Post, current: dict[int, ClaimTag], wanted: dict[int, str]) -> bool:
    gone = [tag.pk for claim_id, tag in current.items() if claim_id not in wanted]
    restanced = [
        tag
        for claim_id, tag in current.items()
        if claim_id in wanted and tag.stance != wanted[claim_id]
    ]
    for tag in restanced:
        tag.stance = wanted[tag.claim_id]
    new = [
        ClaimTag(post=post, claim_id=claim_id, stance=stance)
        for claim_id, stance in wanted.items()
        if claim_id not in current
    ]
    ClaimTag.objects.filter(pk__in=gone).delete()
    ClaimTag.objects.bulk_update(restanced, ["stance"])
    ClaimTag.objects.bulk_create(new)
    return bool(gone or restanced or new)


def _resolve(topic: Topic, claim: int | str, creator) -> Claim:
    if isinstance(claim, int):
        found = Claim.objects.select_related("merged_into").filter(pk=claim).first()
        if found is None:
            raise ValidationError(f"There is no claim {claim}.", code="unknown_claim")
        if found.topic_id != topic.pk:
            raise ValidationError(
                f"The claim «{found.text}» belongs to another topic.", code="other_topic"
            )
        return found.canonical
    claim, _ = _claim_for_text(topic, claim, creator)
    return claim


def _claim_for_text(topic: Topic, text: str, creator) -> tuple[Claim, bool]:
    text = " ".join((text or "").split())
    if len(text) > MAX_CLAIM_LENGTH:
        raise ValidationError(
            f"A claim can be at most {MAX_CLAIM_LENGTH} characters; this one has {len(text)}.",
            code="too_long",
        )
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ValidationError(
            "The claim contains control characters: write it as plain text.", code="control"
        )
    key = claim_key(text)
    if not key:
        raise ValidationError("A claim needs words: write the proposition.", code="empty")
    same = Claim.objects.select_related("merged_into").filter(topic=topic, key=key)
    existing = same.active().first() or same.first()
    if existing:
        return existing.canonical, False
    claim, created = Claim.objects.get_or_create(
        topic=topic,
        key=key,
        status=Claim.Status.ACTIVE,
        defaults={"text": text, "created_by": creator},
    )
    if created:
        _record_neighbours(claim)
    return claim, created


class NoEndorsement(ValidationError):
    """There is no endorsement to withdraw."""


def endorsement_set(*, claim: Claim, member, stance: str) -> tuple[Endorsement, bool]:
    """The member's endorsement of the claim (an alias stands for its target) with this
    stance, and whether it is new; an existing one changes stance."""
    _require_member(member)
    if stance not in ClaimTag.Stance.values:
        raise ValidationError(
            f"An endorsement supports or opposes a claim, not “{stance}”.", code="stance"
        )
    check_topic_open(claim.topic)
    with transaction.atomic():
        claim = _lock_canonical(claim)
        # The claim's lock keeps a merge away; the row's unique constraint settles a race
        # between two requests of the same member, the loser reading the winner's row.
        now = timezone.now()
        endorsement, created = Endorsement.objects.select_for_update().get_or_create(
            claim=claim, user=member, defaults={"stance": stance, "created": now, "updated": now}
        )
        changed = created or endorsement.stance != stance
        if not created and changed:
            endorsement.stance, endorsement.updated = stance, now
            endorsement.save(update_fields=["stance", "updated"])
        if changed:
            map_mark_dirty(topic=claim.topic)
    return endorsement, created


def endorsement_withdraw(*, claim: Claim, member) -> None:
    """Delete the member's endorsement of the claim (an alias stands for its target)."""
    _require_member(member)
    check_topic_open(claim.topic)
    with transaction.atomic():
        claim = _lock_canonical(claim)
        deleted, _ = Endorsement.objects.filter(claim=claim, user=member).delete()
        if not deleted:
            raise NoEndorsement(
                f"You have not endorsed «{claim.text}»: there is nothing to withdraw.",
                code="no_endorsement",
            )
        map_mark_dirty(topic=claim.topic)


def _require_member(member) -> None:
    if not (member and member.is_authenticated and member.is_active):
        raise PermissionDenied("Log in to endorse claims.")


def _lock_canonical(claim: Claim) -> Claim:
    """The claim that endorsements of `claim` belong to (itself, or the target it was merged
    into), share-locked so that no merge or undo moves endorsements of it until the caller's
    transaction ends, while endorsements of the same claim do not wait for each other."""
    pk = claim.merged_into_id or claim.pk
    while True:  # a merge that committed while we waited for the lock: follow it
        found = Claim.objects.raw("SELECT * FROM claims_claim WHERE id = %s FOR SHARE", [pk])
        locked = next(iter(found), None)
        if locked is None:  # its topic was deleted meanwhile
            raise ValidationError("This claim no longer exists.", code="deleted")
        if locked.merged_into_id is None:
            return locked
        pk = locked.merged_into_id


def _record_neighbours(claim: Claim) -> None:
    """The new claim's likely duplicates: the few active claims of its topic whose texts
    are most alike (pg_trgm's similarity threshold, 0.3), read nearest first from the
    claim_text_trgm index."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO claims_claimneighbour (claim_id, neighbour_id, similarity)
            SELECT %(claim)s, other.id, similarity(other.text, %(text)s)
            FROM claims_claim other
            WHERE other.topic_id = %(topic)s AND other.id < %(claim)s
              AND other.status = 'active' AND other.text %% %(text)s
            ORDER BY other.text <-> %(text)s
            LIMIT %(neighbours)s
            """,
            {
                "claim": claim.pk,
                "text": claim.text,
                "topic": claim.topic_id,
                "neighbours": NEIGHBOURS,
            },
        )
