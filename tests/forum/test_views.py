import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from apps.claims.models import Claim, ClaimTag
from apps.claims.services.tags import TagInput
from apps.forum import selectors
from apps.forum.models import SEGMENT_DEPTH, Post, Thread
from apps.forum.services.post_state import post_delete
from apps.maps.models import MapDirtyMark
from tests.factories import TopicFactory, claim_id, make_chain, make_reply, make_thread
from tests.html_checks import active_content

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def post_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<details open class="post[^"]*" id="post-(\d+)"', html)]


def test_home_lists_topics_with_their_thread_counts(thread):
    TopicFactory(title="Empty topic")
    html = Client().get("/").content.decode()
    assert "AI art" in html and "1 thread" in html and "Empty topic" in html


def test_topic_lists_threads_by_latest_activity_with_reply_counts(topic):
    older = make_thread(topic=topic, title="Older thread")
    make_thread(topic=topic, title="Newer thread")
    make_reply(older.opening_post)
    html = Client().get(topic.get_absolute_url()).content.decode()
    assert html.index("Older thread") < html.index("Newer thread")
    assert "1 reply" in html


def test_unknown_topic_thread_and_post_are_404(logged_in):
    for url in ["/topics/nope/", "/threads/999999/", "/posts/999999/", "/posts/999999/reply/"]:
        assert Client().get(url).status_code == (302 if url.endswith("reply/") else 404), url
        assert logged_in.get(url).status_code == 404, url


def test_starting_a_thread_needs_a_login(topic):
    response = Client().post(
        reverse("forum:thread_create", args=[topic.slug]), {"title": "t", "body": "b"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Thread.objects.exists()


def test_a_member_starts_a_thread(topic, logged_in):
    response = logged_in.post(
        reverse("forum:thread_create", args=[topic.slug]),
        {"title": "Fair use?", "body": "I think so."},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
    assert thread.opening_post.body == "I think so."


def test_an_oversized_opening_post_gets_a_clear_error(topic, logged_in):
    response = logged_in.post(
        reverse("forum:thread_create", args=[topic.slug]), {"title": "t", "body": "x" * 20_001}
    )
    assert response.status_code == 200
    assert "at most 20000 characters" in response.content.decode().replace(",", "")
    assert not Thread.objects.exists()


def test_thread_page_nests_replies_under_their_parents(thread):
    top = make_reply(thread.opening_post, body="top level")
    child = make_reply(top, body="child")
    grandchild = make_reply(child, body="grandchild")
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert post_ids(html) == [top.pk, child.pk, grandchild.pk]
    top_block = html[html.index(f'id="post-{top.pk}"') :]
    assert top_block.index('<ol class="replies">') < top_block.index(f'id="post-{child.pk}"')
    assert html.count('<ol class="replies">') == 2


def test_thread_page_sorts_top_level_replies(thread):
    quiet = make_reply(thread.opening_post, body="quiet")
    busy = make_reply(thread.opening_post, body="busy")
    make_reply(busy), make_reply(busy)
    client = Client()

    def tops(sort: str) -> list[int]:
        html = client.get(f"{thread.get_absolute_url()}?sort={sort}").content.decode()
        return [pk for pk in post_ids(html) if pk in (quiet.pk, busy.pk)]

    assert tops("oldest") == [quiet.pk, busy.pk]
    assert tops("newest") == [busy.pk, quiet.pk]
    assert tops("replies") == [busy.pk, quiet.pk]
    assert tops("bogus") == [quiet.pk, busy.pk]


def test_top_level_replies_are_paged_with_more_replies(thread):
    replies = [make_reply(thread.opening_post) for _ in range(selectors.TOP_LEVEL_PER_PAGE + 2)]
    client = Client()
    first = client.get(thread.get_absolute_url()).content.decode()
    assert post_ids(first) == [post.pk for post in replies[: selectors.TOP_LEVEL_PER_PAGE]]
    assert 'rel="next"' in first
    second = client.get(f"{thread.get_absolute_url()}?sort=oldest&page=2").content.decode()
    assert post_ids(second) == [post.pk for post in replies[selectors.TOP_LEVEL_PER_PAGE :]]
    assert 'rel="next"' not in second and 'rel="prev"' in second
    assert client.get(f"{thread.get_absolute_url()}?page=abc").status_code == 200
    assert client.get(f"{thread.get_absolute_url()}?page=99999999999999999999").status_code == 200


def test_deep_chains_continue_on_the_posts_own_page(thread):
    chain = make_chain(thread.opening_post, SEGMENT_DEPTH + 3)
    segment_end = chain[SEGMENT_DEPTH - 1]
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert post_ids(html) == [post.pk for post in chain[:SEGMENT_DEPTH]]
    assert f'href="/posts/{segment_end.pk}/">Continue this thread (3 more replies)' in html

    continued = Client().get(f"/posts/{segment_end.pk}/").content.decode()
    assert post_ids(continued) == [post.pk for post in chain[SEGMENT_DEPTH - 1 :]]
    assert f'href="/posts/{chain[0].pk}/#post-{chain[0].pk}">' in continued  # the context


def test_a_long_branch_is_cut_with_a_link_to_the_rest(thread):
    top = make_reply(thread.opening_post)
    for _ in range(selectors.POSTS_PER_BRANCH + 5):
        make_reply(top)
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert len(post_ids(html)) == selectors.POSTS_PER_BRANCH
    assert f'href="/posts/{top.pk}/">Continue this thread (6 more replies)' in html
    assert (
        len(post_ids(Client().get(f"/posts/{top.pk}/").content.decode()))
        == selectors.POSTS_PER_BRANCH + 6
    )


def test_a_page_shows_at_most_its_post_budget_however_big_the_branches(thread):
    for _ in range(5):
        top = make_reply(thread.opening_post)
        for _ in range(selectors.POSTS_PER_BRANCH):
            make_reply(top, author=top.author)
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert len(post_ids(html)) == selectors.PAGE_POST_BUDGET
    assert html.count("Continue this thread") == 5  # every branch links to the rest of it


def test_permalink_pages_a_huge_subtree(thread, monkeypatch):
    monkeypatch.setattr(selectors, "POSTS_PER_SUBTREE", 5)
    top = make_reply(thread.opening_post)
    replies = [make_reply(top) for _ in range(7)]
    client = Client()
    first = client.get(f"/posts/{top.pk}/").content.decode()
    assert post_ids(first) == [top.pk] + [post.pk for post in replies[:4]]
    next_link = re.search(r'href="\?after=([\d.]+)" rel="next"', first).group(1)
    second = client.get(f"/posts/{top.pk}/?after={next_link}").content.decode()
    assert post_ids(second) == [post.pk for post in replies[4:]]
    assert "in reply to an earlier post" in second
    assert client.get(f"/posts/{top.pk}/?after=x.y").status_code == 200


def test_the_opening_posts_permalink_is_the_thread(thread):
    response = Client().get(thread.opening_post.get_absolute_url())
    assert response.status_code == 302 and response.url == thread.get_absolute_url()


def test_subtrees_collapse_without_javascript(thread):
    make_reply(make_reply(thread.opening_post))
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert html.count("<details open") == 2 and html.count("<summary>") == 2


@pytest.mark.parametrize("replies", [30, 300])
def test_thread_page_query_count_does_not_grow_with_the_thread(replies):
    thread = make_thread()
    posts = [thread.opening_post]
    for index in range(replies):
        parent = thread.opening_post if index % 3 == 0 else posts[-1]
        posts.append(make_reply(parent, author=posts[-1].author))
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(thread.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as permalink_queries:
        assert client.get(posts[2].get_absolute_url()).status_code == 200
    # A post's page: the post, its ancestors (one line each, so no tags), its subtree and tags.
    assert (len(queries), len(permalink_queries)) == (6, 4)


def test_replying_lands_on_the_new_post_with_a_confirmation(thread, logged_in):
    top = make_reply(thread.opening_post)
    response = logged_in.post(
        reverse("forum:reply", args=[top.pk]), {"body": "I disagree", "response": "disagree"}
    )
    reply = Post.objects.get(body="I disagree")
    assert response.status_code == 302
    assert response.url == f"/posts/{reply.pk}/#post-{reply.pk}"  # scrolled to, highlighted
    assert (reply.parent, reply.response) == (top, "disagree")
    page = logged_in.get(response.url).content.decode()
    assert "I disagree" in page and "disagrees" in page
    assert '<ul class="messages" role="status"><li>Your reply is posted.</li></ul>' in page
    assert "Your reply is posted." not in logged_in.get(response.url).content.decode()


def test_the_reply_form_comes_as_a_fragment_for_htmx(thread, logged_in):
    response = logged_in.get(
        reverse("forum:reply", args=[thread.opening_post.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<form" in html and "<html" not in html
    assert f'id="reply-{thread.opening_post.pk}-body"' in html


def test_anonymous_replies_are_refused(thread):
    response = Client().post(
        reverse("forum:reply", args=[thread.opening_post.pk]), {"body": "hi", "response": "neutral"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert thread.posts.count() == 1


def test_a_locked_thread_says_so_and_refuses_replies(thread, logged_in):
    thread.locked = True
    thread.save()
    page = logged_in.get(thread.get_absolute_url()).content.decode()
    assert "This thread is locked" in page and "Post reply" not in page
    response = logged_in.post(
        reverse("forum:reply", args=[thread.opening_post.pk]), {"body": "hi", "response": "neutral"}
    )
    assert response.status_code == 403 and "locked" in response.content.decode()
    assert thread.posts.count() == 1


def test_replying_to_a_tombstone_shows_why_not(thread, member, logged_in):
    post = make_reply(thread.opening_post, author=member)
    logged_in.post(reverse("forum:post_delete", args=[post.pk]))
    response = logged_in.post(
        reverse("forum:reply", args=[post.pk]), {"body": "hi", "response": "neutral"}
    )
    assert response.status_code == 200 and "cannot reply to a deleted" in response.content.decode()
    assert not post.replies.exists()


def test_editing_keeps_a_viewable_history(thread, member, logged_in):
    post = make_reply(thread.opening_post, author=member, body="first words")
    assert logged_in.get(reverse("forum:post_edit", args=[post.pk])).status_code == 200
    response = logged_in.post(reverse("forum:post_edit", args=[post.pk]), {"body": "second words"})
    assert response.status_code == 302
    history = Client().get(reverse("forum:post_revisions", args=[post.pk])).content.decode()
    assert history.index("first words") < history.index("second words")
    assert "edited" in Client().get(post.get_absolute_url()).content.decode()


def test_editing_or_deleting_anothers_post_is_forbidden(thread, other_member, logged_in):
    post = make_reply(thread.opening_post, author=other_member, body="theirs")
    assert logged_in.get(reverse("forum:post_edit", args=[post.pk])).status_code == 403
    assert (
        logged_in.post(reverse("forum:post_edit", args=[post.pk]), {"body": "mine"}).status_code
        == 403
    )
    assert logged_in.get(reverse("forum:post_delete", args=[post.pk])).status_code == 403
    assert logged_in.post(reverse("forum:post_delete", args=[post.pk])).status_code == 403
    post.refresh_from_db()
    assert (post.body, post.state) == ("theirs", "visible")


def test_deleting_asks_first_then_leaves_a_tombstone_with_replies_in_place(
    thread, member, logged_in
):
    post = make_reply(thread.opening_post, author=member, body="soon gone")
    reply = make_reply(post, body="still here")
    assert (
        "Delete your post?"
        in logged_in.get(reverse("forum:post_delete", args=[post.pk])).content.decode()
    )
    logged_in.post(reverse("forum:post_delete", args=[post.pk]))
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert "deleted by creator" in html and "soon gone" not in html and "still here" in html
    assert post_ids(html) == [post.pk, reply.pk]
    assert Client().get(reverse("forum:post_revisions", args=[post.pk])).status_code == 404


def test_titles_and_bodies_with_markup_are_rendered_inert(topic, logged_in):
    logged_in.post(reverse("forum:thread_create", args=[topic.slug]), {"title": XSS, "body": XSS})
    thread = Thread.objects.get()
    make_reply(thread.opening_post, body=f"[x](javascript:alert(1)) {XSS}")
    for url in [thread.get_absolute_url(), topic.get_absolute_url(), "/u/alice/"]:
        html = Client().get(url).content.decode()
        assert active_content(html.split('<main id="main">')[1]) == [], url


# --- answering the parent's claims one by one, opening-post tags, the response on edit -----


def answer_groups(html: str) -> list[str]:
    """The text of each per-claim question's legend."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", legend).split()
        for legend in re.findall(r'<fieldset class="claim-answer">\s*<legend>(.*?)</legend>', html)
    ]


def test_the_reply_form_asks_about_each_claim_of_the_parent(claimed, logged_in):
    html = logged_in.get(
        reverse("forum:reply", args=[claimed.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert answer_groups(html) == [
        ["The", "post", "you", "answer", "✓", "supports", "Fair", "use"],
        ["The", "post", "you", "answer", "✗", "opposes", "Models", "store", "copies"],
    ]
    for text in ["Fair use", "Models store copies"]:
        name = f"answer_{claim_id(text)}"
        values = re.findall(rf'<input type="radio" name="{name}" value="(\w+)"[^>]*>', html)
        assert values == ["agree", "disagree", "not_addressed"]
        checked = re.search(rf'name="{name}" value="(\w+)"[^>]* checked', html).group(1)
        assert checked == "not_addressed"
        assert f'<label for="reply-{claimed.pk}-{name}_0">' in html
    assert "counts as your stance on the post&#x27;s claim only when it makes exactly one" in html
    assert "when it makes several, answer each below" in html
    assert "Each answer is stored as a tag of your reply" in html


def test_answers_posted_with_a_plain_form_become_the_replys_tags(claimed, logged_in):
    response = logged_in.post(
        reverse("forum:reply", args=[claimed.pk]),
        {
            "body": "One by one",
            "response": "neutral",
            f"answer_{claim_id('Fair use')}": "disagree",
            f"answer_{claim_id('Models store copies')}": "agree",
            "claim_1": "Style is not protected",
            "stance_1": "supports",
        },
    )
    reply = Post.objects.get(body="One by one")
    assert response.status_code == 302 and response.url == reply.permalink
    tags = {tag.claim.text: tag.stance for tag in reply.tags.select_related("claim")}
    assert tags == {
        "Fair use": "opposes",
        "Models store copies": "opposes",
        "Style is not protected": "supports",
    }


def test_a_question_left_out_of_the_post_is_not_addressed(claimed, logged_in):
    logged_in.post(
        reverse("forum:reply", args=[claimed.pk]),
        {"body": "Only one", "response": "agree", f"answer_{claim_id('Fair use')}": "agree"},
    )
    reply = Post.objects.get(body="Only one")
    assert [(tag.claim.text, tag.stance) for tag in reply.tags.all()] == [("Fair use", "supports")]


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"claim_1": "fair use", "stance_1": "opposes"}, "You answered «Fair use» and also"),
        (
            {
                **{f"claim_{n}": f"Claim number {n}" for n in range(1, 5)},
                **{f"stance_{n}": "supports" for n in range(1, 5)},
            },
            "2 answers and 4 claim rows make 6",
        ),
        ({"claim_1": "x" * 201}, "at most 200 characters"),
    ],
)
def test_answers_clashing_with_claim_rows_are_a_form_error_and_nothing_is_saved(
    claimed, logged_in, extra, message
):
    answers = {
        f"answer_{claim_id('Fair use')}": "agree",
        f"answer_{claim_id('Models store copies')}": "disagree",
    }
    before = (Post.objects.count(), Claim.objects.count(), ClaimTag.objects.count())
    response = logged_in.post(
        reverse("forum:reply", args=[claimed.pk]),
        {"body": "Clash", "response": "neutral", **answers, **extra},
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html.replace("&#x27;", "'")
    assert (Post.objects.count(), Claim.objects.count(), ClaimTag.objects.count()) == before
    assert 'value="disagree" id="reply-' in html and "Clash" in html  # the answers stay filled


def test_a_bad_answer_is_a_form_error_and_nothing_is_saved(claimed, logged_in):
    response = logged_in.post(
        reverse("forum:reply", args=[claimed.pk]),
        {"body": "Bad", "response": "neutral", f"answer_{claim_id('Fair use')}": "maybe"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Post.objects.filter(body="Bad").exists()


def test_an_untagged_parent_shows_no_answer_list(thread, logged_in):
    plain = make_reply(thread.opening_post)
    html = logged_in.get(reverse("forum:reply", args=[plain.pk])).content.decode()
    assert "Your reply" in html and "claim-answers" not in html
    assert "that post makes none yet, so your response only shows beside your post" in html


def test_a_tombstone_parent_shows_no_answer_list(claimed, other_member, logged_in):
    post_delete(post=claimed, actor=other_member)
    html = logged_in.get(reverse("forum:reply", args=[claimed.pk])).content.decode()
    assert "claim-answers" not in html and "Models store copies" not in html


def test_a_visitor_gets_no_reply_form_and_no_questions(topic, member):
    thread = make_thread(topic=topic, author=member, tags=[TagInput("Fair use", "supports")])
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert "Log in to reply</a> or" in html and '<form method="post"' not in html
    assert "claim-answers" not in html and 'name="answer_' not in html
    response = Client().get(reverse("forum:reply", args=[thread.opening_post.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_thread_pages_form_answers_the_opening_posts_claims(topic, member, logged_in):
    thread = make_thread(topic=topic, author=member, tags=[TagInput("Fair use", "supports")])
    html = logged_in.get(thread.get_absolute_url()).content.decode()
    form = html[html.index('id="reply-heading"') :]
    assert answer_groups(form) == [["The", "post", "you", "answer", "✓", "supports", "Fair", "use"]]
    logged_in.post(
        reverse("forum:reply", args=[thread.opening_post.pk]),
        {"body": "No", "response": "neutral", f"answer_{claim_id('Fair use')}": "disagree"},
    )
    reply = Post.objects.get(body="No")
    assert [(tag.claim.text, tag.stance) for tag in reply.tags.all()] == [("Fair use", "opposes")]


def test_the_edit_form_shows_and_changes_the_response(claimed, member, logged_in):
    post = make_reply(claimed, author=member, response="agree")
    url = reverse("forum:post_edit", args=[post.pk])
    html = logged_in.get(url).content.decode()
    assert re.search(r'name="response" value="agree"[^>]* checked', html)
    assert "when it makes several, tag each claim you answer below" in html
    before = MapDirtyMark.objects.count()
    response = logged_in.post(url, {"body": post.body, "response": "disagree"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.response == "disagree" and not post.revisions.exists()
    assert MapDirtyMark.objects.count() == before + 1  # its parent carries claims


def test_the_opening_posts_edit_form_has_no_response(thread, logged_in):
    url = reverse("forum:post_edit", args=[thread.opening_post.pk])
    html = logged_in.get(url).content.decode()
    assert "Your response to the post you answer" not in html and 'name="response"' not in html
    logged_in.post(url, {"body": "Opening post", "claim_1": "Fair use", "stance_1": "supports"})
    assert [tag.claim.text for tag in thread.opening_post.tags.all()] == ["Fair use"]


def test_a_member_starts_a_thread_with_claim_tags(topic, logged_in):
    html = logged_in.get(reverse("forum:thread_create", args=[topic.slug])).content.decode()
    assert 'name="claim_1"' in html and 'name="stance_1"' in html
    response = logged_in.post(
        reverse("forum:thread_create", args=[topic.slug]),
        {
            "title": "Fair use?",
            "body": "I think so.",
            "claim_1": "Fair use",
            "stance_1": "supports",
            "claim_2": "Models store copies",
            "stance_2": "opposes",
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
    tags = {tag.claim.text: tag.stance for tag in thread.opening_post.tags.select_related("claim")}
    assert tags == {"Fair use": "supports", "Models store copies": "opposes"}
    assert MapDirtyMark.objects.filter(topic=topic).exists()
    page = logged_in.get(thread.get_absolute_url()).content.decode()
    opening = page[page.index('<article class="opening-post"') : page.index("</article>")]
    assert opening.count('class="chip chip-') == 2


@pytest.mark.parametrize(
    "rows, message",
    [
        ({"claim_1": "Fair use", "stance_1": "maybe"}, "Select a valid choice"),
        (
            {
                "claim_1": "Fair use",
                "stance_1": "supports",
                "claim_2": "fair USE",
                "stance_2": "opposes",
            },
            "tagged twice",
        ),
        ({"claim_1": "\x07beep", "stance_1": "supports"}, "control characters"),
        ({"claim_1": "Fair use"}, "Choose whether your post supports or opposes «Fair use»."),
    ],
)
def test_a_thread_with_bad_claim_rows_is_a_form_error_and_nothing_is_created(
    topic, logged_in, rows, message
):
    response = logged_in.post(
        reverse("forum:thread_create", args=[topic.slug]),
        {"title": "t", "body": "b", **rows},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Thread.objects.exists() and not Post.objects.exists()
    assert not Claim.objects.exists() and not MapDirtyMark.objects.exists()


# --- landing on a post, its context, sorting and counting whole subtrees -------------------


def test_a_permalink_leads_to_the_post_scrolled_to(thread):
    top = make_reply(thread.opening_post)
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert f'<a href="/posts/{top.pk}/#post-{top.pk}" aria-label="link to this post">' in html


def test_a_posts_page_shows_its_ancestors_one_line_each(thread, member):
    essay = " ".join(f"word{n}" for n in range(1, 200))
    first = make_reply(thread.opening_post, author=member, body=f"**Bold** start & {essay}")
    second = make_reply(first, body="A short answer")
    post = make_reply(second, body="The post itself")
    post_delete(post=second, actor=second.author)
    html = Client().get(post.get_absolute_url()).content.decode()
    context = html[html.index('aria-label="Context"') : html.index("</section>")]
    lines = re.findall(r"<li[^>]*>(.*?)</li>", context)
    assert lines == [
        f'<a href="/posts/{first.pk}/#post-{first.pk}"><span class="who">alice</span>'
        ' <span class="gist">Bold start &amp; word1 word2 word3 word4 word5 word6 word7'
        " word8 word9…</span></a>",
        f'<a href="/posts/{second.pk}/#post-{second.pk}"><span class="who">[deleted]</span>'
        ' <span class="gist">deleted by creator</span></a>',
    ]
    assert "word10" not in html and post_ids(html) == [post.pk]
    assert "in reply to an earlier post" not in html  # the line above says which


def tops_and_children(html: str, top: Post) -> list[int]:
    return [pk for pk in post_ids(html) if pk != top.pk]


def test_replies_follow_the_sort_at_every_level(thread):
    """One top-level branch: the sort orders the replies under it, level by level."""
    top = make_reply(thread.opening_post)
    older = make_reply(top, body="older, one reply")
    newer = make_reply(top, body="newer, three replies below")
    older_reply = make_reply(older)
    newer_reply = make_reply(newer)
    newest_reply = make_reply(newer)
    deep = make_reply(newer_reply)
    client = Client()

    def order(sort: str) -> list[int]:
        html = client.get(f"{thread.get_absolute_url()}?sort={sort}").content.decode()
        return tops_and_children(html, top)

    assert order("oldest") == [
        older.pk, older_reply.pk, newer.pk, newer_reply.pk, deep.pk, newest_reply.pk
    ]  # fmt: skip
    assert order("newest") == [
        newer.pk, newest_reply.pk, newer_reply.pk, deep.pk, older.pk, older_reply.pk
    ]  # fmt: skip
    assert order("replies") == [
        newer.pk, newer_reply.pk, deep.pk, newest_reply.pk, older.pk, older_reply.pk
    ]  # fmt: skip


def test_most_replies_counts_whole_branches_across_segments(thread):
    """A chain past the eighth level goes on in trees of its own: it still counts."""
    chained = make_reply(thread.opening_post)
    make_chain(chained, SEGMENT_DEPTH + 4)  # 12 below, 7 of them in its own tree
    wide = make_reply(thread.opening_post)
    for _ in range(10):
        make_reply(wide)
    html = Client().get(f"{thread.get_absolute_url()}?sort=replies").content.decode()
    tops = [pk for pk in post_ids(html) if pk in (chained.pk, wide.pk)]
    assert tops == [chained.pk, wide.pk]


def test_a_collapsed_post_counts_every_reply_below_it(thread):
    top = make_reply(thread.opening_post)
    for _ in range(2):
        answer = make_reply(top)
        make_reply(make_reply(answer))
    make_chain(top, SEGMENT_DEPTH + 2)
    html = Client().get(thread.get_absolute_url()).content.decode()
    summary = html[html.index(f'id="post-{top.pk}"') :]
    summary = summary[: summary.index("</summary>")]
    assert "· 16 replies<" in summary  # 2 × 3, and a chain of 10 of which 3 are further on


# --- the reply form: one claim row at first, no stance taken for granted, a preview --------


def shown_rows(html: str) -> list[int]:
    return [
        int(row)
        for hidden, row in re.findall(
            r'<div class="tag-row"( hidden)?>\s*<label for="[\w-]+claim_(\d)"', html
        )
        if not hidden
    ]


def test_the_reply_form_shows_one_claim_row_and_takes_no_stance_for_granted(thread, logged_in):
    html = logged_in.get(reverse("forum:reply", args=[thread.opening_post.pk])).content.decode()
    assert shown_rows(html) == [1]
    assert html.count('<div class="tag-row" hidden>') == 4  # the script shows them one by one
    assert re.search(
        r'<button type="submit" name="add_claim"[^>]*>Add another claim</button>', html
    )
    assert html.count('<option value="" selected>supports or opposes?</option>') == 5
    assert '<option value="supports" selected>' not in html


def test_a_claim_without_a_stance_is_a_form_error_and_nothing_is_saved(thread, logged_in):
    before = (Post.objects.count(), Claim.objects.count())
    response = logged_in.post(
        reverse("forum:reply", args=[thread.opening_post.pk]),
        {"body": "Mine", "response": "neutral", "claim_1": "Fair use", "stance_2": "opposes"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose whether your post supports or opposes «Fair use»." in html
    assert (Post.objects.count(), Claim.objects.count()) == before


def test_add_another_claim_without_javascript_shows_one_more_row_and_keeps_the_form(
    thread, logged_in
):
    url = reverse("forum:reply", args=[thread.opening_post.pk])
    typed = {"body": "Half written", "response": "agree", "claim_1": "Fair use", "claim_rows": "1"}
    response = logged_in.post(url, {**typed, "add_claim": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and not Post.objects.filter(body="Half written").exists()
    assert shown_rows(html) == [1, 2] and 'name="claim_rows" value="2"' in html
    assert ">\nHalf written</textarea>" in html and 'value="Fair use"' in html
    assert re.search(r'name="response" value="agree"[^>]* checked', html)
    assert 'class="errors"' not in html  # nothing is checked before the reply is posted
    again = logged_in.post(url, {**typed, "claim_rows": "4", "add_claim": "1"})
    assert shown_rows(again.content.decode()) == [1, 2, 3, 4, 5]
    assert 'name="add_claim" value="1" class="secondary add-claim" formnovalidate hidden' in (
        again.content.decode()
    )


def test_the_edit_form_opens_a_row_for_each_tag(claimed, other_member):
    client = Client()
    client.force_login(other_member)
    html = client.get(reverse("forum:post_edit", args=[claimed.pk])).content.decode()
    assert shown_rows(html) == [1, 2]
    assert re.search(r'<option value="opposes" selected>', html)


PREVIEWED = "**Bold** and <script>alert(1)</script> [x](javascript:alert(1))"


def test_preview_without_javascript_renders_the_body_and_saves_nothing(thread, logged_in):
    response = logged_in.post(
        reverse("forum:reply", args=[thread.opening_post.pk]),
        {"body": PREVIEWED, "response": "neutral", "preview": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and thread.posts.count() == 1
    preview = html[html.index('<div class="preview"') :]
    preview = preview[: preview.index('<div class="field">')]
    assert "<strong>Bold</strong>" in preview and active_content(preview) == []
    assert f"{escape(PREVIEWED)}</textarea>" in html  # the draft is kept


def test_the_preview_endpoint_answers_htmx_with_the_rendered_body(logged_in):
    response = logged_in.post(reverse("forum:preview"), {"body": PREVIEWED}, HTTP_HX_REQUEST="1")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<strong>Bold</strong>" in html and active_content(html) == []
    empty = logged_in.post(reverse("forum:preview"), {"body": " "}, HTTP_HX_REQUEST="1")
    assert "Nothing to preview yet: write your post." in empty.content.decode()
    too_long = logged_in.post(reverse("forum:preview"), {"body": "x" * 20_001})
    assert "at most 20000 characters" in too_long.content.decode().replace(",", "")
    assert logged_in.get(reverse("forum:preview")).status_code == 405


def test_the_preview_endpoint_is_for_members(thread):
    response = Client().post(reverse("forum:preview"), {"body": "hi"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
