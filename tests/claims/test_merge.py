"""Merging claims and undoing merges (apps/claims/services/merge.py and merge_undo.py):
tags, endorsements and aliases move in bulk and come back exactly; who may, and when not."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import member_delete
from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set, endorsement_withdraw
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from apps.claims.services.tags import TagInput
from apps.forum.services.editing import post_edit
from apps.maps.builder import build_graph
from apps.moderation.models import ClaimMerge, ModerationAction
from apps.moderation.selectors import merge_preview
from apps.notifications.models import Notification
from tests.factories import TopicFactory, UserFactory, make_thread, tagged

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(thread, member, other_member):
    """Target «Models store copies», source «The AI keeps a copy», a post on each, and
    one post tagging both with the same stance."""
    target_post = tagged(thread.opening_post, member, ("Models store copies", "supports"))
    source_post = tagged(
        target_post, other_member, ("The AI keeps a copy", "supports"), response="agree"
    )
    both = tagged(
        thread.opening_post,
        other_member,
        ("Models store copies", "opposes"),
        ("The AI keeps a copy", "opposes"),
    )
    target = Claim.objects.get(text="Models store copies")
    source = Claim.objects.get(text="The AI keeps a copy")
    return target, source, target_post, source_post, both


def table_rows():
    """Every row of the tables a merge changes and its undo restores."""
    return {
        "claims": list(
            Claim.objects.order_by("pk").values_list(
                "pk", "topic", "text", "key", "status", "merged_into"
            )
        ),
        "tags": list(ClaimTag.objects.order_by("pk").values_list("pk", "post", "claim", "stance")),
        "endorsements": list(
            Endorsement.objects.order_by("pk").values_list(
                "pk", "user", "claim", "stance", "created", "updated"
            )
        ),
    }


def test_a_merge_moves_tags_aliases_the_source_and_records_itself(claims, moderator):
    target, source, target_post, source_post, both = claims
    merge = claim_merge(target=target, sources=[source], moderator=moderator, reason="Same claim")
    source.refresh_from_db()
    assert (source.status, source.merged_into) == ("merged", target)
    assert source_post.tags.get().claim == target
    assert list(both.tags.values_list("claim", "stance")) == [
        (target.pk, "opposes")
    ]  # same stance collapses
    assert list(merge.sources.all()) == [source] and merge.reason == "Same claim"
    assert ModerationAction.objects.get().kind == "merge"
    told = Notification.objects.filter(kind="merged")
    assert told.filter(user=source_post.author).exists()
    assert not told.filter(user=target_post.author).exists()  # its tag did not move


def test_opposite_stances_on_one_post_need_the_moderators_choice(thread, member, moderator):
    post = tagged(
        thread.opening_post, member, ("Fair use", "supports"), ("Not fair use at all", "opposes")
    )
    target, source = (
        Claim.objects.get(text="Fair use"),
        Claim.objects.get(text="Not fair use at all"),
    )
    assert [
        affected.needs_choice for affected in merge_preview(target=target, sources=[source]).posts
    ] == [True]
    with pytest.raises(ValidationError, match="choose the stance"):
        claim_merge(target=target, sources=[source], moderator=moderator, reason="dup")
    assert Claim.objects.get(pk=source.pk).status == "active" and post.tags.count() == 2
    claim_merge(
        target=target,
        sources=[source],
        moderator=moderator,
        reason="dup",
        resolutions={post.pk: "opposes"},
    )
    assert list(post.tags.values_list("claim", "stance")) == [(target.pk, "opposes")]


def test_a_post_tagged_only_with_two_sources_keeps_one_tag_on_the_target(thread, member, moderator):
    post = tagged(thread.opening_post, member, ("A copy", "supports"), ("Copies kept", "supports"))
    target, _ = claim_create(topic=thread.topic, author=member, text="Models store copies")
    sources = list(Claim.objects.filter(text__in=["A copy", "Copies kept"]))
    claim_merge(target=target, sources=sources, moderator=moderator, reason="dup")
    assert list(post.tags.values_list("claim", "stance")) == [(target.pk, "supports")]


@pytest.mark.parametrize("who", ["member", "anonymous", "inactive moderator"])
def test_only_active_moderators_merge(claims, member, who):
    from django.contrib.auth.models import AnonymousUser

    target, source, *_ = claims
    actor = {"member": member, "anonymous": AnonymousUser()}.get(who)
    if actor is None:
        actor = UserFactory(is_active=False)
        actor.groups.add(Group.objects.get(name="moderators"))
    before = table_rows()
    with pytest.raises(PermissionDenied, match="Only moderators"):
        claim_merge(target=target, sources=[source], moderator=actor, reason="dup")
    assert table_rows() == before and not ClaimMerge.objects.exists()


def test_merge_refusals_say_why_and_change_nothing(claims, moderator, member):
    target, source, *_ = claims
    foreign, _ = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    before = table_rows()
    cases = [
        (dict(target=target, sources=[target]), "into itself"),
        (dict(target=target, sources=[]), "at least one"),
        (dict(target=target, sources=[foreign]), "same topic"),
        (dict(target=target, sources=[source], reason="  "), "Give a reason"),
        (dict(target=target, sources=[source], reason="x" * 1001), "at most 1,000"),
        (dict(target=target, sources=[source], fingerprint="stale"), "changed since the preview"),
    ]
    for arguments, message in cases:
        with pytest.raises(ValidationError, match=message):
            claim_merge(**{"reason": "dup", "moderator": moderator, **arguments})
    assert table_rows() == before


def test_a_merged_target_or_source_is_refused_naming_where_it_went(
    claims, moderator, member, thread
):
    target, source, *_ = claims
    third, _ = claim_create(topic=thread.topic, author=member, text="Copies again")
    claim_merge(target=target, sources=[source], moderator=moderator, reason="dup")
    with pytest.raises(ValidationError, match="already merged into «Models store copies»"):
        claim_merge(target=source, sources=[third], moderator=moderator, reason="dup")
    with pytest.raises(ValidationError, match="already merged"):
        claim_merge(target=third, sources=[source], moderator=moderator, reason="dup")


def test_the_preview_fingerprint_catches_a_tag_changed_after_it(claims, moderator, other_member):
    target, source, target_post, source_post, both = claims
    preview = merge_preview(target=target, sources=[source])
    post_edit(
        post=source_post, editor=other_member, body="…", tags=[TagInput(source.pk, "opposes")]
    )
    with pytest.raises(ValidationError, match="changed since the preview"):
        claim_merge(
            target=target,
            sources=[source],
            moderator=moderator,
            reason="dup",
            fingerprint=preview.fingerprint,
        )
    fresh = merge_preview(target=target, sources=[source])
    claim_merge(
        target=target,
        sources=[source],
        moderator=moderator,
        reason="dup",
        fingerprint=fresh.fingerprint,
    )


def test_undo_restores_every_row_exactly_and_the_map_with_it(claims, moderator, thread, member):
    target, source, *_ = claims
    alias, _ = claim_create(topic=thread.topic, author=member, text="Earlier alias")
    tagged(thread.opening_post, member, (alias.pk, "supports"))
    claim_merge(target=source, sources=[alias], moderator=moderator, reason="first")  # a chain
    before, graph_before = table_rows(), build_graph(thread.topic)
    merge = claim_merge(target=target, sources=[source], moderator=moderator, reason="second")
    assert Claim.objects.get(pk=alias.pk).merged_into_id == target.pk  # the chain is one hop
    assert build_graph(thread.topic) != graph_before
    claim_merge_undo(merge=merge, moderator=moderator, reason="too hasty")
    assert table_rows() == before
    assert build_graph(thread.topic) == graph_before
    assert ModerationAction.objects.filter(kind="undo_merge", reason="too hasty").exists()


def merge_and_undo_queries(thread, authors, moderator, size):
    """SQL queries of a merge and of its undo, between a target and a source claim with
    `size` tags each: one post tags both in one stance, one in opposite stances (the
    moderator chooses), the rest one claim each; and as many members endorsing them, alike.
    Checks the undo restored every row."""
    target, _ = claim_create(topic=thread.topic, author=authors[0], text=f"Target of {size}")
    source, _ = claim_create(topic=thread.topic, author=authors[0], text=f"Source of {size}")
    endorsers = [UserFactory(username=f"endorser{size}_{n}") for n in range(size)]
    for n in range(size - 2):
        tagged(thread.opening_post, authors[n % 2], (target.pk, "supports"))
        tagged(thread.opening_post, authors[n % 2], (source.pk, "opposes"))
        endorsement_set(claim=(target, source)[n % 2], member=endorsers[n], stance="supports")
    tagged(thread.opening_post, authors[0], (target.pk, "opposes"), (source.pk, "opposes"))
    conflict = tagged(
        thread.opening_post, authors[1], (target.pk, "supports"), (source.pk, "opposes")
    )
    both, torn = endorsers[-2:]
    for claim, member, stance in [
        (target, both, "opposes"),
        (source, both, "opposes"),
        (target, torn, "supports"),
        (source, torn, "opposes"),
    ]:
        endorsement_set(claim=claim, member=member, stance=stance)  # fmt: skip
    before = table_rows()
    moderator = get_user_model().objects.get(pk=moderator.pk)  # permissions not yet cached
    with CaptureQueriesContext(connection) as merging:
        merge = claim_merge(
            target=target, sources=[source], moderator=moderator, reason="dup",
            resolutions={conflict.pk: "opposes"}, member_resolutions={torn.pk: "opposes"},
        )  # fmt: skip
    assert ClaimTag.objects.filter(claim=target).count() == 2 * size - 2
    assert list(conflict.tags.values_list("claim", "stance")) == [(target.pk, "opposes")]
    assert Endorsement.objects.filter(claim=target).count() == size
    assert Endorsement.objects.get(user=torn).stance == "opposes"
    moderator = get_user_model().objects.get(pk=moderator.pk)
    with CaptureQueriesContext(connection) as undoing:
        claim_merge_undo(merge=merge, moderator=moderator, reason="hasty")
    assert table_rows() == before
    return len(merging), len(undoing)


def test_a_merge_and_its_undo_run_as_many_queries_for_many_tags_as_for_few(
    thread, member, other_member, moderator
):
    few = merge_and_undo_queries(thread, [member, other_member], moderator, 3)
    many = merge_and_undo_queries(thread, [member, other_member], moderator, 40)
    assert few == many


def test_undo_is_refused_once_done_after_a_later_merge_or_after_tag_edits(
    claims, moderator, thread, member, other_member
):
    target, source, target_post, source_post, both = claims
    first = claim_merge(target=target, sources=[source], moderator=moderator, reason="dup")
    third, _ = claim_create(topic=thread.topic, author=member, text="Copies, a third way")
    later = claim_merge(target=target, sources=[third], moderator=moderator, reason="dup")
    with pytest.raises(ValidationError, match=f"later merge \\(#{later.pk}"):
        claim_merge_undo(merge=first, moderator=moderator)
    claim_merge_undo(merge=later, moderator=moderator)
    with pytest.raises(ValidationError, match="already undone"):
        claim_merge_undo(merge=later, moderator=moderator)
    post_edit(post=source_post, editor=other_member, body="…", tags=[])
    before = table_rows()
    with pytest.raises(ValidationError, match="would overwrite"):
        claim_merge_undo(merge=first, moderator=moderator)
    assert table_rows() == before


def test_members_cannot_undo(claims, moderator, member):
    target, source, *_ = claims
    merge = claim_merge(target=target, sources=[source], moderator=moderator, reason="dup")
    with pytest.raises(PermissionDenied):
        claim_merge_undo(merge=merge, moderator=member)
    assert Claim.objects.get(pk=source.pk).status == "merged"


def test_undo_withdraws_unread_merge_notifications_and_answers_read_ones(claims, moderator, thread):
    target, source, _, source_post, _ = claims
    carol = UserFactory(username="carol")
    tagged(thread.opening_post, carol, ("The AI keeps a copy", "opposes"))
    merge = claim_merge(target=target, sources=[source], moderator=moderator, reason="dup")
    told = Notification.objects.filter(text__contains="merged claims")
    assert set(told.values_list("user", flat=True)) == {source_post.author_id, carol.pk}
    read = told.get(user=carol)
    Notification.objects.filter(pk=read.pk).update(read=True)
    elsewhere = Notification.objects.create(user=source_post.author, text="Something else")

    claim_merge_undo(merge=merge, moderator=moderator)

    of_merges = Notification.objects.filter(kind__in=["merged", "unmerged", "message"])
    assert not of_merges.filter(user=source_post.author).exclude(pk=elsewhere.pk)
    assert Notification.objects.filter(pk=elsewhere.pk).exists()
    carols = of_merges.filter(user=carol).order_by("pk")
    assert [(note.pk == read.pk, note.read, note.url) for note in carols] == [
        (True, True, read.url),
        (False, False, read.url),
    ]
    assert carols.last().text == (
        f"A moderator undid the merge into «{target.text}»: your posts' claim tags are as"
        " they were before it."
    )


def test_a_refused_undo_leaves_the_merge_notifications_alone(claims, moderator):
    target, source, *_ = claims
    merge = claim_merge(target=target, sources=[source], moderator=moderator, reason="dup")
    Notification.objects.update(read=True)  # read ones stay linked to the merge
    claim_merge_undo(merge=merge, moderator=moderator)
    notifications = list(Notification.objects.order_by("pk").values_list("pk", "text", "read"))
    with pytest.raises(ValidationError, match="already undone"):
        claim_merge_undo(merge=merge, moderator=moderator)
    assert list(Notification.objects.order_by("pk").values_list("pk", "text", "read")) == (
        notifications
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_moderators_merging_overlapping_claims_at_once_one_wins_no_tag_is_lost():
    thread, first_mod, second_mod = make_thread(), UserFactory(), UserFactory()
    for moderator in (first_mod, second_mod):
        moderator.groups.add(Group.objects.get(name="moderators"))
    author = UserFactory()
    for text in ["Copies A", "Copies B", "Copies C"]:
        tagged(thread.opening_post, author, (text, "supports"))
    a, b, c = (Claim.objects.get(text=text) for text in ["Copies A", "Copies B", "Copies C"])
    barrier, outcomes = threading.Barrier(2), {}

    def merge(name, moderator, target, source):
        try:
            barrier.wait()
            claim_merge(target=target, sources=[source], moderator=moderator, reason=name)
            outcomes[name] = "merged"
        except ValidationError as error:
            outcomes[name] = error.messages[0]
        finally:
            connection.close()

    runs = [threading.Thread(target=merge, args=("ab", first_mod, a, b)),
            threading.Thread(target=merge, args=("cb", second_mod, c, b))]  # fmt: skip
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(outcomes.values())[1] == "merged"
    assert "already merged" in sorted(outcomes.values())[0]
    assert ClaimMerge.objects.count() == 1
    assert ClaimTag.objects.count() == 3  # every post still carries its tag
    winner = ClaimMerge.objects.get().target
    assert set(ClaimTag.objects.values_list("claim", flat=True)) == {
        winner.pk,
        ({a.pk, c.pk} - {winner.pk}).pop(),
    }


# --- endorsements in merges ------------------------------------------------------------


@pytest.fixture
def endorsed(thread, member):
    """Target «Models store copies» and sources «The AI keeps a copy» and «Copies are kept»,
    endorsed by: ann (the first source), ben (target and a source, both supporting), cat
    (both sources, opposing), dan (target only)."""
    target, first, second = (
        claim_create(topic=thread.topic, author=member, text=text)[0]
        for text in ["Models store copies", "The AI keeps a copy", "Copies are kept"]
    )
    ann, ben, cat, dan = (UserFactory(username=name) for name in ["ann", "ben", "cat", "dan"])
    for claim, who, stance in [
        (first, ann, "supports"),
        (target, ben, "supports"),
        (second, ben, "supports"),
        (first, cat, "opposes"),
        (second, cat, "opposes"),
        (target, dan, "opposes"),
    ]:
        endorsement_set(claim=claim, member=who, stance=stance)  # fmt: skip
    return target, [first, second], {"ann": ann, "ben": ben, "cat": cat, "dan": dan}


def endorsements_by_name() -> set[tuple]:
    return set(Endorsement.objects.values_list("user__username", "claim__text", "stance"))


def test_a_merge_carries_endorsements_one_per_member(endorsed, moderator):
    target, sources, people = endorsed
    kept = {
        "ben": Endorsement.objects.get(user=people["ben"], claim=target).pk,
        "cat": Endorsement.objects.get(user=people["cat"], claim=sources[1]).pk,  # highest id
    }
    merge = claim_merge(target=target, sources=sources, moderator=moderator, reason="Same claim")
    assert endorsements_by_name() == {
        ("ann", target.text, "supports"),
        ("ben", target.text, "supports"),
        ("cat", target.text, "opposes"),
        ("dan", target.text, "opposes"),
    }
    assert Endorsement.objects.get(user=people["ben"]).pk == kept["ben"]
    assert Endorsement.objects.get(user=people["cat"]).pk == kept["cat"]
    assert len(merge.before["endorsements"]) == 6 and len(merge.after["endorsements"]) == 4


def test_a_member_with_opposite_endorsements_needs_the_moderators_choice(endorsed, moderator):
    target, sources, people = endorsed
    torn = people["dan"]
    endorsement_set(claim=sources[0], member=torn, stance="supports")
    preview = merge_preview(target=target, sources=sources)
    assert [(a.member, a.needs_choice) for a in preview.member_conflicts] == [
        (people["ben"], False),
        (people["cat"], False),
        (torn, True),
    ]
    before = table_rows()
    with pytest.raises(ValidationError, match=f"Member {torn.pk} supports one of these claims"):
        claim_merge(target=target, sources=sources, moderator=moderator, reason="dup")
    with pytest.raises(ValidationError, match="choose the stance their merged endorsement"):
        claim_merge(
            target=target, sources=sources, moderator=moderator, reason="dup",
            member_resolutions={torn.pk: "neither"},
        )  # fmt: skip
    assert table_rows() == before and not ClaimMerge.objects.exists()
    claim_merge(
        target=target, sources=sources, moderator=moderator, reason="dup",
        member_resolutions={torn.pk: "supports"},
    )  # fmt: skip
    assert list(Endorsement.objects.filter(user=torn).values_list("claim", "stance")) == [
        (target.pk, "supports")
    ]


def test_the_preview_fingerprint_catches_an_endorsement_changed_after_it(endorsed, moderator):
    target, sources, people = endorsed
    preview = merge_preview(target=target, sources=sources)
    endorsement_set(claim=sources[0], member=people["ann"], stance="opposes")
    with pytest.raises(ValidationError, match="changed since the preview"):
        claim_merge(
            target=target, sources=sources, moderator=moderator, reason="dup",
            fingerprint=preview.fingerprint,
        )  # fmt: skip
    assert Endorsement.objects.filter(claim=sources[0]).count() == 2


def test_undo_restores_every_endorsement_exactly(endorsed, moderator):
    target, sources, people = endorsed
    endorsement_set(claim=sources[0], member=people["dan"], stance="supports")  # torn
    before = table_rows()
    merge = claim_merge(
        target=target, sources=sources, moderator=moderator, reason="dup",
        member_resolutions={people["dan"].pk: "supports"},
    )  # fmt: skip
    assert table_rows() != before
    claim_merge_undo(merge=merge, moderator=moderator, reason="hasty")
    assert table_rows() == before  # ids, members, claims, stances and times


@pytest.mark.parametrize("change", ["restance", "withdraw"])
def test_undo_is_refused_after_a_merged_endorsement_changed(endorsed, moderator, change):
    target, sources, people = endorsed
    merge = claim_merge(target=target, sources=sources, moderator=moderator, reason="d")
    if change == "restance":
        endorsement_set(claim=target, member=people["cat"], stance="supports")
    else:
        endorsement_withdraw(claim=target, member=people["ann"])
    before = table_rows()
    with pytest.raises(ValidationError, match="Endorsements of the merged claims changed"):
        claim_merge_undo(merge=merge, moderator=moderator)
    assert table_rows() == before and ClaimMerge.objects.get().undone_at is None


def test_a_new_endorsement_of_the_target_stays_there_after_an_undo(endorsed, moderator):
    target, sources, _ = endorsed
    merge = claim_merge(target=target, sources=sources, moderator=moderator, reason="d")
    newcomer = UserFactory(username="eve")
    endorsement_set(claim=sources[0], member=newcomer, stance="opposes")  # the alias: the target
    claim_merge_undo(merge=merge, moderator=moderator)
    assert ("eve", target.text, "opposes") in endorsements_by_name()
    assert ("ann", sources[0].text, "supports") in endorsements_by_name()


def test_undo_after_a_member_was_deleted_leaves_their_endorsements_withdrawn(endorsed, moderator):
    target, sources, people = endorsed
    cat = people["cat"].pk
    before = table_rows()
    merge = claim_merge(target=target, sources=sources, moderator=moderator, reason="d")
    admin = UserFactory(username="root", is_superuser=True)
    member_delete(member=people["cat"], actor=admin)
    claim_merge_undo(merge=merge, moderator=moderator)
    assert table_rows()["endorsements"] == [row for row in before["endorsements"] if row[1] != cat]


def test_a_merge_from_before_endorsements_can_still_be_undone(endorsed, moderator):
    target, sources, _ = endorsed
    Endorsement.objects.all().delete()
    before = table_rows()
    merge = claim_merge(target=target, sources=sources, moderator=moderator, reason="d")
    for snapshot in (merge.before, merge.after):
        del snapshot["endorsements"]
    merge.save()
    claim_merge_undo(merge=merge, moderator=moderator)
    assert table_rows() == before
