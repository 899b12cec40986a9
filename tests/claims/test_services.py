import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from apps.claims.models import Claim, ClaimNeighbour, ClaimTag, claim_key
from apps.claims.services import NEIGHBOURS, TagInput, claim_create, post_tags_set
from apps.forum import services as forum
from apps.maps.models import MapRequest
from tests.factories import TopicFactory, UserFactory, make_reply

pytestmark = pytest.mark.django_db


def tagged_reply(thread, author, tags):
    return forum.reply_create(parent=thread.opening_post, author=author, body="Claims", tags=tags)


def test_claim_keys_ignore_case_spacing_and_punctuation():
    assert (
        claim_key("  AI training is FAIR use!! ")
        == claim_key("ai training, is fair-use")
        == "ai training is fair use"
    )


def test_claims_are_unique_per_topic_by_key(topic, member):
    first = claim_create(topic=topic, author=member, text="Models store copies.")
    again = claim_create(topic=topic, author=member, text="models   STORE copies")
    elsewhere = claim_create(topic=TopicFactory(), author=member, text="Models store copies.")
    assert first == again and first != elsewhere
    assert Claim.objects.filter(topic=topic).count() == 1


def test_a_reply_can_tag_new_and_existing_claims(thread, member):
    existing = claim_create(topic=thread.topic, author=member, text="Fair use")
    reply = tagged_reply(
        thread, member, [TagInput(existing.pk, "supports"), TagInput("Models copy", "opposes")]
    )
    tags = {tag.claim.text: tag.stance for tag in reply.tags.select_related("claim")}
    assert tags == {"Fair use": "supports", "Models copy": "opposes"}
    assert MapRequest.objects.filter(topic=thread.topic).count() == 1


def test_a_reply_without_tags_leaves_the_map_alone(thread, member):
    make_reply(thread.opening_post, author=member)
    assert not MapRequest.objects.exists()


def test_tagging_a_merged_claim_tags_its_target(thread, member):
    target = claim_create(topic=thread.topic, author=member, text="Models store copies")
    alias = claim_create(topic=thread.topic, author=member, text="The AI keeps a digital copy")
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
        MapRequest.objects.count(),
    )
    with pytest.raises(ValidationError, match=message):
        tagged_reply(thread, member, tags)
    after = (
        thread.posts.count(),
        Claim.objects.count(),
        ClaimTag.objects.count(),
        MapRequest.objects.count(),
    )
    assert before == after


def test_a_claim_from_another_topic_is_refused(thread, member):
    foreign = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    with pytest.raises(ValidationError, match="another topic"):
        tagged_reply(thread, member, [TagInput(foreign.pk, "supports")])
    assert thread.posts.count() == 1


def test_the_author_changes_a_posts_tags_and_only_changes_mark_the_map(thread, member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    MapRequest.objects.all().delete()
    post_tags_set(post=reply, actor=member, tags=[TagInput("Fair use", "supports")])
    assert not MapRequest.objects.exists()
    post_tags_set(
        post=reply,
        actor=member,
        tags=[TagInput("Fair use", "opposes"), TagInput("Copies", "supports")],
    )
    assert {(t.claim.text, t.stance) for t in reply.tags.all()} == {
        ("Fair use", "opposes"),
        ("Copies", "supports"),
    }
    assert MapRequest.objects.count() == 1
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
    forum.post_delete(post=reply, actor=member)
    with pytest.raises(ValidationError, match="deleted or removed"):
        post_tags_set(post=reply, actor=member, tags=[TagInput("Fair use", "supports")])


def test_deleting_a_tagged_post_marks_the_map(thread, member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    untagged = make_reply(thread.opening_post, author=member)
    MapRequest.objects.all().delete()
    forum.post_delete(post=untagged, actor=member)
    assert not MapRequest.objects.exists()
    forum.post_delete(post=reply, actor=member)
    assert MapRequest.objects.count() == 1


def test_editing_a_post_can_change_its_tags_in_the_same_transaction(thread, member):
    reply = tagged_reply(thread, member, [TagInput("Fair use", "supports")])
    with pytest.raises(ValidationError):
        forum.post_edit(
            post=reply, editor=member, body="new words", tags=[TagInput("x" * 300, "supports")]
        )
    reply.refresh_from_db()
    assert reply.body == "Claims" and reply.tags.get().claim.text == "Fair use"
    forum.post_edit(
        post=reply, editor=member, body="new words", tags=[TagInput("Copies", "opposes")]
    )
    assert reply.tags.get().claim.text == "Copies"


def test_anonymous_cannot_create_claims(topic):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        claim_create(topic=topic, author=AnonymousUser(), text="Fair use")
    assert not Claim.objects.exists()


def test_a_new_claim_records_its_most_alike_older_claims_of_the_topic(topic, member):
    older = [
        claim_create(topic=topic, author=member, text=f"Models store copies of images, case {n}")
        for n in range(7)
    ]
    claim_create(topic=topic, author=member, text="Artists deserve to be paid")
    claim_create(topic=TopicFactory(), author=member, text="Models store copies of images")
    new = claim_create(topic=topic, author=member, text="Models store copies of images")
    neighbours = ClaimNeighbour.objects.filter(claim=new)
    assert neighbours.count() == NEIGHBOURS
    assert set(neighbours.values_list("neighbour", flat=True)) <= {claim.pk for claim in older}
    assert all(0.3 <= pair.similarity < 1 for pair in neighbours)
    assert not ClaimNeighbour.objects.filter(claim=older[0]).exists()  # nothing older to be like


def test_an_existing_claim_records_no_neighbours_again(topic, member):
    first = claim_create(topic=topic, author=member, text="Models store copies")
    claim_create(topic=topic, author=member, text="Models store a copy")
    claim_create(topic=topic, author=member, text="models store a COPY!")
    assert list(ClaimNeighbour.objects.values_list("neighbour", flat=True)) == [first.pk]
