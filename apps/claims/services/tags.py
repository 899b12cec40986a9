"""Tagging posts: the claims a post makes (supports) or disputes (opposes)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from apps.claims.models import MAX_TAGS_PER_POST, Claim, ClaimTag
from apps.claims.permissions import check_tag_post
from apps.claims.services.claims import claim_for_text
from apps.forum.models import Post, Topic
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty


@dataclass(frozen=True)
class TagInput:
    """A tag as a user gives it: an existing claim's id, or a claim's text (found or created)."""

    claim: int | str
    stance: str


def post_tags_set(*, post: Post, actor, tags: list[TagInput]) -> list[ClaimTag]:
    """Make the post's tags exactly `tags`, marking the map dirty if anything changed. Posting
    and editing call it inside their own transaction, for their author."""
    check_tag_post(actor, post)
    check_topic_open(post.thread.topic)
    if post.is_tombstone:
        raise ValidationError("A deleted or removed post cannot be tagged.", code="tombstone")
    check_tag_inputs(tags)
    # Inside a caller's transaction this is a savepoint (two cheap statements): a refusal
    # then undoes the tags' writes alone, and the caller may still go on.
    with writing_in(post.thread.topic):
        return _write(post, tags, actor)


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


def _write(post: Post, tags: list[TagInput], creator) -> list[ClaimTag]:
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
    if _apply(post, current, wanted):
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
    claim, _ = claim_for_text(topic, claim, creator)
    return claim
