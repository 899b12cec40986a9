"""The JSON API under /api/: reads, replies, edits and deletes, auth, and the schema."""

from html.parser import HTMLParser

import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.claims.models import Claim, ClaimTag
from apps.claims.services.claims import claim_create
from apps.claims.services.tags import TagInput
from apps.core.text import MAX_BODY_LENGTH
from apps.forum.models import Post, PostRevision, Thread
from apps.forum.services.post_state import post_delete
from apps.maps.models import MapDirtyMark
from tests.factories import PASSWORD, TopicFactory, make_chain, make_reply, make_thread

pytestmark = pytest.mark.django_db

POST_FIELDS = {"id", "parent", "depth", "author", "state", "response", "body_html", "created"}


# --- helpers -------------------------------------------------------------------------------


def token_client(user) -> APIClient:
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def session_client(user, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.force_login(user)
    return client


def posts_url(thread: Thread) -> str:
    return f"/api/threads/{thread.pk}/posts/"


def post_url(post: Post) -> str:
    return f"/api/posts/{post.pk}/"


def depth_first(thread: Thread) -> list[int]:
    """The thread's post ids walked depth-first from the opening post, using only parent
    ids, siblings in order of creation: what the API's tree order must equal."""
    children: dict[int | None, list[Post]] = {}
    for post in Post.objects.filter(thread=thread).order_by("created", "pk"):
        children.setdefault(post.parent_id, []).append(post)
    order: list[int] = []
    stack = list(reversed(children[None]))
    while stack:
        post = stack.pop()
        order.append(post.pk)
        stack.extend(reversed(children.get(post.pk, [])))
    return order


def all_pages(client: APIClient, url: str, page_size: int) -> tuple[list[dict], list[dict]]:
    """Every page of `url`: the items in order, and the raw page payloads."""
    items, pages, page = [], [], 1
    while True:
        response = client.get(url, {"page_size": page_size, "page": page})
        assert response.status_code == 200
        pages.append(response.data)
        items.extend(response.data["results"])
        if response.data["next"] is None:
            return items, pages
        page += 1


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def tags_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def alice_api(member):
    return token_client(member)


@pytest.fixture
def bob_api(other_member):
    return token_client(other_member)


# --- topics --------------------------------------------------------------------------------


def test_topic_list_is_paged_and_sorted_by_title(api):
    TopicFactory(slug="zoning", title="Zoning")
    TopicFactory(slug="ai-art", title="AI art", description="Machines that paint")
    TopicFactory(slug="maths", title="Maths")

    response = api.get("/api/topics/")

    assert response.status_code == 200
    assert response.data["count"] == 3
    assert response.data["next"] is None
    assert [t["title"] for t in response.data["results"]] == ["AI art", "Maths", "Zoning"]
    first = response.data["results"][0]
    assert first["slug"] == "ai-art"
    assert first["description"] == "Machines that paint"
    assert set(first) >= {"slug", "title", "description", "created"}


def test_topic_detail_by_slug(api, topic):
    response = api.get(f"/api/topics/{topic.slug}/")

    assert response.status_code == 200
    assert response.data["slug"] == "ai-art"
    assert response.data["title"] == "AI art"


def test_topic_detail_of_unknown_slug_is_404(api, topic):
    assert api.get("/api/topics/no-such-topic/").status_code == 404


def test_topic_threads_of_unknown_slug_is_404(api, topic):
    assert api.get("/api/topics/no-such-topic/threads/").status_code == 404


def test_topic_threads_are_listed_latest_activity_first_with_reply_counts(api, topic, member):
    older = make_thread(topic=topic, author=member, title="Older")
    newer = make_thread(topic=topic, author=member, title="Newer")
    make_thread(title="In another topic")  # another topic: never listed here
    url = f"/api/topics/{topic.slug}/threads/"

    response = api.get(url)
    assert response.status_code == 200
    assert response.data["count"] == 2
    assert [t["id"] for t in response.data["results"]] == [newer.pk, older.pk]

    make_reply(older.opening_post)
    make_reply(older.opening_post)

    response = api.get(url)
    assert response.status_code == 200
    results = response.data["results"]
    assert [t["id"] for t in results] == [older.pk, newer.pk]
    assert [t["reply_count"] for t in results] == [2, 0]
    assert results[0]["topic"] == "ai-art"
    assert results[0]["author"] == "alice"
    older.refresh_from_db()
    assert results[0]["last_activity"] == older.last_activity.isoformat().replace("+00:00", "Z")


# --- threads and their posts ---------------------------------------------------------------


def test_thread_detail(api, thread):
    make_reply(thread.opening_post)

    response = api.get(f"/api/threads/{thread.pk}/")

    assert response.status_code == 200
    assert response.data["id"] == thread.pk
    assert response.data["title"] == "Is training fair use?"
    assert response.data["topic"] == "ai-art"
    assert response.data["author"] == "alice"
    assert response.data["opening_post"] == thread.opening_post_id
    assert response.data["locked"] is False
    assert response.data["reply_count"] == 1


def test_thread_detail_of_unknown_thread_is_404(api, thread):
    assert api.get(f"/api/threads/{thread.pk + 1000}/").status_code == 404


def test_posts_of_unknown_thread_is_404(api, thread):
    assert api.get(f"/api/threads/{thread.pk + 1000}/posts/").status_code == 404


@pytest.fixture
def deep_thread(thread, member, other_member):
    """20 posts: a chain down to depth 11, so replies below depth 8 live in MPTT trees of
    their own, plus siblings added later at several depths and in both segments, so the
    walk depends on creation order, tree ids and lft all being combined correctly."""
    op = thread.opening_post
    first = make_reply(op, author=member, body="first top-level")
    chain = make_chain(first, 10, author=other_member)  # depths 2..11; chain[6] is depth 8
    assert chain[6].depth == 8 and chain[7].depth == 9
    assert chain[7].tree_id != chain[6].tree_id  # the chain really crosses into a new tree
    second = make_reply(op, author=other_member, body="second top-level")
    make_reply(chain[6], author=member, body="second reply to the depth-8 post")
    make_reply(chain[3], author=member, body="late sibling at depth 5")
    make_reply(first, author=member, body="late reply to the first top-level post")
    make_reply(chain[8], author=member, body="sibling at depth 11, in the second segment")
    make_reply(second, author=member, body="reply to the second top-level post")
    make_reply(chain[9], author=other_member, body="sibling of the deepest")
    make_reply(op, author=member, body="third top-level")
    return thread


def test_thread_posts_come_in_depth_first_order_across_segment_trees(api, deep_thread):
    expected = depth_first(deep_thread)
    assert len(expected) == 20

    response = api.get(posts_url(deep_thread))

    assert response.status_code == 200
    assert response.data["count"] == 20
    assert [item["id"] for item in response.data["results"]] == expected


def test_thread_posts_items_carry_the_post_fields(api, thread, other_member):
    reply = make_reply(
        thread.opening_post, author=other_member, body="I *disagree*", response="disagree"
    )

    response = api.get(posts_url(thread))

    assert response.status_code == 200
    op_item, reply_item = response.data["results"]
    for item in (op_item, reply_item):
        assert set(item) >= POST_FIELDS
    assert op_item["id"] == thread.opening_post_id
    assert op_item["parent"] is None
    assert op_item["depth"] == 0
    assert op_item["author"] == "alice"
    assert reply_item == reply_item | {
        "id": reply.pk,
        "parent": thread.opening_post_id,
        "depth": 1,
        "author": "bob",
        "state": "visible",
        "response": "disagree",
        "body": "I *disagree*",
        "body_html": "<p>I <em>disagree</em></p>\n",
        "thread": thread.pk,
    }
    assert reply_item["created"] == reply.created.isoformat().replace("+00:00", "Z")


def test_tombstones_show_state_and_no_body(api, thread, member, other_member):
    deleted = make_reply(thread.opening_post, author=member, body="regret this")
    removed = make_reply(thread.opening_post, author=other_member, body="spam spam")
    kept = make_reply(deleted, author=other_member, body="still here")
    post_delete(post=deleted, actor=member)
    Post.objects.filter(pk=removed.pk).update(state=Post.State.REMOVED, removal_reason="Spam")

    response = api.get(posts_url(thread))

    assert response.status_code == 200
    assert response.data["count"] == 4  # tombstones are counted and listed
    by_id = {item["id"]: item for item in response.data["results"]}
    assert by_id[deleted.pk]["state"] == "deleted"
    assert by_id[removed.pk]["state"] == "removed"
    assert by_id[removed.pk]["removal_reason"] == "Spam"
    for tombstone in (by_id[deleted.pk], by_id[removed.pk]):
        assert tombstone["body"] == ""
        assert tombstone["body_html"] == ""
    assert by_id[kept.pk]["state"] == "visible"
    assert by_id[kept.pk]["parent"] == deleted.pk
    assert "still here" in by_id[kept.pk]["body_html"]
    assert "regret this" not in str(response.content)
    assert "spam spam" not in str(response.content)


def test_thread_posts_pages_are_consecutive_slices_of_the_tree_order(api, deep_thread):
    expected = depth_first(deep_thread)

    items, pages = all_pages(api, posts_url(deep_thread), page_size=3)

    assert [item["id"] for item in items] == expected
    assert len(pages) == 7  # 20 posts, 3 a page
    assert all(page["count"] == 20 for page in pages)
    assert [len(page["results"]) for page in pages] == [3, 3, 3, 3, 3, 3, 2]
    assert pages[0]["previous"] is None


def test_thread_posts_page_size_and_page_select_one_slice(api, deep_thread):
    expected = depth_first(deep_thread)

    response = api.get(posts_url(deep_thread), {"page_size": 4, "page": 3})

    assert response.status_code == 200
    assert response.data["count"] == 20
    assert [item["id"] for item in response.data["results"]] == expected[8:12]


# --- replying ------------------------------------------------------------------------------


def test_reply_with_token_auth_is_created(thread, other_member, bob_api):
    op = thread.opening_post

    response = bob_api.post(
        posts_url(thread),
        {"parent": op.pk, "body": "Not so fast", "response": "disagree"},
        format="json",
    )

    assert response.status_code == 201
    reply = Post.objects.get(pk=response.data["id"])
    assert reply.thread == thread
    assert reply.parent == op
    assert reply.author == other_member
    assert reply.depth == 1
    assert reply.response == "disagree"
    assert reply.body == "Not so fast"
    assert response.data["author"] == "bob"
    assert response.data["parent"] == op.pk
    thread.refresh_from_db()
    assert thread.reply_count == 1
    op.refresh_from_db()
    assert op.reply_count == 1


def test_reply_with_session_auth_is_created(thread, other_member):
    client = session_client(other_member)

    response = client.post(
        posts_url(thread),
        {"parent": thread.opening_post_id, "body": "Via the browser"},
        format="json",
    )

    assert response.status_code == 201
    reply = Post.objects.get(pk=response.data["id"])
    assert reply.author == other_member
    assert reply.response == "neutral"  # the default
    assert Post.objects.filter(thread=thread).count() == 2


def test_reply_with_session_auth_and_no_csrf_token_is_refused(thread, other_member):
    client = session_client(other_member, enforce_csrf_checks=True)

    response = client.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": "Forged"}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in str(response.data["detail"])
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_anonymous_is_401_and_saves_nothing(api, thread):
    response = api.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": "Who am I"}, format="json"
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_with_an_invalid_token_is_401(api, thread):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": "Hi"}, format="json"
    )

    assert response.status_code == 401
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_to_a_parent_in_another_thread_is_400_and_saves_nothing(thread, bob_api):
    elsewhere = make_thread(title="Elsewhere")

    response = bob_api.post(
        posts_url(thread),
        {"parent": elsewhere.opening_post_id, "body": "Wrong place"},
        format="json",
    )

    assert response.status_code == 400
    assert "parent" in response.data
    assert Post.objects.filter(thread=thread).count() == 1
    assert Post.objects.filter(thread=elsewhere).count() == 1


@pytest.mark.parametrize("parent", [987_654_321, "abc", None])
def test_reply_to_a_nonexistent_or_malformed_parent_is_400(thread, bob_api, parent):
    data = {"body": "To nobody"} if parent is None else {"parent": parent, "body": "To nobody"}

    response = bob_api.post(posts_url(thread), data, format="json")

    assert response.status_code == 400
    assert "parent" in response.data
    assert Post.objects.count() == 1


@pytest.mark.parametrize("body", ["", "   \n\t  ", None])
def test_reply_with_empty_body_is_400_and_saves_nothing(thread, bob_api, body):
    data = {"parent": thread.opening_post_id}
    if body is not None:
        data["body"] = body

    response = bob_api.post(posts_url(thread), data, format="json")

    assert response.status_code == 400
    assert "body" in response.data
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_longer_than_the_limit_is_400_with_a_message_and_saves_nothing(thread, bob_api):
    response = bob_api.post(
        posts_url(thread),
        {"parent": thread.opening_post_id, "body": "x" * (MAX_BODY_LENGTH + 1)},
        format="json",
    )

    assert response.status_code == 400
    message = str(response.data["body"][0])
    assert "20000" in message or "20,000" in message
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_at_exactly_the_limit_is_accepted(thread, bob_api):
    response = bob_api.post(
        posts_url(thread),
        {"parent": thread.opening_post_id, "body": "x" * MAX_BODY_LENGTH},
        format="json",
    )

    assert response.status_code == 201
    assert len(Post.objects.get(pk=response.data["id"]).body) == MAX_BODY_LENGTH


def test_reply_with_an_invalid_response_is_400_and_saves_nothing(thread, bob_api):
    response = bob_api.post(
        posts_url(thread),
        {"parent": thread.opening_post_id, "body": "Hmm", "response": "maybe"},
        format="json",
    )

    assert response.status_code == 400
    assert "response" in response.data
    assert Post.objects.filter(thread=thread).count() == 1


@pytest.mark.parametrize("state", [Post.State.DELETED, Post.State.REMOVED])
def test_reply_to_a_tombstone_is_400_and_saves_nothing(thread, member, bob_api, state):
    gone = make_reply(thread.opening_post, author=member)
    Post.objects.filter(pk=gone.pk).update(state=state)

    response = bob_api.post(
        posts_url(thread), {"parent": gone.pk, "body": "To a ghost"}, format="json"
    )

    assert response.status_code == 400
    assert "deleted or removed" in str(response.data["detail"])
    assert not Post.objects.filter(parent=gone).exists()
    gone.refresh_from_db()
    assert gone.reply_count == 0


def test_reply_in_a_locked_thread_is_403_with_the_lock_message(thread, bob_api):
    thread.locked = True
    thread.save()

    response = bob_api.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": "Let me in"}, format="json"
    )

    assert response.status_code == 403
    assert "locked" in str(response.data["detail"])
    assert Post.objects.filter(thread=thread).count() == 1
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_reply_body_is_sanitized(thread, bob_api):
    body = "<script>alert(1)</script>[x](javascript:alert(1))<img src=x onerror=alert(1)>"

    response = bob_api.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": body}, format="json"
    )

    assert response.status_code == 201
    stored = Post.objects.get(pk=response.data["id"])
    assert stored.body == body  # the Markdown source is kept as written
    html = stored.body_html
    # the markup is escaped into inert text, and the javascript: link is not made a link
    assert [tag for tag, _ in tags_of(html)] == ["p"]
    assert "&lt;script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "img", "iframe", "style"}
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any("javascript:" in value.lower() for value in attrs.values()), (tag, attrs)
    assert 'href="javascript:' not in html.lower()
    assert response.data["body_html"] == html


def test_reply_links_get_nofollow_and_ugc(thread, bob_api):
    body = "Read https://example.org/a and [the paper](https://example.org/paper)."

    response = bob_api.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": body}, format="json"
    )

    assert response.status_code == 201
    links = [
        attrs
        for tag, attrs in tags_of(Post.objects.get(pk=response.data["id"]).body_html)
        if tag == "a"
    ]
    assert {link["href"] for link in links} == {
        "https://example.org/a",
        "https://example.org/paper",
    }
    for link in links:
        rel = link.get("rel", "").split()
        assert "nofollow" in rel and "ugc" in rel, link


def test_reply_mention_of_a_member_links_to_their_profile(thread, member, bob_api):
    response = bob_api.post(
        posts_url(thread),
        {"parent": thread.opening_post_id, "body": "Good point @alice, but @nobody agrees"},
        format="json",
    )

    assert response.status_code == 201
    html = Post.objects.get(pk=response.data["id"]).body_html
    links = [attrs for tag, attrs in tags_of(html) if tag == "a"]
    assert [link["href"] for link in links] == ["/u/alice/"]
    assert ">@alice</a>" in html
    assert "@nobody" in html  # no such member: plain text


# --- one post ------------------------------------------------------------------------------


def test_post_detail(api, thread):
    response = api.get(post_url(thread.opening_post))

    assert response.status_code == 200
    assert response.data["id"] == thread.opening_post_id
    assert response.data["body"] == "Opening post"
    assert response.data["author"] == "alice"


def test_post_detail_of_unknown_post_is_404(api, thread):
    assert api.get(f"/api/posts/{thread.opening_post_id + 1000}/").status_code == 404


def test_patch_own_post_changes_body_and_keeps_a_revision(thread, other_member, bob_api):
    reply = make_reply(thread.opening_post, author=other_member, body="first draft")
    assert reply.edited is None

    response = bob_api.patch(post_url(reply), {"body": "second **draft**"}, format="json")

    assert response.status_code == 200
    assert response.data["body_html"] == "<p>second <strong>draft</strong></p>\n"
    assert response.data["edited"] is not None
    reply.refresh_from_db()
    assert reply.body == "second **draft**"
    assert reply.body_html == "<p>second <strong>draft</strong></p>\n"
    assert reply.edited is not None
    revisions = list(PostRevision.objects.filter(post=reply))
    assert [revision.body for revision in revisions] == ["first draft"]
    assert revisions[0].written == reply.created


def test_patch_by_another_member_is_forbidden_and_changes_nothing(thread, bob_api):
    op = thread.opening_post  # alice's

    response = bob_api.patch(post_url(op), {"body": "bob was here"}, format="json")

    assert response.status_code == 403
    op.refresh_from_db()
    assert op.body == "Opening post"
    assert op.edited is None
    assert not PostRevision.objects.filter(post=op).exists()


def test_patch_anonymous_is_401_and_changes_nothing(api, thread):
    op = thread.opening_post

    response = api.patch(post_url(op), {"body": "anonymous edit"}, format="json")

    assert response.status_code == 401
    op.refresh_from_db()
    assert op.body == "Opening post"
    assert not PostRevision.objects.exists()


def test_patch_with_empty_body_is_400_and_changes_nothing(thread, alice_api):
    op = thread.opening_post

    response = alice_api.patch(post_url(op), {"body": "   "}, format="json")

    assert response.status_code == 400
    op.refresh_from_db()
    assert op.body == "Opening post"
    assert not PostRevision.objects.exists()


def test_patch_in_a_locked_thread_is_403_and_changes_nothing(thread, alice_api):
    thread.locked = True
    thread.save()
    op = thread.opening_post

    response = alice_api.patch(post_url(op), {"body": "sneaky edit"}, format="json")

    assert response.status_code == 403
    assert "locked" in str(response.data["detail"])
    op.refresh_from_db()
    assert op.body == "Opening post"
    assert not PostRevision.objects.exists()


def test_put_is_not_allowed(thread, alice_api):
    op = thread.opening_post

    response = alice_api.put(post_url(op), {"body": "replaced"}, format="json")

    assert response.status_code == 405
    op.refresh_from_db()
    assert op.body == "Opening post"
    assert not PostRevision.objects.exists()


def test_delete_own_post_leaves_a_tombstone_and_its_replies(
    thread, member, other_member, alice_api
):
    mine = make_reply(thread.opening_post, author=member, body="mine")
    answer = make_reply(mine, author=other_member, body="an answer")
    deeper = make_reply(answer, author=member, body="deeper")

    response = alice_api.delete(post_url(mine))

    assert response.status_code == 200
    assert response.data["state"] == "deleted"
    assert response.data["body"] == ""
    assert response.data["body_html"] == ""
    mine.refresh_from_db()
    assert mine.state == Post.State.DELETED
    answer.refresh_from_db()
    deeper.refresh_from_db()
    assert answer.parent_id == mine.pk and answer.state == Post.State.VISIBLE
    assert deeper.parent_id == answer.pk and deeper.state == Post.State.VISIBLE
    assert Post.objects.filter(thread=thread).count() == 4
    # the tree order still shows the tombstone where it was, followed by its replies
    listed = APIClient().get(posts_url(thread)).data["results"]
    assert [item["id"] for item in listed] == depth_first(thread)


def test_delete_by_another_member_is_forbidden_and_changes_nothing(thread, member, bob_api):
    mine = make_reply(thread.opening_post, author=member, body="mine")

    response = bob_api.delete(post_url(mine))

    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.state == Post.State.VISIBLE
    assert mine.body == "mine"


def test_delete_anonymous_is_401_and_changes_nothing(api, thread, member):
    mine = make_reply(thread.opening_post, author=member)

    assert api.delete(post_url(mine)).status_code == 401
    mine.refresh_from_db()
    assert mine.state == Post.State.VISIBLE


def test_delete_twice_is_400(thread, member, alice_api):
    mine = make_reply(thread.opening_post, author=member)
    assert alice_api.delete(post_url(mine)).status_code == 200

    response = alice_api.delete(post_url(mine))

    assert response.status_code == 400
    assert "already deleted" in str(response.data["detail"])
    mine.refresh_from_db()
    assert mine.state == Post.State.DELETED


def test_delete_of_the_opening_post_is_400_and_changes_nothing(thread, alice_api):
    op = thread.opening_post

    response = alice_api.delete(post_url(op))

    assert response.status_code == 400
    assert "opening post" in str(response.data["detail"])
    op.refresh_from_db()
    assert op.state == Post.State.VISIBLE


# --- schema and tokens ---------------------------------------------------------------------


def test_schema_is_an_openapi_3_document_listing_every_endpoint(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert str(schema["openapi"]).startswith("3.")
    paths = schema["paths"]
    expected = {
        "/api/topics/": {"get"},
        "/api/topics/{slug}/": {"get"},
        "/api/topics/{slug}/threads/": {"get", "post"},
        "/api/threads/{id}/": {"get"},
        "/api/threads/{id}/posts/": {"get", "post"},
        "/api/posts/{id}/": {"get", "patch", "delete"},
        "/api/auth/token/": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, f"{path} missing from {sorted(paths)}"
        assert methods <= set(paths[path]), (path, sorted(paths[path]))
    assert "put" not in paths["/api/posts/{id}/"]


def test_schema_is_also_served_as_json(api):
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/threads/{id}/posts/" in response.json()["paths"]


def test_token_from_the_token_endpoint_authenticates_a_reply(thread, other_member):
    response = APIClient().post(
        "/api/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key = response.data["token"]
    assert Token.objects.get(user=other_member).key == key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        posts_url(thread),
        {"parent": thread.opening_post_id, "body": "With my token"},
        format="json",
    )

    assert response.status_code == 201
    assert Post.objects.get(pk=response.data["id"]).author == other_member


def test_token_endpoint_refuses_a_wrong_password(other_member):
    response = APIClient().post(
        "/api/auth/token/", {"username": "bob", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.data
    assert not Token.objects.exists()


def test_token_endpoint_refuses_an_inactive_member(other_member):
    other_member.is_active = False
    other_member.save()

    response = APIClient().post(
        "/api/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert not Token.objects.exists()


def test_token_of_a_deactivated_member_no_longer_authenticates(thread, other_member, bob_api):
    other_member.is_active = False
    other_member.save()

    response = bob_api.post(
        posts_url(thread), {"parent": thread.opening_post_id, "body": "Still here?"}, format="json"
    )

    assert response.status_code == 401
    assert Post.objects.filter(thread=thread).count() == 1


# --- the response on edit, opening-post tags, starting a thread ----------------------------


def threads_url(slug: str) -> str:
    return f"/api/topics/{slug}/threads/"


def claim_tags(post: Post) -> dict[str, str]:
    return {tag.claim.text: tag.stance for tag in post.tags.select_related("claim")}


def test_patch_changes_the_response_alone_and_marks_the_map_dirty(thread, member, alice_api):
    parent = make_reply(thread.opening_post, tags=[TagInput("Fair use", "supports")])
    mine = make_reply(parent, author=member, body="mine", response="agree")
    before = MapDirtyMark.objects.count()

    response = alice_api.patch(post_url(mine), {"response": "disagree"}, format="json")

    assert response.status_code == 200 and response.data["response"] == "disagree"
    mine.refresh_from_db()
    assert (mine.response, mine.body, mine.edited) == ("disagree", "mine", None)
    assert MapDirtyMark.objects.count() == before + 1


def test_patch_changes_body_tags_and_response_together(thread, member, alice_api):
    mine = make_reply(thread.opening_post, author=member, body="mine")

    response = alice_api.patch(
        post_url(mine),
        {"body": "new", "response": "agree", "tags": [{"claim": "Fair use", "stance": "opposes"}]},
        format="json",
    )

    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.body, mine.response, claim_tags(mine)) == ("new", "agree", {"Fair use": "opposes"})


@pytest.mark.parametrize(
    "change, message",
    [({"response": "maybe"}, "not a valid choice"), ({"response": None}, "may not be null")],
)
def test_patch_with_a_bad_response_is_400_and_changes_nothing(
    thread, member, alice_api, change, message
):
    mine = make_reply(thread.opening_post, author=member, response="agree")

    response = alice_api.patch(post_url(mine), change, format="json")

    assert response.status_code == 400 and message in str(response.data["response"])
    mine.refresh_from_db()
    assert mine.response == "agree"


def test_patch_of_a_response_by_another_member_is_403_and_changes_nothing(thread, bob_api):
    mine = make_reply(thread.opening_post, author=thread.author, response="agree")

    assert bob_api.patch(post_url(mine), {"response": "disagree"}, format="json").status_code == 403
    mine.refresh_from_db()
    assert mine.response == "agree"


def test_patch_of_the_opening_posts_response_is_400_and_changes_nothing(thread, alice_api):
    op = thread.opening_post

    response = alice_api.patch(
        post_url(op), {"body": "changed", "response": "agree"}, format="json"
    )

    assert response.status_code == 400
    assert "The opening post answers no post" in str(response.data["detail"])
    op.refresh_from_db()
    assert (op.body, op.response) == ("Opening post", "neutral")


def test_patch_tags_the_opening_post(thread, member, alice_api):
    op = thread.opening_post
    fair_use, _ = claim_create(topic=thread.topic, author=member, text="Fair use")

    response = alice_api.patch(
        post_url(op),
        {
            "tags": [
                {"claim": fair_use.pk, "stance": "supports"},
                {"claim": "Copies", "stance": "opposes"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    assert [(tag["claim_text"], tag["stance"]) for tag in response.data["tags"]] == [
        ("Fair use", "supports"),
        ("Copies", "opposes"),
    ]
    assert claim_tags(op) == {"Fair use": "supports", "Copies": "opposes"}
    assert MapDirtyMark.objects.filter(topic=thread.topic).exists()


def test_post_a_thread_with_tags_is_201(topic, member, alice_api):
    fair_use, _ = claim_create(topic=topic, author=member, text="Fair use")

    response = alice_api.post(
        threads_url(topic.slug),
        {
            "title": "Is it fair?",
            "body": "It *is*.",
            "tags": [
                {"claim": fair_use.pk, "stance": "supports"},
                {"claim": "Copies", "stance": "opposes"},
            ],
        },
        format="json",
    )

    assert response.status_code == 201
    thread = Thread.objects.get(pk=response.data["id"])
    assert (response.data["title"], response.data["author"], response.data["topic"]) == (
        "Is it fair?",
        "alice",
        "ai-art",
    )
    assert response.data["opening_post"] == thread.opening_post_id
    assert thread.opening_post.body_html == "<p>It <em>is</em>.</p>\n"
    assert claim_tags(thread.opening_post) == {"Fair use": "supports", "Copies": "opposes"}
    assert MapDirtyMark.objects.filter(topic=topic).exists()


def test_post_a_thread_without_tags_is_201(topic, alice_api):
    response = alice_api.post(threads_url(topic.slug), {"title": "t", "body": "b"}, format="json")

    assert response.status_code == 201
    assert not Thread.objects.get().opening_post.tags.exists()
    assert not MapDirtyMark.objects.exists()


@pytest.mark.parametrize(
    "payload, message",
    [
        (
            {"title": "t", "body": "b", "tags": [{"claim": 987_654, "stance": "supports"}]},
            "no claim",
        ),
        ({"title": "t", "body": "b", "tags": [{"claim": "x", "stance": "maybe"}]}, "not a valid"),
        ({"title": "t", "body": "b", "tags": "Fair use"}, "list"),
        ({"title": "", "body": "b"}, "blank"),
        ({"title": "t", "body": "   "}, "blank"),
        ({"title": "t"}, "required"),
    ],
)
def test_post_a_thread_with_bad_input_is_400_and_creates_nothing(
    topic, alice_api, payload, message
):
    response = alice_api.post(threads_url(topic.slug), payload, format="json")

    assert response.status_code == 400 and message in str(response.data)
    assert not Thread.objects.exists() and not Post.objects.exists()
    assert not Claim.objects.exists() and not MapDirtyMark.objects.exists()


def test_post_a_thread_with_another_topics_claim_is_400_and_creates_nothing(
    topic, member, alice_api
):
    foreign, _ = claim_create(topic=TopicFactory(), author=member, text="Elsewhere")
    tags = [{"claim": "New here", "stance": "supports"}, {"claim": foreign.pk, "stance": "opposes"}]

    response = alice_api.post(
        threads_url(topic.slug), {"title": "t", "body": "b", "tags": tags}, format="json"
    )

    assert response.status_code == 400 and "another topic" in str(response.data["detail"])
    assert not Thread.objects.exists() and not ClaimTag.objects.exists()
    assert list(Claim.objects.values_list("text", flat=True)) == ["Elsewhere"]


def test_post_a_thread_anonymous_is_401_and_in_an_unknown_topic_404(api, topic, alice_api):
    assert (
        api.post(threads_url(topic.slug), {"title": "t", "body": "b"}, format="json").status_code
        == 401
    )
    assert (
        alice_api.post(
            threads_url("no-such-topic"), {"title": "t", "body": "b"}, format="json"
        ).status_code
        == 404
    )
    assert not Thread.objects.exists()
