"""The forum's composite reads: the claims a reply answers, a thread page's branches and
their quotas, nesting, and the API's depth-first order."""

import pytest

from apps.forum import selectors
from apps.forum.models import Post
from apps.forum.services.post_state import post_delete
from tests.factories import make_chain, make_reply

pytestmark = pytest.mark.django_db


def test_a_tombstone_or_an_untagged_post_has_no_claims_to_answer(thread, claimed, other_member):
    assert [tag.claim.text for tag in selectors.claims_to_answer(claimed)] == [
        "Fair use",
        "Models store copies",
    ]
    assert selectors.claims_to_answer(thread.opening_post) == []
    post_delete(post=claimed, actor=other_member)
    assert selectors.claims_to_answer(claimed) == []


def test_branch_quotas_give_every_root_a_place_then_fill_in_order():
    sizes = [(1, 50), (2, 3), (3, 60), (4, 1)]
    quotas = selectors.branch_quotas(sizes)
    assert quotas == {
        1: selectors.POSTS_PER_BRANCH,
        2: 3,
        3: selectors.PAGE_POST_BUDGET - 4 - 39 - 2 + 1,
        4: 1,
    }
    assert sum(quotas.values()) == selectors.PAGE_POST_BUDGET


@pytest.mark.parametrize(("sort", "first"), [("oldest", 0), ("newest", -1), ("replies", 1)])
def test_a_thread_page_orders_its_top_level_replies_by_the_sort(thread, sort, first):
    replies = [make_reply(thread.opening_post) for _ in range(3)]
    make_chain(replies[1], 2)  # the middle one has the most replies
    page = selectors.thread_page(thread=thread, sort=sort)
    assert page.branches[0].post == replies[first]
    assert [len(node.replies) for node in page.branches if node.post == replies[1]] == [1]
    assert not page.has_next


def test_nest_hangs_each_post_under_its_parent_and_marks_detached_roots(thread):
    top = make_reply(thread.opening_post)
    middle = make_reply(top)
    low = make_reply(middle)
    forest = selectors.nest([top, middle, low])
    assert [node.post for node in forest] == [top]
    assert forest[0].replies[0].replies[0].post == low
    detached = selectors.nest([low])
    assert detached[0].detached and not forest[0].detached


def test_posts_in_tree_order_put_every_reply_after_its_parent_across_segment_trees(thread):
    chain = make_chain(thread.opening_post, 12)  # crosses a segment boundary
    sibling = make_reply(thread.opening_post)
    in_order = selectors.PostsInTreeOrder(thread, Post.objects.all())
    assert len(in_order) == 14
    assert list(in_order[0:14]) == [thread.opening_post, *chain, sibling]
    assert list(in_order[2:4]) == chain[1:3]
