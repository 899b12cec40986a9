import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.forum import services
from apps.forum.models import SEGMENT_DEPTH, Post, PostRevision
from tests.factories import UserFactory, make_chain, make_reply

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


def test_reply_keeps_the_chosen_response(thread):
    top = make_reply(thread.opening_post)
    assert make_reply(top, response="disagree").response == Post.Response.DISAGREE


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * (services.MAX_BODY_LENGTH + 1), "at most 20,000 characters"),
        ("nul \x00 byte", "NUL"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_saved(thread, member, body, message):
    before = Post.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.reply_create(parent=thread.opening_post, author=member, body=body)
    assert Post.objects.count() == before


def test_a_body_of_exactly_the_limit_is_accepted(thread, member):
    body = "x" * services.MAX_BODY_LENGTH
    assert services.reply_create(parent=thread.opening_post, author=member, body=body).body == body


def test_an_unknown_response_is_refused(thread, member):
    with pytest.raises(ValidationError, match="Response must be one of"):
        services.reply_create(parent=thread.opening_post, author=member, body="x", response="maybe")


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_only_active_members_may_reply(thread, who):
    from django.contrib.auth.models import AnonymousUser

    author = AnonymousUser() if who == "anonymous" else UserFactory(is_active=False)
    with pytest.raises(PermissionDenied, match="Log in"):
        services.reply_create(parent=thread.opening_post, author=author, body="hello")
    assert thread.posts.count() == 1


def test_a_locked_thread_refuses_replies_with_a_clear_message(thread, member):
    thread.locked = True
    thread.save()
    with pytest.raises(PermissionDenied, match="locked"):
        services.reply_create(parent=thread.opening_post, author=member, body="hello")
    assert thread.posts.count() == 1


def test_a_tombstone_takes_no_new_replies(thread, member):
    post = make_reply(thread.opening_post, author=member)
    services.post_delete(post=post, actor=member)
    with pytest.raises(ValidationError, match="deleted or removed"):
        make_reply(post)


@pytest.mark.parametrize("title", ["", "   ", "t" * (services.MAX_TITLE_LENGTH + 1), "a\x00b"])
def test_bad_thread_titles_are_refused(topic, member, title):
    with pytest.raises(ValidationError):
        services.thread_create(topic=topic, author=member, title=title, body="body")
    assert topic.threads.count() == 0


def test_thread_title_whitespace_is_collapsed(topic, member):
    thread = services.thread_create(topic=topic, author=member, title="  Fair \n use? ", body="b")
    assert thread.title == "Fair use?"


def test_editing_keeps_the_earlier_version(thread, member):
    post = make_reply(thread.opening_post, author=member, body="first")
    services.post_edit(post=post, editor=member, body="second *take*")
    services.post_edit(post=post, editor=member, body="third")
    post.refresh_from_db()
    assert post.body == "third" and post.edited is not None
    assert [revision.body for revision in post.revisions.all()] == ["first", "second *take*"]


def test_saving_the_same_body_makes_no_revision(thread, member):
    post = make_reply(thread.opening_post, author=member, body="same")
    services.post_edit(post=post, editor=member, body="same")
    assert PostRevision.objects.count() == 0
    assert post.edited is None


def test_only_the_author_edits(thread, member, other_member):
    post = make_reply(thread.opening_post, author=member, body="mine")
    with pytest.raises(PermissionDenied, match="Only the author"):
        services.post_edit(post=post, editor=other_member, body="theirs")
    post.refresh_from_db()
    assert post.body == "mine" and not post.revisions.exists()


def test_deleting_leaves_a_tombstone_and_keeps_the_replies_in_place(thread, member):
    post = make_reply(thread.opening_post, author=member)
    reply = make_reply(post)
    services.post_delete(post=post, actor=member)
    post.refresh_from_db()
    reply.refresh_from_db()
    assert post.state == Post.State.DELETED
    assert reply.parent == post and reply.tree_parent == post
    assert (post.lft, post.rght) == (1, 4)


def test_only_the_author_deletes_and_only_once(thread, member, other_member):
    post = make_reply(thread.opening_post, author=member)
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, actor=other_member)
    services.post_delete(post=post, actor=member)
    with pytest.raises(ValidationError, match="already"):
        services.post_delete(post=post, actor=member)


def test_the_opening_post_cannot_be_deleted(thread, member):
    with pytest.raises(ValidationError, match="opening post"):
        services.post_delete(post=thread.opening_post, actor=member)


def test_a_tombstone_cannot_be_edited(thread, member):
    post = make_reply(thread.opening_post, author=member)
    services.post_delete(post=post, actor=member)
    with pytest.raises(ValidationError):
        services.post_edit(post=post, editor=member, body="back")


def test_a_locked_thread_refuses_edits(thread, member):
    post = make_reply(thread.opening_post, author=member)
    thread.locked = True
    thread.save()
    post.refresh_from_db()
    with pytest.raises(PermissionDenied, match="locked"):
        services.post_edit(post=post, editor=member, body="changed")
