import random
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.forum.models import SEGMENT_DEPTH, Post
from apps.forum.trees import check_trees
from tests.factories import UserFactory, make_chain, make_reply, make_thread

pytestmark = pytest.mark.django_db


def grow_randomly(thread, replies: int, *, seed: int) -> None:
    """About 30% top-level replies, 40% answers to the newest post (chains), 30% answers
    anywhere; halfway, a chain of 20 replies crosses two segment boundaries."""
    rng = random.Random(seed)
    authors = [UserFactory() for _ in range(5)]
    posts = [thread.opening_post]
    for step in range(replies):
        if step == replies // 2:
            posts += make_chain(rng.choice(posts), 20)
        roll = rng.random()
        parent = (
            thread.opening_post if roll < 0.3 else posts[-1] if roll < 0.7 else rng.choice(posts)
        )
        posts.append(make_reply(parent, author=rng.choice(authors)))


def descendants_by_links(post: Post) -> set[int]:
    children: dict[int, list[int]] = {}
    for pk, tree_parent in Post.objects.filter(tree_id=post.tree_id).values_list(
        "pk", "tree_parent"
    ):
        children.setdefault(tree_parent, []).append(pk)
    found, stack = set(), [post.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def test_hundreds_of_random_inserts_leave_every_tree_sound(thread):
    grow_randomly(thread, 400, seed=7)
    report = check_trees()
    assert report.clean, report
    assert max(Post.objects.values_list("depth", flat=True)) > 2 * 8
    for post in Post.objects.filter(thread=thread).order_by("?")[:60]:
        assert set(post.get_descendants().values_list("pk", flat=True)) == descendants_by_links(
            post
        )


def test_check_trees_finds_and_repairs_shifted_nodes(thread):
    grow_randomly(thread, 60, seed=3)
    victim = Post.objects.filter(thread=thread, depth=3).first()
    Post.objects.filter(pk=victim.pk).update(lft=999, level=7)
    report = check_trees()
    assert victim.pk in report.wrong_nodes and not report.clean
    assert not check_trees(repair=True).unreachable
    assert check_trees().clean
    victim.refresh_from_db()
    assert victim.level == 2


def counts_by_links(thread) -> dict[int, int]:
    """post id -> the posts below it, walking the parent links."""
    children: dict[int, list[int]] = {}
    posts = Post.objects.filter(thread=thread, depth__gt=0)
    for pk, parent_id in posts.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)

    def below(pk: int) -> int:
        return sum(1 + below(child) for child in children.get(pk, []))

    return {pk: below(pk) for pk in posts.values_list("pk", flat=True)}


def test_every_post_counts_the_posts_below_it_in_every_tree(thread):
    grow_randomly(thread, 200, seed=11)
    counted = dict(Post.objects.filter(depth__gt=0).values_list("pk", "descendant_count"))
    assert counted == counts_by_links(thread)


def test_check_trees_finds_and_repairs_wrong_descendant_counts(thread, capsys):
    chain = make_chain(thread.opening_post, 12)
    Post.objects.filter(pk=chain[2].pk).update(descendant_count=40)
    assert check_trees().wrong_counts == [chain[2].pk]
    with pytest.raises(CommandError, match="--repair"):
        call_command("check_trees")
    assert "1 posts miscounting the posts below them" in capsys.readouterr().out
    check_trees(repair=True)
    assert check_trees().clean
    chain[2].refresh_from_db()
    assert chain[2].descendant_count == 9


def test_check_trees_gives_roots_that_share_a_tree_id_their_own(thread):
    first = make_reply(thread.opening_post)
    make_reply(first)
    second = make_reply(thread.opening_post)
    make_reply(second)
    Post.objects.filter(tree_id=second.tree_id).update(tree_id=first.tree_id)
    assert check_trees().shared_tree_ids == [first.tree_id]
    check_trees(repair=True)
    assert check_trees().clean
    second.refresh_from_db()
    assert second.tree_id != first.tree_id
    assert second.get_descendant_count() == 1


def test_check_trees_resyncs_a_sequence_left_behind(thread):
    make_reply(thread.opening_post)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('forum_post_tree_id_seq', 1)")
    assert check_trees().sequence_behind
    check_trees(repair=True)
    assert check_trees().clean
    assert make_reply(thread.opening_post).tree_id > max(
        Post.objects.exclude(depth=1, reply_count=0).values_list("tree_id", flat=True)
    )


def test_the_command_fails_until_repaired(thread, capsys):
    make_reply(make_reply(thread.opening_post))
    Post.objects.filter(depth=2).update(rght=50)
    with pytest.raises(CommandError, match="--repair"):
        call_command("check_trees")
    call_command("check_trees", "--repair")
    call_command("check_trees")
    assert "All trees are sound" in capsys.readouterr().out


def run_concurrently(workers: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_into_one_subtree_lose_nothing_and_corrupt_nothing():
    thread = make_thread()
    hot = make_reply(thread.opening_post)
    branch = [hot, *(make_reply(hot) for _ in range(3))]
    authors = [UserFactory() for _ in range(8)]

    def write(index: int) -> None:
        rng = random.Random(index)
        for _ in range(25):
            parent = Post.objects.get(pk=rng.choice(branch).pk)
            make_reply(parent, author=authors[index])

    assert run_concurrently(8, write) == []
    assert Post.objects.filter(thread=thread).count() == 1 + 4 + 8 * 25
    assert check_trees().clean


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_new_top_level_replies_get_distinct_tree_ids():
    thread = make_thread()
    authors = [UserFactory() for _ in range(8)]

    def write(index: int) -> None:
        for _ in range(20):
            make_reply(thread.opening_post, author=authors[index])

    assert run_concurrently(8, write) == []
    tree_ids = list(Post.objects.filter(thread=thread, depth=1).values_list("tree_id", flat=True))
    assert len(tree_ids) == len(set(tree_ids)) == 160
    assert check_trees().clean


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_across_segments_keep_every_count_and_never_deadlock():
    """A reply below the eighth level counts on posts of the trees above it: it takes their
    locks too, in the order every writer takes them."""
    thread = make_thread()
    chain = make_chain(thread.opening_post, 2 * SEGMENT_DEPTH + 2)
    parents = [chain[1], chain[SEGMENT_DEPTH - 1], chain[SEGMENT_DEPTH + 2], chain[-1]]
    authors = [UserFactory() for _ in range(6)]

    def write(index: int) -> None:
        rng = random.Random(index)
        for _ in range(15):
            parent = Post.objects.get(pk=rng.choice(parents).pk)
            make_reply(parent, author=authors[index])

    assert run_concurrently(6, write) == []
    counted = dict(Post.objects.filter(depth__gt=0).values_list("pk", "descendant_count"))
    assert counted == counts_by_links(thread)
    assert check_trees().clean
