import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.claims.models import MAX_TAGS_PER_POST, Claim, ClaimTag, Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.core.text import MAX_BODY_LENGTH, MAX_TITLE_LENGTH
from apps.forum.models import SEGMENT_DEPTH, Post, PostRevision
from apps.forum.services import posting
from apps.forum.services.editing import post_edit
from apps.forum.services.post_state import post_delete, post_remove, post_restore
from apps.forum.services.posting import reply_create, thread_create
from apps.forum.services.threads import thread_set_locked
from apps.forum.services.topics import topic_delete
from apps.maps.builder import build_graph
from apps.maps.models import MapDirtyMark
from apps.moderation.models import ModerationAction
from tests.factories import TopicFactory, UserFactory, claim_id, make_chain, make_reply, tagged

pytestmark = pytest.mark.django_db


def test_opening_post_is_a_tree_of_its_own_at_depth_zero(thread):
    opening = thread.opening_post
    assert (opening.depth, opening.parent, opening.tree_parent) == (0, None, None)
    assert opening.thread == thread
    assert thread.reply_count == 0


def test_each_top_level_reply_roots_its_own_tree(thread):
    first, second = make_reply(thread.opening_post), make_reply(thread.opening_post)
    assert first.tree_parent is None and second.tree_parent is None
    assert len({thread.opening_post.tree_id, first.tree_id, second.tree_id}) == 3
    assert first.parent == second.parent == thread.opening_post


def test_a_nested_reply_joins_its_parents_tree(thread):
    top = make_reply(thread.opening_post)
    nested = make_reply(top)
    assert (nested.tree_parent_id, nested.tree_id, nested.depth) == (top.pk, top.tree_id, 2)
    top.refresh_from_db()
    assert (top.lft, top.rght, nested.lft, nested.rght) == (1, 4, 2, 3)


def test_every_post_keeps_its_threads_topic_which_search_narrows_by(thread, member):
    other = thread_create(topic=TopicFactory(), author=member, title="Elsewhere", body="…")
    chain = make_chain(thread.opening_post, SEGMENT_DEPTH + 1)
    ids = [thread.opening_post.pk, *(post.pk for post in chain), make_reply(other.opening_post).pk]
    topics = dict(Post.objects.filter(pk__in=ids).values_list("pk", "topic_id"))
    assert [topics[pk] for pk in ids] == [thread.topic_id] * (len(ids) - 1) + [other.topic_id]


def test_a_chain_starts_a_new_tree_every_segment_depth_levels(thread):
    chain = make_chain(thread.opening_post, 2 * SEGMENT_DEPTH + 1)
    roots = [post.depth for post in chain if post.tree_parent_id is None]
    assert roots == [1, SEGMENT_DEPTH + 1, 2 * SEGMENT_DEPTH + 1]
    crossing = chain[SEGMENT_DEPTH]
    assert crossing.parent == chain[SEGMENT_DEPTH - 1]
    assert crossing.tree_id != crossing.parent.tree_id


def test_a_reply_counts_on_its_parent_and_thread(thread):
    top = make_reply(thread.opening_post)
    reply = make_reply(top)
    top.refresh_from_db()
    thread.refresh_from_db()
    assert top.reply_count == 1
    assert thread.reply_count == 2
    assert thread.last_activity == reply.created


def test_a_reply_counts_on_every_post_above_it_across_segments(thread):
    chain = make_chain(thread.opening_post, 2 * SEGMENT_DEPTH + 3)
    aside = make_reply(chain[1])
    counts = dict(Post.objects.values_list("pk", "descendant_count"))
    assert [counts[post.pk] for post in chain] == [
        len(chain) - index - 1 + (1 if index <= 1 else 0) for index in range(len(chain))
    ]
    assert (counts[aside.pk], counts[thread.opening_post.pk]) == (0, 0)


def test_a_new_tree_locks_every_tree_above_it(thread, monkeypatch):
    """Its counts change there, so no insert into those trees may run meanwhile."""
    chain = make_chain(thread.opening_post, 2 * SEGMENT_DEPTH)
    locked = []
    monkeypatch.setattr(posting, "lock_tree", locked.append)
    make_reply(chain[-1])
    assert locked == sorted({chain[0].tree_id, chain[SEGMENT_DEPTH].tree_id})


def test_reply_keeps_the_chosen_response(thread):
    top = make_reply(thread.opening_post)
    assert make_reply(top, response="disagree").response == Post.Response.DISAGREE


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * (MAX_BODY_LENGTH + 1), "at most 20,000 characters"),
        ("nul \x00 byte", "NUL"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_saved(thread, member, body, message):
    before = Post.objects.count()
    with pytest.raises(ValidationError, match=message):
        reply_create(parent=thread.opening_post, author=member, body=body)
    assert Post.objects.count() == before


def test_a_body_of_exactly_the_limit_is_accepted(thread, member):
    body = "x" * MAX_BODY_LENGTH
    assert reply_create(parent=thread.opening_post, author=member, body=body).body == body


def test_an_unknown_response_is_refused(thread, member):
    with pytest.raises(ValidationError, match="Response must be one of"):
        reply_create(parent=thread.opening_post, author=member, body="x", response="maybe")


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_only_active_members_may_reply(thread, who):
    from django.contrib.auth.models import AnonymousUser

    author = AnonymousUser() if who == "anonymous" else UserFactory(is_active=False)
    with pytest.raises(PermissionDenied, match="Log in"):
        reply_create(parent=thread.opening_post, author=author, body="hello")
    assert thread.posts.count() == 1


def test_a_locked_thread_refuses_replies_with_a_clear_message(thread, member):
    thread.locked = True
    thread.save()
    with pytest.raises(PermissionDenied, match="locked"):
        reply_create(parent=thread.opening_post, author=member, body="hello")
    assert thread.posts.count() == 1


def test_a_tombstone_takes_no_new_replies(thread, member):
    post = make_reply(thread.opening_post, author=member)
    post_delete(post=post, actor=member)
    with pytest.raises(ValidationError, match="deleted or removed"):
        make_reply(post)


@pytest.mark.parametrize("title", ["", "   ", "t" * (MAX_TITLE_LENGTH + 1), "a\x00b"])
def test_bad_thread_titles_are_refused(topic, member, title):
    with pytest.raises(ValidationError):
        thread_create(topic=topic, author=member, title=title, body="body")
    assert topic.threads.count() == 0


def test_thread_title_whitespace_is_collapsed(topic, member):
    thread = thread_create(topic=topic, author=member, title="  Fair \n use? ", body="b")
    assert thread.title == "Fair use?"


def test_editing_keeps_the_earlier_version(thread, member):
    post = make_reply(thread.opening_post, author=member, body="first")
    post_edit(post=post, editor=member, body="second *take*")
    post_edit(post=post, editor=member, body="third")
    post.refresh_from_db()
    assert post.body == "third" and post.edited is not None
    assert [revision.body for revision in post.revisions.all()] == ["first", "second *take*"]


def test_saving_the_same_body_makes_no_revision(thread, member):
    post = make_reply(thread.opening_post, author=member, body="same")
    post_edit(post=post, editor=member, body="same")
    assert PostRevision.objects.count() == 0
    assert post.edited is None


def test_only_the_author_edits(thread, member, other_member):
    post = make_reply(thread.opening_post, author=member, body="mine")
    with pytest.raises(PermissionDenied, match="Only the author"):
        post_edit(post=post, editor=other_member, body="theirs")
    post.refresh_from_db()
    assert post.body == "mine" and not post.revisions.exists()


def test_deleting_leaves_a_tombstone_and_keeps_the_replies_in_place(thread, member):
    post = make_reply(thread.opening_post, author=member)
    reply = make_reply(post)
    post_delete(post=post, actor=member)
    post.refresh_from_db()
    reply.refresh_from_db()
    assert post.state == Post.State.DELETED
    assert reply.parent == post and reply.tree_parent == post
    assert (post.lft, post.rght) == (1, 4)


def test_only_the_author_deletes_and_only_once(thread, member, other_member):
    post = make_reply(thread.opening_post, author=member)
    with pytest.raises(PermissionDenied):
        post_delete(post=post, actor=other_member)
    post_delete(post=post, actor=member)
    with pytest.raises(ValidationError, match="already"):
        post_delete(post=post, actor=member)


def test_the_opening_post_cannot_be_deleted(thread, member):
    with pytest.raises(ValidationError, match="opening post"):
        post_delete(post=thread.opening_post, actor=member)


def test_a_tombstone_cannot_be_edited(thread, member):
    post = make_reply(thread.opening_post, author=member)
    post_delete(post=post, actor=member)
    with pytest.raises(ValidationError):
        post_edit(post=post, editor=member, body="back")


def test_a_locked_thread_refuses_edits(thread, member):
    post = make_reply(thread.opening_post, author=member)
    thread.locked = True
    thread.save()
    post.refresh_from_db()
    with pytest.raises(PermissionDenied, match="locked"):
        post_edit(post=post, editor=member, body="changed")


# --- answering the parent's claims one by one, opening-post tags, the response on edit -----


def tags_of(post: Post) -> dict[str, str]:
    return {tag.claim.text: tag.stance for tag in post.tags.select_related("claim")}


def dirty_marks(thread) -> int:
    return MapDirtyMark.objects.filter(topic=thread.topic).count()


@pytest.mark.parametrize(
    "fair_use, copies, expected",
    [
        ("agree", "agree", {"Fair use": "supports", "Models store copies": "opposes"}),
        ("disagree", "disagree", {"Fair use": "opposes", "Models store copies": "supports"}),
        ("agree", "not_addressed", {"Fair use": "supports"}),
        ("not_addressed", "disagree", {"Models store copies": "supports"}),
        ("not_addressed", "not_addressed", {}),
    ],
)
def test_answers_to_the_parents_claims_become_the_replys_tags(
    claimed, member, fair_use, copies, expected
):
    answers = {claim_id("Fair use"): fair_use, claim_id("Models store copies"): copies}
    reply = reply_create(parent=claimed, author=member, body="b", answers=answers)
    assert tags_of(reply) == expected


def test_answering_marks_the_map_dirty_and_not_addressing_does_not(thread, claimed, member):
    before = dirty_marks(thread)
    unanswered = {claim_id("Fair use"): "not_addressed"}
    reply_create(parent=claimed, author=member, body="b", answers=unanswered)
    assert dirty_marks(thread) == before
    reply_create(
        parent=claimed, author=member, body="b", answers={claim_id("Fair use"): "disagree"}
    )
    assert dirty_marks(thread) == before + 1


@pytest.mark.parametrize("response, rebuilt", [("agree", 1), ("disagree", 1), ("neutral", 0)])
def test_a_reply_agreeing_or_disagreeing_with_a_tagged_post_marks_the_map_dirty(
    thread, claimed, member, response, rebuilt
):
    """The response gives the reply a stance on the parent's claim (docs/map-rules.md)."""
    before = dirty_marks(thread)
    reply_create(parent=claimed, author=member, body="b", response=response)
    assert dirty_marks(thread) == before + rebuilt


def test_a_response_to_an_untagged_post_leaves_the_map_alone(thread, member):
    before = dirty_marks(thread)
    reply_create(parent=thread.opening_post, author=member, body="b", response="disagree")
    assert dirty_marks(thread) == before


def test_answers_and_claim_rows_are_stored_together(claimed, member):
    reply = reply_create(
        parent=claimed,
        author=member,
        body="b",
        answers={claim_id("Fair use"): "disagree"},
        tags=[TagInput("Style is not protected", "supports")],
    )
    assert tags_of(reply) == {"Fair use": "opposes", "Style is not protected": "supports"}


@pytest.mark.parametrize("row", ["id", "the same words", "other case and spacing"])
def test_a_claim_answered_and_tagged_in_a_row_is_refused_and_nothing_is_saved(
    thread, claimed, member, row
):
    claim = {"id": claim_id("Fair use"), "the same words": "Fair use"}.get(row, " fair  USE ")
    before = (Post.objects.count(), ClaimTag.objects.count(), dirty_marks(thread))
    with pytest.raises(ValidationError, match="You answered «Fair use» and also tagged it"):
        reply_create(
            parent=claimed,
            author=member,
            body="b",
            answers={claim_id("Fair use"): "agree"},
            tags=[TagInput(claim, "opposes")],
        )
    assert (Post.objects.count(), ClaimTag.objects.count(), dirty_marks(thread)) == before


def test_answers_and_rows_beyond_the_tag_limit_are_refused_and_nothing_is_saved(
    thread, claimed, member
):
    rows = [TagInput(f"Claim number {n}", "supports") for n in range(MAX_TAGS_PER_POST - 1)]
    answers = {claim_id("Fair use"): "agree", claim_id("Models store copies"): "disagree"}
    before = (Post.objects.count(), Claim.objects.count(), dirty_marks(thread))
    with pytest.raises(ValidationError, match="2 answers and 4 claim rows make 6"):
        reply_create(parent=claimed, author=member, body="b", answers=answers, tags=rows)
    assert (Post.objects.count(), Claim.objects.count(), dirty_marks(thread)) == before
    # Not addressed adds no tag, so the same rows with one answer fit.
    answers[claim_id("Models store copies")] = "not_addressed"
    reply = reply_create(parent=claimed, author=member, body="b", answers=answers, tags=rows)
    assert reply.tags.count() == MAX_TAGS_PER_POST


def test_answers_to_claims_the_parent_does_not_make_or_bad_answers_are_refused(
    thread, claimed, member
):
    elsewhere, _ = claim_create(topic=thread.topic, author=member, text="Not on the parent")
    before = Post.objects.count()
    for answers, message in [
        ({elsewhere.pk: "agree"}, "not one of the claims of the post you answer"),
        ({987_654: "agree"}, "not one of the claims of the post you answer"),
        ({claim_id("Fair use"): "maybe"}, "not “maybe”"),
    ]:
        with pytest.raises(ValidationError, match=message):
            reply_create(parent=claimed, author=member, body="b", answers=answers)
    assert Post.objects.count() == before


def test_deleting_a_reply_to_a_tagged_post_marks_the_map_dirty(thread, claimed, member):
    reply = make_reply(claimed, author=member, response="disagree")
    before = dirty_marks(thread)
    post_delete(post=reply, actor=member)
    assert dirty_marks(thread) == before + 1


@pytest.mark.parametrize("tagged", ["the post", "its parent"])
def test_a_changed_response_marks_the_map_dirty_when_the_post_or_its_parent_is_tagged(
    thread, member, tagged
):
    fair_use = [TagInput("Fair use", "supports")]
    parent = make_reply(thread.opening_post, tags=fair_use if tagged == "its parent" else ())
    post = make_reply(parent, author=member, tags=fair_use if tagged == "the post" else ())
    before = dirty_marks(thread)
    post_edit(post=post, editor=member, response="disagree")
    post.refresh_from_db()
    assert post.response == "disagree" and post.body == "A reply" and not post.revisions.exists()
    assert dirty_marks(thread) == before + 1
    post_edit(post=post, editor=member, response="disagree")  # unchanged
    assert dirty_marks(thread) == before + 1


def test_a_changed_response_leaves_the_map_alone_when_nothing_near_is_tagged(thread, member):
    post = make_reply(make_reply(thread.opening_post), author=member)
    post_edit(post=post, editor=member, body="new words", response="agree")
    post.refresh_from_db()
    assert (post.body, post.response) == ("new words", "agree")
    assert dirty_marks(thread) == 0


def test_the_opening_post_takes_no_response(thread, member):
    opening = thread.opening_post
    with pytest.raises(ValidationError, match="The opening post answers no post"):
        post_edit(post=opening, editor=member, body="changed", response="agree")
    opening.refresh_from_db()
    assert (opening.body, opening.response) == ("Opening post", "neutral")


def test_an_unknown_response_on_edit_is_refused(thread, member):
    post = make_reply(thread.opening_post, author=member)
    with pytest.raises(ValidationError, match="Response must be one of"):
        post_edit(post=post, editor=member, response="maybe")
    post.refresh_from_db()
    assert post.response == "neutral"


def test_only_the_author_changes_the_response(thread, member, other_member):
    post = make_reply(thread.opening_post, author=member)
    with pytest.raises(PermissionDenied, match="Only the author"):
        post_edit(post=post, editor=other_member, response="disagree")
    post.refresh_from_db()
    assert post.response == "neutral"


def test_a_thread_starts_with_its_opening_posts_tags_and_marks_the_map_dirty(topic, member):
    fair_use, _ = claim_create(topic=topic, author=member, text="Fair use")
    thread = thread_create(
        topic=topic,
        author=member,
        title="Is it fair?",
        body="It is.",
        tags=[TagInput(fair_use.pk, "supports"), TagInput("Models store copies", "opposes")],
    )
    assert tags_of(thread.opening_post) == {
        "Fair use": "supports",
        "Models store copies": "opposes",
    }
    assert dirty_marks(thread) == 1


def test_a_thread_without_tags_leaves_the_map_alone(topic, member):
    thread = thread_create(topic=topic, author=member, title="t", body="b")
    assert not thread.opening_post.tags.exists() and dirty_marks(thread) == 0


def test_a_thread_with_bad_tags_is_refused_and_nothing_is_created(topic, member):
    foreign, _ = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    claims = Claim.objects.count()
    for tags, message in [
        ([TagInput(987_654, "supports")], "There is no claim 987654"),
        ([TagInput(foreign.pk, "supports")], "belongs to another topic"),
        ([TagInput("Fair use", "maybe")], "not “maybe”"),
        ([TagInput("New claim", "supports"), TagInput(foreign.pk, "opposes")], "another topic"),
    ]:
        with pytest.raises(ValidationError, match=message):
            thread_create(topic=topic, author=member, title="t", body="b", tags=tags)
    assert not topic.threads.exists() and not Post.objects.exists()
    assert Claim.objects.count() == claims and not MapDirtyMark.objects.exists()


# --- moderators' writes: removing and restoring posts, locking threads, deleting topics ---


def test_removing_and_restoring_a_post(thread, member, moderator):
    post = tagged(thread.opening_post, member, ("Fair use", "supports"))
    reply = reply_create(parent=post, author=member, body="still here")
    post_remove(post=post, moderator=moderator, reason="Off topic")
    post.refresh_from_db()
    assert (post.state, post.removal_reason) == ("removed", "Off topic")
    assert reply.parent_id == post.pk and build_graph(thread.topic)["nodes"] == []
    with pytest.raises(ValidationError, match="Only a visible post"):
        post_remove(post=post, moderator=moderator, reason="again")
    post_restore(post=post, moderator=moderator, reason="On reflection, fine")
    post.refresh_from_db()
    assert (post.state, post.removal_reason) == ("visible", "")
    assert [a.kind for a in ModerationAction.objects.order_by("pk")] == [
        "remove_post",
        "restore_post",
    ]


def test_post_moderation_refusals(thread, member, moderator):
    post = tagged(thread.opening_post, member, ("Fair use", "supports"))
    with pytest.raises(PermissionDenied):
        post_remove(post=post, moderator=member, reason="mine")
    with pytest.raises(ValidationError, match="reason"):
        post_remove(post=post, moderator=moderator, reason="")
    with pytest.raises(ValidationError, match="opening post"):
        post_remove(post=thread.opening_post, moderator=moderator, reason="x")
    post_delete(post=post, actor=member)
    with pytest.raises(ValidationError, match="removed by a moderator"):
        post_restore(post=post, moderator=moderator, reason="x")
    post.refresh_from_db()
    assert post.state == "deleted" and not ModerationAction.objects.exists()


def test_locking_and_unlocking_a_thread(thread, member, moderator):
    thread_set_locked(thread=thread, moderator=moderator, locked=True, reason="Heated")
    with pytest.raises(PermissionDenied, match="locked"):
        reply_create(parent=thread.opening_post, author=member, body="hi")
    with pytest.raises(ValidationError, match="already locked"):
        thread_set_locked(thread=thread, moderator=moderator, locked=True, reason="x")
    with pytest.raises(PermissionDenied):
        thread_set_locked(thread=thread, moderator=member, locked=False, reason="x")
    thread_set_locked(thread=thread, moderator=moderator, locked=False, reason="Calmer")
    reply_create(parent=thread.opening_post, author=member, body="hi")
    assert [a.kind for a in ModerationAction.objects.order_by("pk")] == [
        "lock_thread",
        "unlock_thread",
    ]


def test_deleting_an_empty_topic_takes_its_claims_endorsements(topic, member, moderator):
    claim, _ = claim_create(topic=topic, author=member, text="Orphan claim")
    endorsement_set(claim=claim, member=member, stance="supports")
    topic_delete(topic=topic, moderator=moderator, reason="unused")
    assert not Claim.objects.exists() and not Endorsement.objects.exists()


def test_removing_or_restoring_a_reply_whose_response_answers_a_claim_marks_the_map(
    thread, member, other_member, moderator
):
    """A reply agreeing with a post of one claim takes a stance on it (rules v2): removing
    or restoring it changes the map though the reply itself carries no tag."""
    claim_post = tagged(thread.opening_post, member, ("Fair use", "supports"))
    answer = tagged(claim_post, other_member, response="agree")
    MapDirtyMark.objects.all().delete()

    post_remove(post=answer, moderator=moderator, reason="Off topic")
    removed = MapDirtyMark.objects.filter(topic=thread.topic).count()
    post_restore(post=answer, moderator=moderator, reason="Back")

    assert removed == 1
    assert MapDirtyMark.objects.filter(topic=thread.topic).count() == 2
