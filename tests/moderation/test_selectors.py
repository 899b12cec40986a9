"""Moderation's composite reads: the duplicate queue and the merge preview."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.claims.models import Claim
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.moderation.selectors import (
    likely_duplicates,
    members_needing_choice,
    merge_preview,
    posts_needing_choice,
    state_fingerprint,
)
from apps.moderation.services import duplicate_dismiss
from tests.factories import tagged

pytestmark = pytest.mark.django_db


def test_the_duplicate_queue_ranks_similar_pairs_and_forgets_dismissed_ones(
    topic, member, moderator
):
    copies, _ = claim_create(
        topic=topic, author=member, text="Models store copies of their training images"
    )
    again, _ = claim_create(
        topic=topic, author=member, text="The models store copies of the training images"
    )
    claim_create(topic=topic, author=member, text="Fair use protects transformative work")
    assert [(pair.first, pair.second) for pair in likely_duplicates(topic=topic)] == [
        (copies, again)
    ]
    duplicate_dismiss(first=again, second=copies, moderator=moderator)
    assert likely_duplicates(topic=topic) == []
    with pytest.raises(PermissionDenied):
        duplicate_dismiss(first=copies, second=again, moderator=member)


def test_the_preview_lists_what_changes_and_which_choices_the_moderator_owes(
    thread, member, other_member
):
    both = tagged(thread.opening_post, member, ("Fair use", "supports"), ("Not fair", "opposes"))
    on_source = tagged(thread.opening_post, other_member, ("Not fair", "supports"))
    tagged(thread.opening_post, other_member, ("Fair use", "supports"))  # target alone: no change
    target, source = Claim.objects.get(text="Fair use"), Claim.objects.get(text="Not fair")
    endorsement_set(claim=target, member=other_member, stance="supports")
    endorsement_set(claim=source, member=other_member, stance="opposes")
    preview = merge_preview(target=target, sources=[source])
    assert [affected.post for affected in preview.posts] == [both, on_source]
    assert [affected.post for affected in preview.conflicts] == [both]
    assert [affected.kept_stance for affected in preview.posts] == [None, "supports"]
    assert [affected.member for affected in preview.member_conflicts] == [other_member]
    claim_ids = [target.pk, source.pk]
    assert posts_needing_choice(claim_ids=claim_ids) == [both.pk]
    assert members_needing_choice(claim_ids=claim_ids) == [other_member.pk]


def test_the_fingerprint_changes_with_any_tag_or_endorsement_of_the_claims(thread, member):
    tagged(thread.opening_post, member, ("Fair use", "supports"))
    fair_use = Claim.objects.get(text="Fair use")
    before = state_fingerprint([fair_use.pk])
    assert state_fingerprint([fair_use.pk]) == before
    endorsement_set(claim=fair_use, member=member, stance="opposes")
    assert state_fingerprint([fair_use.pk]) != before
