"""Who may do what: every write view and endpoint × anonymous, a member, another member, a
moderator and a deactivated user (a former moderator, still logged in), over HTML and the API.

A refused request answers with the login page (HTML, nobody logged in), 401 (API, no valid
credentials) or 403, and changes nothing; an allowed one does what it says. Then CSRF, and
which readers see the moderators' names in the log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts.models import User
from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.merge import claim_merge
from apps.claims.services.tags import TagInput
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.post_state import post_remove
from apps.forum.services.posting import reply_create
from apps.forum.services.threads import thread_set_locked
from apps.forum.services.topics import topic_archive
from apps.moderation.models import ClaimMerge, Report
from apps.moderation.reports import report_create
from apps.moderation.selectors import merge_preview
from apps.notifications.models import Notification, Preferences, Watch
from tests.factories import PASSWORD, TopicFactory, UserFactory, make_thread
from tests.security.conftest import TALLY
from tests.security.pages import api_client, browser, row_counts

pytestmark = pytest.mark.django_db

ANONYMOUS, MEMBER, OTHER, MODERATOR, INACTIVE = (
    "anonymous",
    "member",
    "other member",
    "moderator",
    "inactive user",
)
ACTORS = (ANONYMOUS, MEMBER, OTHER, MODERATOR, INACTIVE)
MEMBERS = frozenset({MEMBER, OTHER, MODERATOR})
NEW_PASSWORD = "A-new-pass-phrase-2024"


@dataclass
class World:
    users: dict[str, User]
    topic: Topic
    empty_topic: Topic
    thread: Thread
    post: Post  # the member's reply, tagged with `own`
    others_post: Post
    gone_post: Post  # written by the inactive user before deactivation
    removed_post: Post
    locked_post: Post  # the member's reply in a locked thread
    own: Claim  # endorsed by every user (the inactive one before deactivation)
    others: Claim
    merge: ClaimMerge  # `merged` into `kept`, by the moderator
    archived_post: Post  # the member's reply, tagged, in an archived topic
    archived_claim: Claim  # its claim
    report: Report  # the other member's open report of the member's post
    archived_report: Report  # the inactive user's, made before deactivation, of archived_post


@pytest.fixture
def world(db) -> World:
    moderators = Group.objects.get(name="moderators")
    users = {
        MEMBER: UserFactory(username="perm_member"),
        OTHER: UserFactory(username="perm_other"),
        MODERATOR: UserFactory(username="perm_moderator"),
        INACTIVE: UserFactory(username="perm_gone"),
    }
    users[MODERATOR].groups.add(moderators)
    users[INACTIVE].groups.add(moderators)
    member, other, mod = users[MEMBER], users[OTHER], users[MODERATOR]
    topic = TopicFactory(slug="perms", title="Permissions")
    thread = make_thread(topic=topic, author=member, title="Whose posts?")
    opening = thread.opening_post
    post = reply_create(
        parent=opening, author=member, body="Mine", tags=[TagInput("Models copy art", "supports")]
    )
    others_post = reply_create(
        parent=opening, author=other, body="Theirs", tags=[TagInput("Models learn", "opposes")]
    )
    gone_post = reply_create(parent=opening, author=users[INACTIVE], body="Gone")
    removed_post = reply_create(parent=opening, author=other, body="Spam")
    post_remove(post=removed_post, moderator=mod, reason="spam")
    locked = make_thread(topic=topic, author=member, title="Locked")
    locked_post = reply_create(parent=locked.opening_post, author=member, body="Frozen")
    thread_set_locked(thread=locked, moderator=mod, locked=True, reason="heated")
    reply_create(
        parent=opening, author=other, body="Two claims",
        tags=[TagInput("Kept claim", "supports"), TagInput("Merged claim", "supports")],
    )  # fmt: skip
    kept, merged = (Claim.objects.get(text=text) for text in ("Kept claim", "Merged claim"))
    merge = claim_merge(target=kept, sources=[merged], moderator=mod, reason="same")
    own = Claim.objects.get(text="Models copy art")
    for user in users.values():
        endorsement_set(claim=own, member=user, stance="supports")
    archived = make_thread(topic=TopicFactory(slug="perms-archived"), author=member)
    archived_post = reply_create(
        parent=archived.opening_post, author=member, body="Frozen",
        tags=[TagInput("Archived claim", "supports")],
    )  # fmt: skip
    topic_archive(topic=archived.topic, moderator=mod, archived=True, reason="settled")
    archived_post = Post.objects.select_related("thread__topic").get(pk=archived_post.pk)
    Notification.objects.create(user=mod, text="Something for the moderator to mark read")
    Watch.objects.filter(thread=thread).delete()  # so that watching it changes a row
    report = report_create(reporter=other, post=post, reason="Spam")
    archived_report = report_create(reporter=users[INACTIVE], post=archived_post, reason="Old")
    users[INACTIVE].is_active = False
    users[INACTIVE].save()
    return World(
        users=users, topic=topic, empty_topic=TopicFactory(slug="perms-empty"), thread=thread,
        post=post, others_post=others_post, gone_post=gone_post, removed_post=removed_post,
        locked_post=locked_post, own=own,
        others=Claim.objects.get(text="Models learn"), merge=merge, report=report,
        archived_post=archived_post, archived_claim=Claim.objects.get(text="Archived claim"),
        archived_report=archived_report,
    )  # fmt: skip


def state() -> dict:
    """Everything a write in this file could change."""
    return {
        "rows": row_counts(),
        "topics": list(Topic.objects.order_by("pk").values_list("pk", "slug", "title", "archived")),
        "threads": list(Thread.objects.order_by("pk").values_list("pk", "title", "locked")),
        "posts": list(
            Post.objects.order_by("pk").values_list("pk", "body", "state", "removal_reason")
        ),
        "tags": list(ClaimTag.objects.order_by("pk").values_list("post", "claim", "stance")),
        "claims": list(Claim.objects.order_by("pk").values_list("pk", "status", "merged_into")),
        "endorsements": list(
            Endorsement.objects.order_by("pk").values_list("claim", "user", "stance")
        ),
        "merges": list(ClaimMerge.objects.order_by("pk").values_list("pk", "undone_at")),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "password", "is_active", "bio")
        ),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read")),
        "watches": list(Watch.objects.order_by("pk").values_list("user", "thread")),
        "preferences": list(Preferences.objects.order_by("pk").values_list("user", "email")),
        "reports": list(Report.objects.order_by("pk").values_list("pk", "state")),
    }


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict] | None = None
    allowed: frozenset = frozenset()
    api: bool = False
    writes: bool = True  # an allowed request changes something (pages only read)
    answer: int | None = None  # the status an allowed actor gets, when not the usual success

    @property
    def id(self) -> str:
        return f"{'api' if self.api else 'html'} {self.name}"


def _merge_url(w: World) -> str:
    query = urlencode({"target": w.own.pk, "sources": w.others.pk})
    return reverse("moderation:merge", args=[w.topic.slug]) + "?" + query


def _merge_form(w: World) -> dict:
    fingerprint = merge_preview(target=w.own, sources=[w.others]).fingerprint
    return {"reason": "duplicates", "fingerprint": fingerprint}


ONLY_MODERATOR = frozenset({MODERATOR})
ONLY_MEMBER = frozenset({MEMBER})
AUTHOR_OR_MODERATOR = frozenset({MEMBER, MODERATOR})
NOT_THE_AUTHOR = frozenset({MEMBER, MODERATOR})  # of others_post, the other member's
NOBODY = frozenset()
TAG = {"claim_1": "A brand new claim", "stance_1": "opposes"}
API_TAG = {"tags": [{"claim": "A brand new claim", "stance": "opposes"}]}

HTML_ACTIONS = [
    Action("start a thread", "post", lambda w: reverse("forum:thread_create", args=[w.topic.slug]),
           lambda w: {"title": "New", "body": "Hello"}, MEMBERS),
    Action("reply", "post", lambda w: reverse("forum:reply", args=[w.thread.opening_post_id]),
           lambda w: {"body": "Reply", "response": "neutral"}, MEMBERS),
    Action("reply in a locked thread", "post",
           lambda w: reverse("forum:reply", args=[w.locked_post.pk]),
           lambda w: {"body": "Reply", "response": "neutral"}, NOBODY),
    Action("edit the member's post", "post", lambda w: reverse("forum:post_edit", args=[w.post.pk]),
           lambda w: {"body": "Edited"}, ONLY_MEMBER),
    Action("edit the inactive user's post", "post",
           lambda w: reverse("forum:post_edit", args=[w.gone_post.pk]),
           lambda w: {"body": "Edited"}, NOBODY),
    Action("edit own post in a locked thread", "post",
           lambda w: reverse("forum:post_edit", args=[w.locked_post.pk]),
           lambda w: {"body": "Edited"}, NOBODY),
    Action("edit the member's post, leaving it empty", "post",
           lambda w: reverse("forum:post_edit", args=[w.post.pk]), lambda w: {"body": " "},
           ONLY_MEMBER, writes=False, answer=200),
    Action("delete the member's post", "post",
           lambda w: reverse("forum:post_delete", args=[w.post.pk]), lambda w: {}, ONLY_MEMBER),
    Action("change the member's tags", "post",
           lambda w: reverse("claims:post_tags", args=[w.post.pk]), lambda w: TAG,
           AUTHOR_OR_MODERATOR),
    Action("change the member's tags to an overlong claim", "post",
           lambda w: reverse("claims:post_tags", args=[w.post.pk]),
           lambda w: {"claim_1": "x" * 201, "stance_1": "supports"}, AUTHOR_OR_MODERATOR,
           writes=False, answer=200),
    Action("change tags in a locked thread", "post",
           lambda w: reverse("claims:post_tags", args=[w.locked_post.pk]), lambda w: TAG,
           ONLY_MODERATOR),
    Action("see the edit form of own post in a locked thread", "get",
           lambda w: reverse("forum:post_edit", args=[w.locked_post.pk]), None, NOBODY,
           writes=False),
    Action("see the member's tags form", "get",
           lambda w: reverse("claims:post_tags", args=[w.post.pk]), None, AUTHOR_OR_MODERATOR,
           writes=False),
    Action("see the tags form in a locked thread", "get",
           lambda w: reverse("claims:post_tags", args=[w.locked_post.pk]), None, ONLY_MODERATOR,
           writes=False),
    Action("remove a post", "post", lambda w: reverse("moderation:remove", args=[w.others_post.pk]),
           lambda w: {"reason": "off topic"}, ONLY_MODERATOR),
    Action("restore a post", "post",
           lambda w: reverse("moderation:restore", args=[w.removed_post.pk]),
           lambda w: {"reason": "appeal"}, ONLY_MODERATOR),
    Action("lock a thread", "post", lambda w: reverse("moderation:lock", args=[w.thread.pk]),
           lambda w: {"reason": "heated"}, ONLY_MODERATOR),
    Action("delete a thread", "post",
           lambda w: reverse("moderation:delete_thread", args=[w.thread.pk]),
           lambda w: {"reason": "spam"}, ONLY_MODERATOR),
    Action("delete a topic", "post",
           lambda w: reverse("moderation:delete_topic", args=[w.empty_topic.slug]),
           lambda w: {"reason": "unused"}, ONLY_MODERATOR),
    Action("see a merge preview", "get", _merge_url, None, ONLY_MODERATOR, writes=False),
    Action("merge claims", "post", _merge_url, _merge_form, ONLY_MODERATOR),
    Action("undo a merge", "post", lambda w: reverse("moderation:undo", args=[w.merge.pk]),
           lambda w: {"reason": "not the same"}, ONLY_MODERATOR),
    Action("see the duplicate queue", "get",
           lambda w: reverse("moderation:duplicates", args=[w.topic.slug]), None, ONLY_MODERATOR,
           writes=False),
    Action("dismiss a duplicate pair", "post",
           lambda w: reverse("moderation:dismiss", args=[w.topic.slug]),
           lambda w: {"first": w.own.pk, "second": w.others.pk}, ONLY_MODERATOR),
    Action("change own password", "post", lambda w: reverse("password_change"),
           lambda w: {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                      "new_password2": NEW_PASSWORD}, MEMBERS),
    Action("read notifications", "get", lambda w: reverse("notifications:list"), None,
           MEMBERS, writes=False),
    Action("mark all notifications read", "post", lambda w: reverse("notifications:read"),
           lambda w: {"all": "1"}, MEMBERS),
    Action("watch a thread", "post", lambda w: reverse("notifications:watch", args=[w.thread.pk]),
           lambda w: {"watch": "1"}, MEMBERS),
    Action("see the settings", "get", lambda w: reverse("notifications:settings"), None,
           MEMBERS, writes=False),
    Action("change the settings", "post", lambda w: reverse("notifications:settings"),
           lambda w: {"email_address": "new@example.org", "email": "daily"}, MEMBERS),
    Action("endorse a claim", "post", lambda w: reverse("claims:endorse", args=[w.others.pk]),
           lambda w: {"stance": "opposes"}, MEMBERS),
    Action("withdraw an endorsement", "post",
           lambda w: reverse("claims:endorse", args=[w.own.pk]), lambda w: {"stance": "withdraw"},
           MEMBERS),
    Action("create a topic", "post", lambda w: reverse("forum:topic_create"),
           lambda w: {"title": "A fresh topic"}, ONLY_MODERATOR),
    Action("edit a topic", "post", lambda w: reverse("forum:topic_edit", args=[w.topic.slug]),
           lambda w: {"title": "Renamed", "description": ""}, ONLY_MODERATOR),
    Action("archive a topic", "post",
           lambda w: reverse("forum:topic_archive", args=[w.empty_topic.slug]),
           lambda w: {"reason": "done"}, ONLY_MODERATOR),
    Action("unarchive a topic", "post",
           lambda w: reverse("forum:topic_archive", args=[w.archived_post.thread.topic.slug]),
           lambda w: {"reason": "reopened"}, ONLY_MODERATOR),
    Action("start a thread in an archived topic", "post",
           lambda w: reverse("forum:thread_create", args=[w.archived_post.thread.topic.slug]),
           lambda w: {"title": "New", "body": "Hello"}, NOBODY),
    Action("reply in an archived topic", "post",
           lambda w: reverse("forum:reply", args=[w.archived_post.pk]),
           lambda w: {"body": "Reply", "response": "neutral"}, NOBODY),
    Action("edit own post in an archived topic", "post",
           lambda w: reverse("forum:post_edit", args=[w.archived_post.pk]),
           lambda w: {"body": "Edited"}, NOBODY),
    Action("change tags in an archived topic", "post",
           lambda w: reverse("claims:post_tags", args=[w.archived_post.pk]), lambda w: TAG,
           NOBODY),
    Action("endorse a claim in an archived topic", "post",
           lambda w: reverse("claims:endorse", args=[w.archived_claim.pk]),
           lambda w: {"stance": "opposes"}, NOBODY),
    Action("edit own bio", "post", lambda w: reverse("accounts:bio"),
           lambda w: {"bio": "About me"}, MEMBERS),
    Action("report a post", "post",
           lambda w: reverse("moderation:report_post", args=[w.others_post.pk]),
           lambda w: {"reason": "Spam"}, NOT_THE_AUTHOR),
    Action("report a claim", "post", lambda w: reverse("moderation:report_claim", args=[w.own.pk]),
           lambda w: {"reason": "Vague"}, MEMBERS),
    Action("see the report queue", "get", lambda w: reverse("moderation:reports_all"), None,
           ONLY_MODERATOR, writes=False),
    Action("resolve a report", "post", lambda w: reverse("moderation:resolve", args=[w.report.pk]),
           lambda w: {"action": "dismiss"}, ONLY_MODERATOR),
    Action("report a post in an archived topic", "post",
           lambda w: reverse("moderation:report_post", args=[w.archived_post.pk]),
           lambda w: {"reason": "Spam"}, MEMBERS - ONLY_MEMBER),
    Action("remove a reported post in an archived topic", "post",
           lambda w: reverse("moderation:resolve", args=[w.archived_report.pk]),
           lambda w: {"action": "remove", "note": "spam"}, NOBODY),
]  # fmt: skip
API_ACTIONS = [
    Action("reply", "post", lambda w: f"/api/threads/{w.thread.pk}/posts/",
           lambda w: {"parent": w.thread.opening_post_id, "body": "Reply"}, MEMBERS, api=True),
    Action("reply in a locked thread", "post",
           lambda w: f"/api/threads/{w.locked_post.thread_id}/posts/",
           lambda w: {"parent": w.locked_post.pk, "body": "Reply"}, NOBODY, api=True),
    Action("edit the member's post", "patch", lambda w: f"/api/posts/{w.post.pk}/",
           lambda w: {"body": "Edited"}, ONLY_MEMBER, api=True),
    Action("edit the inactive user's post", "patch", lambda w: f"/api/posts/{w.gone_post.pk}/",
           lambda w: {"body": "Edited"}, NOBODY, api=True),
    Action("edit own post in a locked thread", "patch",
           lambda w: f"/api/posts/{w.locked_post.pk}/", lambda w: {"body": "Edited"}, NOBODY,
           api=True),
    Action("change the member's tags", "patch", lambda w: f"/api/posts/{w.post.pk}/",
           lambda w: API_TAG, AUTHOR_OR_MODERATOR, api=True),
    Action("change tags in a locked thread", "patch", lambda w: f"/api/posts/{w.locked_post.pk}/",
           lambda w: API_TAG, ONLY_MODERATOR, api=True),
    Action("edit body and tags together", "patch", lambda w: f"/api/posts/{w.post.pk}/",
           lambda w: {"body": "Edited", **API_TAG}, ONLY_MEMBER, api=True),
    Action("delete the member's post", "delete", lambda w: f"/api/posts/{w.post.pk}/", None,
           ONLY_MEMBER, api=True),
    Action("create a claim", "post", lambda w: f"/api/topics/{w.topic.slug}/claims/",
           lambda w: {"text": "A brand new claim"}, MEMBERS, api=True),
    Action("merge claims", "post", lambda w: f"/api/topics/{w.topic.slug}/merges/",
           lambda w: {"target": w.own.pk, "sources": [w.others.pk], "reason": "same"},
           ONLY_MODERATOR, api=True),
    Action("undo a merge", "post", lambda w: f"/api/merges/{w.merge.pk}/undo/",
           lambda w: {"reason": "not the same"}, ONLY_MODERATOR, api=True),
    Action("see the duplicate queue", "get", lambda w: f"/api/topics/{w.topic.slug}/duplicates/",
           None, ONLY_MODERATOR, api=True, writes=False),
    Action("endorse a claim", "put", lambda w: f"/api/claims/{w.others.pk}/endorsement/",
           lambda w: {"stance": "opposes"}, MEMBERS, api=True),
    Action("change an endorsement", "put", lambda w: f"/api/claims/{w.own.pk}/endorsement/",
           lambda w: {"stance": "opposes"}, MEMBERS, api=True),
    Action("withdraw an endorsement", "delete",
           lambda w: f"/api/claims/{w.own.pk}/endorsement/", None, MEMBERS, api=True, answer=204),
    Action("read own endorsement", "get", lambda w: f"/api/claims/{w.own.pk}/endorsement/", None,
           MEMBERS, api=True, writes=False),
    Action("create a topic", "post", lambda w: "/api/topics/",
           lambda w: {"title": "A fresh topic"}, ONLY_MODERATOR, api=True),
    Action("edit a topic", "patch", lambda w: f"/api/topics/{w.topic.slug}/",
           lambda w: {"title": "Renamed"}, ONLY_MODERATOR, api=True),
    Action("archive a topic", "patch", lambda w: f"/api/topics/{w.empty_topic.slug}/",
           lambda w: {"archived": True, "reason": "done"}, ONLY_MODERATOR, api=True),
    Action("reply in an archived topic", "post",
           lambda w: f"/api/threads/{w.archived_post.thread_id}/posts/",
           lambda w: {"parent": w.archived_post.pk, "body": "Reply"}, NOBODY, api=True),
    Action("edit own post in an archived topic", "patch",
           lambda w: f"/api/posts/{w.archived_post.pk}/", lambda w: {"body": "Edited"}, NOBODY,
           api=True),
    Action("change tags in an archived topic", "patch",
           lambda w: f"/api/posts/{w.archived_post.pk}/", lambda w: API_TAG, NOBODY, api=True),
    Action("create a claim in an archived topic", "post",
           lambda w: f"/api/topics/{w.archived_post.thread.topic.slug}/claims/",
           lambda w: {"text": "A brand new claim"}, NOBODY, api=True),
    Action("endorse a claim in an archived topic", "put",
           lambda w: f"/api/claims/{w.archived_claim.pk}/endorsement/",
           lambda w: {"stance": "opposes"}, NOBODY, api=True),
    Action("edit own bio", "patch", lambda w: "/api/members/me/", lambda w: {"bio": "About me"},
           MEMBERS, api=True),
    Action("read own profile", "get", lambda w: "/api/members/me/", None, MEMBERS, api=True,
           writes=False),
    Action("read own notifications", "get", lambda w: "/api/notifications/", None, MEMBERS,
           api=True, writes=False),
    Action("mark all notifications read", "post", lambda w: "/api/notifications/read/",
           lambda w: {"all": True}, MEMBERS, api=True),
    Action("watch a thread", "put", lambda w: f"/api/threads/{w.thread.pk}/watch/", None,
           MEMBERS, api=True),
    Action("stop watching a thread", "delete",
           lambda w: f"/api/threads/{w.locked_post.thread_id}/watch/", None, MEMBERS, api=True,
           writes=False, answer=204),
    Action("report a post", "post", lambda w: f"/api/posts/{w.others_post.pk}/reports/",
           lambda w: {"reason": "Spam"}, NOT_THE_AUTHOR, api=True),
    Action("report a claim", "post", lambda w: f"/api/claims/{w.own.pk}/reports/",
           lambda w: {"reason": "Vague"}, MEMBERS, api=True),
    Action("list reports", "get", lambda w: "/api/reports/", None, ONLY_MODERATOR, api=True,
           writes=False),
    Action("resolve a report", "post", lambda w: f"/api/reports/{w.report.pk}/resolve/",
           lambda w: {"action": "remove", "note": "spam"}, ONLY_MODERATOR, api=True),
    Action("report a post in an archived topic", "post",
           lambda w: f"/api/posts/{w.archived_post.pk}/reports/", lambda w: {"reason": "Spam"},
           MEMBERS - ONLY_MEMBER, api=True),
    Action("remove a reported post in an archived topic", "post",
           lambda w: f"/api/reports/{w.archived_report.pk}/resolve/",
           lambda w: {"action": "remove", "note": "spam"}, NOBODY, api=True),
]  # fmt: skip
ACTIONS = HTML_ACTIONS + API_ACTIONS
CASES = [(action, actor) for action in ACTIONS for actor in ACTORS]


def send(action: Action, world: World, client):
    data = action.data(world) if action.data else None
    if action.api:
        return getattr(client, action.method)(action.url(world), data, format="json")
    return getattr(client, action.method)(action.url(world), data)


def client_for(action: Action, actor: str, world: World, **kwargs):
    user = world.users.get(actor)
    return api_client(user) if action.api else browser(user, **kwargs)


def refusal(action: Action, actor: str) -> int:
    """How a refused request must answer."""
    if actor in (ANONYMOUS, INACTIVE):
        return 401 if action.api else 302  # to the login page
    return 403


@pytest.mark.parametrize(
    ("action", "actor"), CASES, ids=[f"{action.id} as {actor}" for action, actor in CASES]
)
def test_permission_matrix(world, action, actor):
    before = state()
    response = send(action, world, client_for(action, actor, world))
    after = state()
    TALLY["permission cases"] += 1
    assert response.status_code < 500, getattr(response, "exc_info", None)
    if actor in action.allowed:
        if action.answer:
            assert response.status_code == action.answer
        elif action.api:
            assert response.status_code in (200, 201), response.content[:300]
        elif action.method == "get":
            assert response.status_code == 200
        else:
            assert response.status_code == 302, response.content[:300]
            assert not response["Location"].startswith(reverse("login"))
        if action.writes:
            assert after != before, "an allowed request changed nothing"
        return
    assert response.status_code == refusal(action, actor), response.content[:300]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login") + "?next=")
    assert after == before, "a refused request changed something"


# --- CSRF ------------------------------------------------------------------------------


WITH_A_FORM = [
    action
    for action in HTML_ACTIONS
    if action.method == "post" and action.allowed and action.answer is None
]


def _allowed_actor(action: Action) -> str:
    return MEMBER if MEMBER in action.allowed else MODERATOR


@pytest.mark.parametrize("action", WITH_A_FORM, ids=[action.id for action in WITH_A_FORM])
def test_a_form_post_without_the_csrf_token_is_refused(world, action):
    actor = _allowed_actor(action)
    before = state()
    client = client_for(action, actor, world, enforce_csrf_checks=True)
    response = send(action, world, client)
    TALLY["CSRF cases"] += 1
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("action", WITH_A_FORM[:3], ids=[a.id for a in WITH_A_FORM[:3]])
def test_the_same_post_with_the_token_goes_through(world, action):
    """The refusal above is the missing token's doing, not the setup's."""
    client = client_for(action, _allowed_actor(action), world, enforce_csrf_checks=True)
    page = client.get(action.url(world))
    token = page.context["csrf_token"]
    before = state()
    response = client.post(
        action.url(world), {**action.data(world), "csrfmiddlewaretoken": str(token)}
    )
    TALLY["CSRF cases"] += 1
    assert response.status_code == 302
    assert state() != before


def test_logout_without_the_csrf_token_keeps_the_session(world):
    client = browser(world.users[MEMBER], enforce_csrf_checks=True)
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("notifications:list")).status_code == 200
    client = browser(world.users[MEMBER])
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("notifications:list")).status_code == 302
    TALLY["CSRF cases"] += 2


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_the_api_with_a_session_needs_the_csrf_token(world, method):
    """Session authentication is a browser's: without the token, DRF refuses the write."""
    client = api_client()
    client.enforce_csrf_checks = True
    client.handler.enforce_csrf_checks = True
    client.force_login(world.users[MEMBER])
    before = state()
    if method == "post":
        url = f"/api/threads/{world.thread.pk}/posts/"
        data = {"parent": world.thread.opening_post_id, "body": "x"}
    else:
        url, data = f"/api/posts/{world.post.pk}/", {"body": "x"}
    response = getattr(client, method)(url, data, format="json")
    TALLY["CSRF cases"] += 1
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert state() == before


# --- who sees the moderators' names -----------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_only_moderators_see_who_moderated(world, actor):
    moderator = world.users[MODERATOR].username
    user = world.users.get(actor)
    page = browser(user).get(reverse("moderation:log", args=[world.topic.slug]))
    api = api_client(user if actor != INACTIVE else None).get(
        f"/api/topics/{world.topic.slug}/modlog/"
    )
    TALLY["log visibility cases"] += 1
    assert page.status_code == api.status_code == 200
    names = {entry["moderator"] for entry in api.data["results"]}
    main = page.content.decode().partition('<main id="main">')[2]
    if actor == MODERATOR:
        assert names == {moderator}
        assert f">{moderator}</a>" in main
    else:
        assert names == {None}
        assert moderator not in main
    assert len(api.data["results"]) == 3  # the fixture's removal, lock and merge


def test_an_inactive_user_gets_no_token_and_a_stale_token_is_refused(world):
    gone = world.users[INACTIVE]
    response = api_client().post(
        "/api/auth/token/", {"username": gone.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    response = api_client(gone).get(f"/api/posts/{world.post.pk}/")
    assert response.status_code == 401
