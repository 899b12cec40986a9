"""Endorsing claims: a member supports or opposes a claim without posting."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.permissions import check_participate
from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty


class NoEndorsement(ValidationError):
    """There is no endorsement to withdraw."""


def endorsement_set(*, claim: Claim, member, stance: str) -> tuple[Endorsement, bool]:
    """The member's endorsement of the claim (an alias stands for its target) with this
    stance, and whether it is new; an existing one changes stance."""
    check_participate(member, "endorse claims")
    if stance not in ClaimTag.Stance.values:
        raise ValidationError(
            f"An endorsement supports or opposes a claim, not “{stance}”.", code="stance"
        )
    check_topic_open(claim.topic)
    with writing_in(claim.topic):
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
    check_participate(member, "endorse claims")
    check_topic_open(claim.topic)
    with writing_in(claim.topic):
        claim = _lock_canonical(claim)
        deleted, _ = Endorsement.objects.filter(claim=claim, user=member).delete()
        if not deleted:
            raise NoEndorsement(
                f"You have not endorsed «{claim.text}»: there is nothing to withdraw.",
                code="no_endorsement",
            )
        map_mark_dirty(topic=claim.topic)


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
