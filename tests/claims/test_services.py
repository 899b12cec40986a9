import threading

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from apps.claims.models import Claim, ClaimNeighbour, ClaimTag, ClaimWord, Endorsement, claim_key
from apps.claims.services.claims import NEIGHBOURS, claim_create
from apps.claims.services.endorsements import NoEndorsement, endorsement_set, endorsement_withdraw
from apps.claims.services.tags import TagInput, post_tags_set
from apps.forum.services.editing import post_edit
from apps.forum.services.post_state import post_delete
from apps.forum.services.posting import reply_create
from apps.maps.models import MapDirtyMark
from tests.factories import TopicFactory, UserFactory, make_reply

pytestmark = pytest.mark.django_db


def tagged_reply(thread, author, tags):
    return reply_create(parent=thread.opening_post, author=author, body="Claims", tags=tags)


def test_claim_keys_ignore_case_spacing_and_punctuation():
    assert (
        claim_key("  AI training is FAIR use!! ")
        == claim_key("ai training, is fair-use")
        == "ai training is fair use"
    )


def test_claims_are_unique_per_topic_by_key_and_say_whether_they_were_created(topic, member):
    first, created = claim_create(topic=topic, author=member, text="Models store copies.")
    again, created_again = claim_create(topic=topic, author=member, text="models   STORE copies")
    elsewhere, created_elsewhere = claim_create(
        topic=TopicFactory(), author=member, text="Models store copies."
    )
    assert first == again and first != elsewhere
    assert (created, created_again, created_elsewhere) == (True, False, True)
    assert Claim.objects.filter(topic=topic).count() == 1


def test_the_words_of_an_alias_give_its_target_not_a_new_claim(topic, member):
    target, _ = claim_create(topic=topic, author=member, text="Models store copies")
    alias, _ = claim_create(topic=topic, author=member, text="The AI keeps a copy")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    assert claim_create(topic=topic, author=member, text="the AI keeps a COPY") == (target, False)


def test_a_reply_can_tag_new_and_existing_claims(thread, member):
    existing, _ = claim_create(topic=thread.topic, author=member, text="Fair use")
    reply = tagged_reply(
        thread, member, [TagInput(existing.pk, "supports"), TagInput("Models copy", "opposes")]
    )
    tags = {tag.claim.text: tag.stance for tag in reply.tags.select_related("claim")}
    assert tags == {"Fair use": "supports", "Models copy": "opposes"}
    assert MapDirtyMark.objects.filter(topic=thread.topic).count() == 1


def test_a_reply_without_tags_leaves_the_map_alone(thread, member):
    make_reply(thread.opening_post, author=member)
    assert not MapDirtyMark.objects.exists()


def test_tagging_a_merged_claim_tags_its_target(thread, member):
    target, _ = claim_create(topic=thread.topic, author=member, text="Models store copies")
    alias, _ = claim_create(topic=thread.topic, author=member, text="The AI keeps a digital copy")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    by_id = tagged_reply(thread, member, [TagInput(alias.pk, "supports")])
    by_text = tagged_reply(thread, member, [TagInput("the AI keeps a digital copy", "opposes")])
    assert by_id.tags.get().claim == target and by_text.tags.get().claim == target


@pytest.mark.parametrize(
    "tags, message",
    [
        ([TagInput(999_999, "supports")], "There is no claim 999999"),
        ([TagInput("Fair use", "maybe")], "supports” or “opposes"),
        ([TagInput("Fair use", "supports"), TagInput("fair USE!", "opposes")], "tagged twice"),
        ([TagInput(f"Claim {n}", "supports") for n in range(6)], "at most 5 claim tags"),
        ([TagInput("", "supports")], "needs words"),
        ([TagInput("!!! ...", "supports")], "needs words"),
        ([TagInput("x" * 201, "supports")], "at most 200 characters"),
        ([TagInput("nul\x00", "supports")], "control characters"),
        ([TagInput("bell\x07 rings", "supports")], "control characters"),
    ],
)
def test_bad_tags_are_refused_and_nothing_is_saved(thread, member, tags, message):
    before = (
        thread.posts.count(),
        Claim.objects.count(),
        ClaimTag.objects.count(),
        MapDirtyMark.objects.count(),
    )
    with pytest.raises(ValidationError, match=message):
        tagged_reply(thread, member, tags)
    after = (
        thread.posts.count(),
        Claim.objects.count(),
        ClaimTag.objects.count(),
        MapDirtyMark.objects.count(),
    )
    assert before == after


def test_a_claim_from_another_topic_is_refused(thread, member):
    foreign, _ = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    with pytest.raises(ValidationError, match="another topic"):
        tagged_reply(thread, member, [TagInput(foreign.pk, "supports")])
    assert thread.posts.count() == 1


def test_the_author_changes_a_posts_tags_and_only_changes_mark_the_map(thread, member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    MapDirtyMark.objects.all().delete()
    post_tags_set(post=reply, actor=member, tags=[TagInput("Fair use", "supports")])
    assert not MapDirtyMark.objects.exists()
    post_tags_set(
        post=reply,
        actor=member,
        tags=[TagInput("Fair use", "opposes"), TagInput("Copies", "supports")],
    )
    assert {(t.claim.text, t.stance) for t in reply.tags.all()} == {
        ("Fair use", "opposes"),
        ("Copies", "supports"),
    }
    assert MapDirtyMark.objects.count() == 1
    post_tags_set(post=reply, actor=member, tags=[])
    assert not reply.tags.exists()


def test_moderators_change_anyones_tags_other_members_cannot(thread, member, other_member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    with pytest.raises(PermissionDenied, match="author or a moderator"):
        post_tags_set(post=reply, actor=other_member, tags=[])
    assert reply.tags.count() == 1
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="moderators"))
    post_tags_set(post=reply, actor=moderator, tags=[])
    assert not reply.tags.exists()


def test_tombstones_cannot_be_tagged(thread, member):
    reply = make_reply(thread.opening_post, author=member)
    post_delete(post=reply, actor=member)
    with pytest.raises(ValidationError, match="deleted or removed"):
        post_tags_set(post=reply, actor=member, tags=[TagInput("Fair use", "supports")])


def test_deleting_a_tagged_post_marks_the_map(thread, member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    untagged = make_reply(thread.opening_post, author=member)
    MapDirtyMark.objects.all().delete()
    post_delete(post=untagged, actor=member)
    assert not MapDirtyMark.objects.exists()
    post_delete(post=reply, actor=member)
    assert MapDirtyMark.objects.count() == 1


def test_editing_a_post_can_change_its_tags_in_the_same_transaction(thread, member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    with pytest.raises(ValidationError):
        post_edit(
            post=reply, editor=member, body="new words", tags=[TagInput("x" * 300, "supports")]
        )
    reply.refresh_from_db()
    assert reply.body == "Claims" and reply.tags.get().claim.text == "Fair use"
    post_edit(post=reply, editor=member, body="new words", tags=[TagInput("Copies", "opposes")])
    assert reply.tags.get().claim.text == "Copies"


def test_anonymous_cannot_create_claims(topic):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        claim_create(topic=topic, author=AnonymousUser(), text="Fair use")
    assert not Claim.objects.exists()


def test_a_new_claim_records_its_most_alike_older_claims_of_the_topic(topic, member):
    older = [
        claim_create(topic=topic, author=member, text=f"Models store copies of images, case {n}")[0]
        for n in range(7)
    ]
    claim_create(topic=topic, author=member, text="Artists deserve to be paid")
    claim_create(topic=TopicFactory(), author=member, text="Models store copies of images")
    new, _ = claim_create(topic=topic, author=member, text="Models store copies of images")
    neighbours = ClaimNeighbour.objects.filter(claim=new)
    assert neighbours.count() == NEIGHBOURS
    assert set(neighbours.values_list("neighbour", flat=True)) <= {claim.pk for claim in older}
    assert all(0.3 <= pair.similarity < 1 for pair in neighbours)
    assert not ClaimNeighbour.objects.filter(claim=older[0]).exists()  # nothing older to be like


def test_an_existing_claim_records_no_neighbours_again(topic, member):
    first, _ = claim_create(topic=topic, author=member, text="Models store copies")
    claim_create(topic=topic, author=member, text="Models store a copy")
    claim_create(topic=topic, author=member, text="models store a COPY!")
    assert list(ClaimNeighbour.objects.values_list("neighbour", flat=True)) == [first.pk]


# --- endorsements ----------------------------------------------------------------------


@pytest.fixture
def fair_use(topic, member):
    return claim_create(topic=topic, author=member, text="Fair use")[0]


def endorsement_rows() -> list[tuple]:
    return list(
        Endorsement.objects.order_by("pk").values_list(
            "pk", "claim", "user", "stance", "created", "updated"
        )
    )


def test_endorsing_a_claim_creates_the_members_endorsement_and_marks_the_map(fair_use, member):
    endorsement, created = endorsement_set(claim=fair_use, member=member, stance="supports")
    assert created
    assert (endorsement.claim, endorsement.user, endorsement.stance) == (
        fair_use,
        member,
        "supports",
    )
    assert endorsement.created == endorsement.updated
    assert list(MapDirtyMark.objects.values_list("topic", flat=True)) == [fair_use.topic_id]


def test_changing_the_stance_keeps_the_row_and_marks_the_map(fair_use, member):
    first, _ = endorsement_set(claim=fair_use, member=member, stance="supports")
    MapDirtyMark.objects.all().delete()
    changed, created = endorsement_set(claim=fair_use, member=member, stance="opposes")
    assert not created and changed.pk == first.pk
    assert Endorsement.objects.get().stance == "opposes"
    assert changed.created == first.created and changed.updated > first.updated
    assert MapDirtyMark.objects.count() == 1


def test_the_same_stance_again_changes_nothing_and_leaves_the_map_alone(fair_use, member):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    rows = endorsement_rows()
    MapDirtyMark.objects.all().delete()
    endorsement, created = endorsement_set(claim=fair_use, member=member, stance="supports")
    assert not created and endorsement.stance == "supports"
    assert endorsement_rows() == rows and not MapDirtyMark.objects.exists()


def test_withdrawing_deletes_the_endorsement_and_marks_the_map(fair_use, member, other_member):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    endorsement_set(claim=fair_use, member=other_member, stance="opposes")
    MapDirtyMark.objects.all().delete()
    endorsement_withdraw(claim=fair_use, member=member)
    assert list(Endorsement.objects.values_list("user", "stance")) == [(other_member.pk, "opposes")]
    assert MapDirtyMark.objects.count() == 1


def test_withdrawing_without_an_endorsement_is_refused_and_changes_nothing(
    fair_use, member, other_member
):
    endorsement_set(claim=fair_use, member=other_member, stance="supports")
    rows = endorsement_rows()
    MapDirtyMark.objects.all().delete()
    with pytest.raises(NoEndorsement, match="not endorsed «Fair use»: there is nothing to"):
        endorsement_withdraw(claim=fair_use, member=member)
    assert endorsement_rows() == rows and not MapDirtyMark.objects.exists()


def test_an_alias_is_endorsed_and_withdrawn_through_its_target(topic, member):
    target, _ = claim_create(topic=topic, author=member, text="Models store copies")
    alias, _ = claim_create(topic=topic, author=member, text="The AI keeps a copy")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    alias.refresh_from_db()
    endorsement, _ = endorsement_set(claim=alias, member=member, stance="opposes")
    assert endorsement.claim == target
    endorsement_withdraw(claim=alias, member=member)
    assert not Endorsement.objects.exists()


def test_a_claim_merged_since_it_was_read_is_endorsed_through_its_target(topic, member):
    target, _ = claim_create(topic=topic, author=member, text="Models store copies")
    read_before, _ = claim_create(topic=topic, author=member, text="The AI keeps a copy")
    Claim.objects.filter(pk=read_before.pk).update(status="merged", merged_into=target)
    endorsement, _ = endorsement_set(claim=read_before, member=member, stance="supports")
    assert endorsement.claim_id == target.pk


def test_a_claim_deleted_since_it_was_read_is_refused(fair_use, member):
    Claim.objects.filter(pk=fair_use.pk).delete()
    with pytest.raises(ValidationError, match="no longer exists"):
        endorsement_set(claim=fair_use, member=member, stance="supports")
    assert not Endorsement.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "inactive member"])
def test_only_active_members_endorse(fair_use, member, who):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    rows = endorsement_rows()
    MapDirtyMark.objects.all().delete()
    actor = AnonymousUser() if who == "visitor" else UserFactory(is_active=False)
    with pytest.raises(PermissionDenied, match="Log in to endorse"):
        endorsement_set(claim=fair_use, member=actor, stance="opposes")
    with pytest.raises(PermissionDenied, match="Log in to endorse"):
        endorsement_withdraw(claim=fair_use, member=actor)
    assert endorsement_rows() == rows and not MapDirtyMark.objects.exists()


@pytest.mark.parametrize("stance", ["maybe", "", "withdraw", "SUPPORTS", "supports "])
def test_a_bad_stance_is_refused_and_changes_nothing(fair_use, member, stance):
    endorsement_set(claim=fair_use, member=member, stance="opposes")
    rows = endorsement_rows()
    MapDirtyMark.objects.all().delete()
    with pytest.raises(ValidationError, match="supports or opposes a claim, not"):
        endorsement_set(claim=fair_use, member=member, stance=stance)
    assert endorsement_rows() == rows and not MapDirtyMark.objects.exists()


def test_the_database_holds_one_endorsement_per_member_per_claim(fair_use, member):
    Endorsement.objects.create(claim=fair_use, user=member, stance="supports")
    with (
        pytest.raises(IntegrityError, match="one_endorsement_per_member_per_claim"),
        transaction.atomic(),
    ):
        Endorsement.objects.create(claim=fair_use, user=member, stance="opposes")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_of_one_member_at_once_make_one_endorsement():
    member = UserFactory()
    claim, _ = claim_create(topic=TopicFactory(), author=member, text="At once")
    barrier, created = threading.Barrier(2), []

    def endorse(stance):
        try:
            barrier.wait()
            created.append(endorsement_set(claim=claim, member=member, stance=stance)[1])
        finally:
            connection.close()

    runs = [threading.Thread(target=endorse, args=(stance,)) for stance in ("supports", "opposes")]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(created) == [False, True]
    assert Endorsement.objects.filter(claim=claim, user=member).count() == 1


def test_a_refused_tag_change_undoes_its_own_writes_and_leaves_the_callers_transaction_usable(
    thread, member
):
    reply = make_reply(thread.opening_post, author=member)
    tags = [TagInput("A claim made first", "supports"), TagInput("bell\x07", "supports")]
    with transaction.atomic():  # a caller's transaction, as a view's or another service's
        with pytest.raises(ValidationError, match="control characters"):
            post_tags_set(post=reply, actor=member, tags=tags)
        assert not Claim.objects.filter(text="A claim made first").exists()


def test_a_new_claims_words_join_the_vocabulary_search_corrects_against(topic, member):
    claim_create(topic=topic, author=member, text="Models memorise Rutkowski's style")
    claim_create(topic=topic, author=member, text="models MEMORISE")  # no new word

    assert set(ClaimWord.objects.values_list("word", flat=True)) == {
        "models", "memorise", "rutkowski", "s", "style"
    }  # fmt: skip
