"""The moderation pages: who may use them, and what a moderator sees and changes there."""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.merge import claim_merge
from apps.claims.services.tags import TagInput, post_tags_set
from apps.forum.models import Post, Thread
from apps.forum.services.post_state import post_delete, post_remove
from apps.forum.services.threads import thread_set_locked
from apps.forum.services.topics import topic_archive
from apps.maps.services import map_build
from apps.moderation import reports
from apps.moderation.models import ClaimMerge, DuplicateDismissal, ModerationAction, Report
from apps.moderation.selectors import state_fingerprint
from apps.notifications.models import Notification
from tests.factories import (
    PASSWORD,
    TopicFactory,
    UserFactory,
    make_moderator,
    make_reply,
    make_thread,
    tagged,
)

pytestmark = pytest.mark.django_db

COPIES = "Models store copies of their training images"
COPIES_AGAIN = "The models store copies of the training images"
FAIR_USE = "Training is fair use"


def client_of(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def claim(text: str) -> Claim:
    return Claim.objects.get(text=text)


def database_state() -> dict:
    """Everything a moderation page can change."""
    return {
        "claims": list(Claim.objects.order_by("pk").values_list("pk", "status", "merged_into")),
        "tags": list(ClaimTag.objects.order_by("pk").values_list("pk", "post", "claim", "stance")),
        "posts": list(
            Post.objects.order_by("pk").values_list("pk", "state", "removal_reason", "body")
        ),
        "threads": list(Thread.objects.order_by("pk").values_list("pk", "locked")),
        "merges": list(ClaimMerge.objects.order_by("pk").values_list("pk", "undone_at")),
        "dismissals": list(DuplicateDismissal.objects.values_list("first", "second")),
        "actions": ModerationAction.objects.count(),
        "notifications": Notification.objects.count(),
    }


def merge_url(topic, target: Claim, *sources: Claim) -> str:
    query = "&".join([f"target={target.pk}", *(f"sources={source.pk}" for source in sources)])
    return f"/moderation/topics/{topic.slug}/merge/?{query}"


def confirm_form(page: str) -> tuple[str, str]:
    """The merge form's action (relative, with the query string) and its fingerprint."""
    action = re.search(r'<form method="post" action="(\?[^"]*)" class="reply-form">', page)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page)
    assert action and fingerprint, "no confirm form on the page"
    return unescape(action.group(1)), fingerprint.group(1)


# The permission matrix ------------------------------------------------------------------


@pytest.fixture
def scene(thread, member, other_member, moderator):
    """One object for every moderation page to act on."""
    opening = thread.opening_post
    copies_post = tagged(opening, member, (COPIES, "supports"))
    tagged(copies_post, other_member, (COPIES_AGAIN, "supports"), response="agree")
    tagged(opening, member, ("Old claim", "supports"))
    tagged(opening, other_member, ("Old claim restated", "supports"))
    merge = claim_merge(
        target=claim("Old claim"),
        sources=[claim("Old claim restated")],
        moderator=moderator,
        reason="Same words",
    )
    visible = make_reply(opening, author=member, body="A visible reply")
    removed = make_reply(opening, author=member, body="A reply to remove")
    post_remove(post=removed, moderator=moderator, reason="Off topic")
    return SimpleNamespace(
        topic=thread.topic,
        thread=thread,
        target=claim(COPIES),
        source=claim(COPIES_AGAIN),
        merge=merge,
        visible=visible,
        removed=removed,
    )


def _merge_data(s):
    return {"reason": "Duplicates", "fingerprint": state_fingerprint([s.target.pk, s.source.pk])}


def _source_merged(s):
    s.source.refresh_from_db()
    return s.source.merged_into_id == s.target.pk


def _state_of(post):
    post.refresh_from_db()
    return post.state


# (name, method, url, data, what a moderator's POST changes)
PAGES = [
    ("duplicates", "get", lambda s: f"/moderation/topics/{s.topic.slug}/duplicates/", None, None),
    (
        "dismiss",
        "post",
        lambda s: f"/moderation/topics/{s.topic.slug}/duplicates/dismiss/",
        lambda s: {"first": s.target.pk, "second": s.source.pk},
        lambda s: DuplicateDismissal.objects.filter(first=s.target, second=s.source).exists(),
    ),
    ("merge form", "get", lambda s: f"/moderation/topics/{s.topic.slug}/merge/", None, None),
    ("merge preview", "get", lambda s: merge_url(s.topic, s.target, s.source), None, None),
    (
        "merge",
        "post",
        lambda s: merge_url(s.topic, s.target, s.source),
        _merge_data,
        _source_merged,
    ),
    ("undo form", "get", lambda s: f"/moderation/merges/{s.merge.pk}/undo/", None, None),
    (
        "undo",
        "post",
        lambda s: f"/moderation/merges/{s.merge.pk}/undo/",
        lambda s: {"reason": "Not the same"},
        lambda s: ClaimMerge.objects.get(pk=s.merge.pk).undone_at is not None,
    ),
    ("remove form", "get", lambda s: f"/moderation/posts/{s.visible.pk}/remove/", None, None),
    (
        "remove",
        "post",
        lambda s: f"/moderation/posts/{s.visible.pk}/remove/",
        lambda s: {"reason": "Spam"},
        lambda s: _state_of(s.visible) == Post.State.REMOVED,
    ),
    ("restore form", "get", lambda s: f"/moderation/posts/{s.removed.pk}/restore/", None, None),
    (
        "restore",
        "post",
        lambda s: f"/moderation/posts/{s.removed.pk}/restore/",
        lambda s: {"reason": "Appeal upheld"},
        lambda s: _state_of(s.removed) == Post.State.VISIBLE,
    ),
    ("lock form", "get", lambda s: f"/moderation/threads/{s.thread.pk}/lock/", None, None),
    (
        "lock",
        "post",
        lambda s: f"/moderation/threads/{s.thread.pk}/lock/",
        lambda s: {"reason": "Flame war"},
        lambda s: Thread.objects.get(pk=s.thread.pk).locked,
    ),
]
PAGE_IDS = [f"{method} {name}" for name, method, *_ in PAGES]


def request(client: Client, method: str, url: str, data):
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(scene, page):
    _, method, url, data, _ = page
    before = database_state()
    response = request(Client(), method, url(scene), data and data(scene))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/moderation/")
    assert database_state() == before


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_members_get_403_and_change_nothing(scene, logged_in, page):
    _, method, url, data, _ = page
    before = database_state()
    response = request(logged_in, method, url(scene), data and data(scene))
    assert response.status_code == 403
    assert "Only moderators can" in response.content.decode()
    assert database_state() == before


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_an_inactive_moderator_cannot_log_in_nor_use_an_old_session(scene, page):
    _, method, url, data, _ = page
    retired = make_moderator("retired", is_active=False)
    client = Client()
    assert client.login(username="retired", password=PASSWORD) is False
    client.force_login(retired)  # a session from before the account was deactivated
    before = database_state()
    response = request(client, method, url(scene), data and data(scene))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert database_state() == before


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_moderators_can_use_every_moderation_page(scene, mod_client, page):
    _, method, url, data, changed = page
    before = database_state()
    response = request(mod_client, method, url(scene), data and data(scene))
    if method == "get":
        assert response.status_code == 200
        assert database_state() == before
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert changed(scene)


# The duplicate queue --------------------------------------------------------------------


@pytest.fixture
def near_identical(topic, member):
    first, _ = claim_create(topic=topic, author=member, text=COPIES)
    second, _ = claim_create(topic=topic, author=member, text=COPIES_AGAIN)
    return first, second


def test_the_queue_lists_near_identical_claims_with_a_merge_link_and_a_dismiss_button(
    topic, member, near_identical, mod_client
):
    first, second = near_identical
    claim_create(topic=topic, author=member, text=FAIR_USE)
    claim_create(topic=TopicFactory(), author=member, text="Models store copies of all images")
    page = mod_client.get(f"/moderation/topics/{topic.slug}/duplicates/").content.decode()
    assert COPIES in page and COPIES_AGAIN in page
    assert FAIR_USE not in page and "copies of all images" not in page
    merge_link = f"/moderation/topics/{topic.slug}/merge/?target={first.pk}&amp;sources={second.pk}"
    assert f'href="{merge_link}"' in page
    assert f'action="/moderation/topics/{topic.slug}/duplicates/dismiss/"' in page
    assert f'name="first" value="{first.pk}"' in page
    assert f'name="second" value="{second.pk}"' in page
    assert "No likely duplicates" not in page


def test_a_dismissed_pair_leaves_the_queue_for_good(topic, member, near_identical, mod_client):
    first, second = near_identical
    queue = f"/moderation/topics/{topic.slug}/duplicates/"
    pair_link = f"?target={first.pk}&amp;sources={second.pk}"
    response = mod_client.post(  # in either order
        f"{queue}dismiss/", {"first": second.pk, "second": first.pk}
    )
    assert response.status_code == 302 and response.url == queue
    assert list(DuplicateDismissal.objects.values_list("first", "second")) == [
        (first.pk, second.pk)
    ]
    page = mod_client.get(queue).content.decode()
    assert "No likely duplicates" in page and pair_link not in page
    # A third look-alike is suggested with each of them, but the dismissed pair stays away,
    # and dismissing it again records nothing new.
    claim_create(topic=topic, author=member, text="Models store copies of the training images")
    mod_client.post(f"{queue}dismiss/", {"first": first.pk, "second": second.pk})
    page = mod_client.get(queue).content.decode()
    assert "No likely duplicates" not in page and pair_link not in page
    assert DuplicateDismissal.objects.count() == 1


def test_a_pair_across_topics_cannot_be_dismissed(topic, member, near_identical, mod_client):
    first, _ = near_identical
    elsewhere, _ = claim_create(topic=TopicFactory(), author=member, text=COPIES)
    response = mod_client.post(
        f"/moderation/topics/{topic.slug}/duplicates/dismiss/",
        {"first": first.pk, "second": elsewhere.pk},
    )
    assert response.status_code == 404
    assert not DuplicateDismissal.objects.exists()


@pytest.mark.parametrize(
    "which", ["same claim twice", "not a number", "missing"], ids=lambda which: which
)
def test_a_malformed_dismissal_is_400_and_dismisses_nothing(
    topic, near_identical, mod_client, which
):
    first, _ = near_identical
    data = {
        "same claim twice": {"first": first.pk, "second": first.pk},
        "not a number": {"first": "abc", "second": first.pk},
        "missing": {"first": first.pk},
    }[which]
    response = mod_client.post(f"/moderation/topics/{topic.slug}/duplicates/dismiss/", data)
    assert response.status_code == 400  # a request no page of ours makes
    assert not DuplicateDismissal.objects.exists()


# The merge screen -----------------------------------------------------------------------


@pytest.fixture
def pair(thread, member, other_member):
    """COPIES (target) and COPIES_AGAIN (source): a post on each, and one post tagging both
    with the same stance."""
    opening = thread.opening_post
    on_target = tagged(opening, member, (COPIES, "supports"))
    on_source = tagged(on_target, other_member, (COPIES_AGAIN, "supports"), response="agree")
    both_same = tagged(opening, other_member, (COPIES, "opposes"), (COPIES_AGAIN, "opposes"))
    return SimpleNamespace(
        topic=thread.topic,
        thread=thread,
        target=claim(COPIES),
        source=claim(COPIES_AGAIN),
        on_target=on_target,
        on_source=on_source,
        both_same=both_same,
    )


@pytest.fixture
def opposite(pair, member):
    """A post supporting the target and opposing the source."""
    return tagged(pair.thread.opening_post, member, (COPIES, "supports"), (COPIES_AGAIN, "opposes"))


def test_without_a_choice_the_merge_screen_shows_the_choice_form(pair, mod_client):
    response = mod_client.get(f"/moderation/topics/{pair.topic.slug}/merge/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<select name="target"' in page
    assert f'type="checkbox" name="sources" value="{pair.source.pk}"' in page
    assert "Preview the merge" in page
    assert "affected" not in page and 'name="fingerprint"' not in page


def test_the_preview_lists_the_posts_the_merge_changes_with_the_claims_texts(
    pair, opposite, mod_client
):
    response = mod_client.get(merge_url(pair.topic, pair.target, pair.source))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h2>3 posts affected</h2>" in page  # a post tagged with the target alone is not
    rows = {
        int(pk): re.sub(r"<[^>]+>|[«»]", " ", row).split()
        for pk, row in re.findall(
            r'<tr>\s*<td><a href="/posts/(\d+)/#post-\d+">(.*?)</tr>', page, re.S
        )
    }
    assert set(rows) == {pair.on_source.pk, pair.both_same.pk, opposite.pk}
    target, source = COPIES.split(), COPIES_AGAIN.split()
    assert rows[pair.on_source.pk][-len(target) - 2 :] == ["re-pointed:", "supports", *target]
    assert rows[pair.both_same.pk] == [
        "post", str(pair.both_same.pk), "bob", "opposes", *target, "opposes", *source,
        "one", "tag:", "opposes", *target,
    ]  # fmt: skip
    assert " ".join(rows[opposite.pk]).endswith(
        f"supports {COPIES} opposes {COPIES_AGAIN} conflict: choose below"
    )
    assert f"#{pair.target.pk}" not in page and f"#{pair.source.pk}" not in page
    radios = re.findall(rf'<input type="radio" name="resolve_{opposite.pk}"[^>]*>', page)
    assert len(radios) == 2 and all("required" in radio for radio in radios)
    assert {re.search(r'value="(\w+)"', radio).group(1) for radio in radios} == {
        "supports",
        "opposes",
    }
    assert f'name="resolve_{pair.both_same.pk}"' not in page  # same stance: nothing to choose
    assert database_state()["merges"] == []


def test_confirming_the_preview_merges_and_goes_to_the_log(pair, opposite, mod_client):
    url = merge_url(pair.topic, pair.target, pair.source)
    action, fingerprint = confirm_form(mod_client.get(url).content.decode())
    assert action == url[url.index("?") :]  # the form keeps the choice
    response = mod_client.post(
        f"/moderation/topics/{pair.topic.slug}/merge/{action}",
        {
            "reason": "Same claim, reworded",
            "fingerprint": fingerprint,
            f"resolve_{opposite.pk}": "opposes",
        },
    )
    assert response.status_code == 302 and response.url == f"/topics/{pair.topic.slug}/modlog/"
    pair.source.refresh_from_db()
    assert (pair.source.status, pair.source.merged_into_id) == ("merged", pair.target.pk)
    assert set(ClaimTag.objects.values_list("post", "claim", "stance")) == {
        (pair.on_target.pk, pair.target.pk, "supports"),
        (pair.on_source.pk, pair.target.pk, "supports"),
        (pair.both_same.pk, pair.target.pk, "opposes"),
        (opposite.pk, pair.target.pk, "opposes"),
    }
    merge = ClaimMerge.objects.get()
    assert merge.reason == "Same claim, reworded" and list(merge.sources.all()) == [pair.source]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_merge_without_a_reason_is_refused(pair, mod_client, reason):
    url = merge_url(pair.topic, pair.target, pair.source)
    _, fingerprint = confirm_form(mod_client.get(url).content.decode())
    before = database_state()
    response = mod_client.post(url, {"reason": reason, "fingerprint": fingerprint})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert database_state() == before


def test_a_merge_from_a_stale_preview_is_refused(pair, other_member, mod_client):
    url = merge_url(pair.topic, pair.target, pair.source)
    _, fingerprint = confirm_form(mod_client.get(url).content.decode())
    post_tags_set(post=pair.on_source, actor=other_member, tags=[TagInput(COPIES_AGAIN, "opposes")])
    before = database_state()
    response = mod_client.post(url, {"reason": "Duplicates", "fingerprint": fingerprint})
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed since the preview" in page
    assert database_state() == before
    assert pair.on_source.tags.get().stance == "opposes"


def test_confirming_the_refreshed_preview_after_a_stale_one_merges(pair, other_member, mod_client):
    url = merge_url(pair.topic, pair.target, pair.source)
    _, fingerprint = confirm_form(mod_client.get(url).content.decode())
    post_tags_set(post=pair.on_source, actor=other_member, tags=[TagInput(COPIES_AGAIN, "opposes")])
    refused = mod_client.post(url, {"reason": "Duplicates", "fingerprint": fingerprint})
    assert "changed since the preview" in refused.content.decode()
    _, refreshed = confirm_form(refused.content.decode())
    assert refreshed != fingerprint  # the page shows the new state, so it vouches for it
    response = mod_client.post(url, {"reason": "Duplicates", "fingerprint": refreshed})
    assert response.status_code == 302
    pair.source.refresh_from_db()
    assert pair.source.merged_into_id == pair.target.pk


def test_a_merge_without_the_conflict_choice_is_refused(pair, opposite, mod_client):
    url = merge_url(pair.topic, pair.target, pair.source)
    _, fingerprint = confirm_form(mod_client.get(url).content.decode())
    before = database_state()
    response = mod_client.post(url, {"reason": "Duplicates", "fingerprint": fingerprint})
    page = response.content.decode()
    assert response.status_code == 200
    choice = page.index(f"Stance the merged tag of post {opposite.pk} keeps")
    assert choice < page.index("This field is required.", choice) < page.index(">Merge</button>")
    assert page.count("This field is required.") == 1  # the reason was given
    assert database_state() == before


def test_a_target_among_its_sources_is_refused(pair, mod_client):
    url = merge_url(pair.topic, pair.target, pair.target, pair.source)
    before = database_state()
    preview = mod_client.get(url)
    assert preview.status_code == 200
    assert "A claim cannot be merged into itself." in preview.content.decode()
    assert "affected" not in preview.content.decode()
    fingerprint = state_fingerprint([pair.target.pk, pair.source.pk])
    response = mod_client.post(url, {"reason": "Duplicates", "fingerprint": fingerprint})
    assert response.status_code == 200
    assert "A claim cannot be merged into itself." in response.content.decode()
    assert database_state() == before


# After a merge --------------------------------------------------------------------------


def merge_through_the_page(client: Client, pair, reason="Same claim, reworded"):
    url = merge_url(pair.topic, pair.target, pair.source)
    _, fingerprint = confirm_form(client.get(url).content.decode())
    response = client.post(url, {"reason": reason, "fingerprint": fingerprint})
    assert response.status_code == 302
    return ClaimMerge.objects.get(undone_at=None)


def test_after_a_merge_the_source_claims_page_redirects_to_the_target(pair, mod_client):
    merge_through_the_page(mod_client, pair)
    response = Client().get(f"/claims/{pair.source.pk}/")
    assert response.status_code == 302 and response.url == f"/claims/{pair.target.pk}/"
    assert COPIES in Client().get(response.url).content.decode()


def test_after_a_merge_the_threads_chips_link_to_the_target(pair, mod_client):
    page = Client().get(pair.thread.get_absolute_url()).content.decode()
    assert f'href="/claims/{pair.source.pk}/"' in page
    merge_through_the_page(mod_client, pair)
    page = Client().get(pair.thread.get_absolute_url()).content.decode()
    assert f'href="/claims/{pair.source.pk}/"' not in page and COPIES_AGAIN not in page
    chips = re.findall(r'<a class="chip chip-\w+" href="/claims/(\d+)/">', page)
    assert len(chips) == 3 and set(chips) == {str(pair.target.pk)}


def test_the_rebuilt_map_has_one_claim_fewer_after_a_merge(pair, member, mod_client):
    tagged(pair.thread.opening_post, member, (FAIR_USE, "supports"))
    map_build(topic_id=pair.topic.pk)
    page = Client().get(f"/topics/{pair.topic.slug}/map/").content.decode()
    assert "3 claims ·" in page and f">{COPIES_AGAIN}</a>" in page
    merge_through_the_page(mod_client, pair)
    map_build(topic_id=pair.topic.pk)
    page = Client().get(f"/topics/{pair.topic.slug}/map/").content.decode()
    assert "Version 2" in page and "2 claims ·" in page
    assert f">{COPIES_AGAIN}</a>" not in page and f">{COPIES}</a>" in page


def test_the_log_shows_the_merge_and_its_reason(pair, mod_client):
    merge_through_the_page(mod_client, pair, reason="Same claim, reworded")
    page = Client().get(f"/topics/{pair.topic.slug}/modlog/").content.decode()
    assert "<strong>Merged claims</strong>" in page
    assert f"«{COPIES_AGAIN}» into «{COPIES}» (3 posts)" in page
    assert "Reason: Same claim, reworded" in page


def test_authors_of_repointed_posts_are_notified(pair, other_member, mod_client):
    Notification.objects.update(read=True)  # the replies in bob's watched thread
    merge_through_the_page(mod_client, pair)
    bob = client_of(other_member)
    assert "(1 new)" in bob.get("/").content.decode()
    page = bob.get("/notifications/").content.decode()
    assert "<strong>New:</strong>" in page
    assert f"A moderator merged claims your posts were tagged with into «{COPIES}»." in page
    note = Notification.objects.get(user=other_member, read=False)
    assert note.kind == "merged" and f'href="{note.url}"' in page
    assert note.url in {pair.on_source.get_absolute_url(), pair.both_same.get_absolute_url()}
    bob.post("/notifications/read/", {"id": note.pk})
    assert "new)" not in bob.get("/").content.decode()
    assert "<strong>New:</strong>" not in bob.get("/notifications/").content.decode()


# Undo -----------------------------------------------------------------------------------


def test_undo_restores_the_claims_and_tags(pair, mod_client):
    before = {
        "claims": database_state()["claims"],
        "tags": database_state()["tags"],
    }
    merge = merge_through_the_page(mod_client, pair)
    form = mod_client.get(f"/moderation/merges/{merge.pk}/undo/")
    assert form.status_code == 200 and f"Undo merge #{merge.pk}" in form.content.decode()
    response = mod_client.post(f"/moderation/merges/{merge.pk}/undo/", {"reason": "Not the same"})
    assert response.status_code == 302 and response.url == f"/topics/{pair.topic.slug}/modlog/"
    after = database_state()
    assert {"claims": after["claims"], "tags": after["tags"]} == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    log = Client().get(response.url).content.decode()
    assert "<strong>Undid a merge</strong>" in log and "Reason: Not the same" in log
    assert '<span class="badge">undone</span>' in log


def test_a_second_undo_says_it_is_already_undone(pair, mod_client):
    merge = merge_through_the_page(mod_client, pair)
    mod_client.post(f"/moderation/merges/{merge.pk}/undo/", {"reason": ""})
    before = database_state()
    response = mod_client.post(f"/moderation/merges/{merge.pk}/undo/", {"reason": ""})
    assert response.status_code == 200
    assert "This merge was already undone." in response.content.decode()
    assert (
        "Already undone on"
        in mod_client.get(f"/moderation/merges/{merge.pk}/undo/").content.decode()
    )
    assert database_state() == before


def test_undoing_a_merge_a_later_merge_built_on_asks_to_undo_that_first(
    pair, member, moderator, mod_client
):
    earlier = merge_through_the_page(mod_client, pair)
    tagged(pair.thread.opening_post, member, (FAIR_USE, "supports"))
    later = claim_merge(
        target=claim(FAIR_USE), sources=[pair.target], moderator=moderator, reason="Broader"
    )
    before = database_state()
    response = mod_client.post(f"/moderation/merges/{earlier.pk}/undo/", {"reason": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"A later merge (#{later.pk}" in page and "undo it first" in page
    assert database_state() == before


# Removing and restoring posts -----------------------------------------------------------


@pytest.fixture
def rude(thread, member, other_member):
    """A rude reply and a calm answer to it."""
    post = make_reply(thread.opening_post, author=member, body="You are all idiots")
    answer = make_reply(post, author=other_member, body="Calm down please")
    return SimpleNamespace(post=post, answer=answer)


def test_a_removed_post_shows_the_reason_in_place_and_keeps_its_replies(
    thread, rude, logged_in, mod_client
):
    response = mod_client.post(
        f"/moderation/posts/{rude.post.pk}/remove/", {"reason": "Personal attack"}
    )
    assert response.status_code == 302 and response.url == rude.post.get_absolute_url()
    rude.post.refresh_from_db()
    assert (rude.post.state, rude.post.removal_reason) == ("removed", "Personal attack")
    for client in (Client(), logged_in):  # nobody, not even the author, sees the body
        page = client.get(thread.get_absolute_url()).content.decode()
        assert "removed by moderator: Personal attack" in page
        assert "You are all idiots" not in page
        assert page.index(f'id="post-{rude.post.pk}"') < page.index("Calm down please")
        assert f"/posts/{rude.post.pk}/edit/" not in page
        assert f"/posts/{rude.post.pk}/delete/" not in page
    log = Client().get(f"/topics/{thread.topic.slug}/modlog/").content.decode()
    assert "<strong>Removed a post</strong>" in log and "Reason: Personal attack" in log


def test_restoring_brings_the_body_back(thread, rude, moderator, mod_client):
    post_remove(post=rude.post, moderator=moderator, reason="Personal attack")
    page = mod_client.get(thread.get_absolute_url()).content.decode()
    assert f'href="/moderation/posts/{rude.post.pk}/restore/"' in page
    response = mod_client.post(
        f"/moderation/posts/{rude.post.pk}/restore/", {"reason": "Appeal upheld"}
    )
    assert response.status_code == 302
    rude.post.refresh_from_db()
    assert (rude.post.state, rude.post.removal_reason) == ("visible", "")
    page = Client().get(thread.get_absolute_url()).content.decode()
    assert "You are all idiots" in page and "removed by moderator" not in page
    log = Client().get(f"/topics/{thread.topic.slug}/modlog/").content.decode()
    assert "<strong>Restored a post</strong>" in log and "Reason: Appeal upheld" in log


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_removing_without_a_reason_is_refused(rude, mod_client, reason):
    before = database_state()
    response = mod_client.post(f"/moderation/posts/{rude.post.pk}/remove/", {"reason": reason})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert database_state() == before


def test_the_opening_post_cannot_be_removed(thread, mod_client):
    before = database_state()
    response = mod_client.post(
        f"/moderation/posts/{thread.opening_post.pk}/remove/", {"reason": "Bad thread"}
    )
    assert response.status_code == 200
    assert "An opening post cannot be removed" in response.content.decode()
    assert database_state() == before


def test_a_post_deleted_by_its_author_cannot_be_restored(rude, member, mod_client):
    post_delete(post=rude.post, actor=member)
    before = database_state()
    response = mod_client.post(f"/moderation/posts/{rude.post.pk}/restore/", {"reason": "Undo"})
    assert response.status_code == 200
    assert "Only a post removed by a moderator can be restored." in response.content.decode()
    assert database_state() == before
    assert Post.objects.get(pk=rude.post.pk).state == "deleted"


def test_the_author_can_neither_delete_nor_edit_a_removed_post(rude, moderator, logged_in):
    post_remove(post=rude.post, moderator=moderator, reason="Personal attack")
    before = database_state()
    deleting = logged_in.post(f"/posts/{rude.post.pk}/delete/")
    assert deleting.status_code == 400
    assert "already deleted or removed" in deleting.content.decode()
    editing = logged_in.post(f"/posts/{rude.post.pk}/edit/", {"body": "I take it back"})
    assert editing.status_code == 200
    assert "A deleted or removed post cannot be edited." in editing.content.decode()
    assert database_state() == before


# Locking threads ------------------------------------------------------------------------


def test_only_moderators_see_the_lock_link(thread, logged_in, mod_client):
    link = f'<a href="/moderation/threads/{thread.pk}/lock/">Lock this thread</a>'
    assert link in mod_client.get(thread.get_absolute_url()).content.decode()
    for client in (Client(), logged_in):
        page = client.get(thread.get_absolute_url()).content.decode()
        assert "Lock this thread" not in page and f"/moderation/threads/{thread.pk}/" not in page


def test_a_locked_thread_refuses_replies_until_unlocked(thread, logged_in, mod_client):
    reply_url = f"/posts/{thread.opening_post.pk}/reply/"
    reply = {"body": "One more thing", "response": "neutral"}
    response = mod_client.post(f"/moderation/threads/{thread.pk}/lock/", {"reason": "Flame war"})
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
    thread.refresh_from_db()
    assert thread.locked
    page = mod_client.get(thread.get_absolute_url()).content.decode()
    assert "This thread is locked" in page and "Unlock this thread" in page
    refused = logged_in.post(reply_url, reply)
    assert refused.status_code == 403
    assert "This thread is locked: it takes no new replies." in refused.content.decode()
    assert thread.posts.count() == 1

    response = mod_client.post(f"/moderation/threads/{thread.pk}/lock/", {"reason": "Calmer now"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert not thread.locked
    assert logged_in.post(reply_url, reply).status_code == 302
    assert thread.posts.count() == 2

    log = Client().get(f"/topics/{thread.topic.slug}/modlog/").content.decode()
    assert "<strong>Locked a thread</strong>" in log and "Reason: Flame war" in log
    assert "<strong>Unlocked a thread</strong>" in log and "Reason: Calmer now" in log
    assert log.index("Unlocked a thread") < log.index("Locked a thread")  # newest first


def test_locking_without_a_reason_is_refused(thread, mod_client):
    before = database_state()
    response = mod_client.post(f"/moderation/threads/{thread.pk}/lock/", {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert database_state() == before


# The public log -------------------------------------------------------------------------


@pytest.fixture
def logged(pair, moderator, member):
    """A merge in «AI art» and a thread locked in another topic, both by modmarta."""
    merge = claim_merge(
        target=pair.target, sources=[pair.source], moderator=moderator, reason="Reworded"
    )
    other = make_thread(topic=TopicFactory(slug="music", title="Music"), author=member)
    thread_set_locked(thread=other, moderator=moderator, locked=True, reason="Spam wave")
    return SimpleNamespace(topic=pair.topic, merge=merge, other=other)


def test_anyone_reads_the_log_without_moderator_names(logged, logged_in):
    for client in (Client(), logged_in):
        response = client.get(f"/topics/{logged.topic.slug}/modlog/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "Merged claims" in page and "Reason: Reworded" in page
        assert "Spam wave" not in page  # another topic's action
        assert "modmarta" not in page
        page = client.get("/modlog/").content.decode()
        assert "Merged claims" in page and "Locked a thread" in page
        assert "Reason: Spam wave" in page and "modmarta" not in page


def test_moderators_see_who_did_what(logged):
    page = client_of(make_moderator("modnils")).get("/modlog/").content.decode()
    assert page.count('by <a href="/u/modmarta/">modmarta</a>') == 2


def test_the_full_log_lists_every_topic_and_links_to_each_topics_log(logged):
    page = Client().get("/modlog/").content.decode()
    assert '<a href="/modlog/" aria-current="true">All topics</a>' in page
    assert f'<a href="/topics/{logged.topic.slug}/modlog/">AI art</a>' in page
    assert '<a href="/topics/music/modlog/">Music</a>' in page
    assert "AI art · <time" in page and "Music · <time" in page
    music = Client().get("/topics/music/modlog/").content.decode()
    assert "Locked a thread" in music and "Merged claims" not in music
    assert '<a href="/topics/music/modlog/" aria-current="true">Music</a>' in music


def test_only_moderators_see_the_undo_link(logged, logged_in, mod_client):
    undo = f'href="/moderation/merges/{logged.merge.pk}/undo/"'
    assert undo in mod_client.get("/modlog/").content.decode()
    for client in (Client(), logged_in):
        assert undo not in client.get(f"/topics/{logged.topic.slug}/modlog/").content.decode()
        assert undo not in client.get("/modlog/").content.decode()


def test_an_unknown_topics_log_is_404():
    assert Client().get("/topics/nope/modlog/").status_code == 404


def test_the_preview_lists_endorsements_and_asks_for_a_torn_members_choice(
    pair, member, other_member, mod_client
):
    endorsement_set(claim=pair.target, member=member, stance="supports")
    endorsement_set(claim=pair.source, member=member, stance="opposes")
    endorsement_set(claim=pair.source, member=other_member, stance="supports")
    endorsement_set(claim=pair.target, member=UserFactory(username="carol"), stance="opposes")
    url = merge_url(pair.topic, pair.target, pair.source)
    page = mod_client.get(url).content.decode()
    assert "Endorsements of 2 members affected" in page  # not carol's, on the target alone
    rows = dict(re.findall(r'<tr>\s*<td><a href="/u/(\w+)/">.*?</td>(.*?)</tr>', page, re.S))
    assert "conflict: choose below" in rows["alice"] and "re-pointed" in rows["bob"]
    assert "carol" not in rows and f"supports «{COPIES_AGAIN}»" in rows["bob"]
    radios = re.findall(rf'<input type="radio" name="endorsement_{member.pk}"[^>]*>', page)
    assert len(radios) == 2 and all("required" in radio for radio in radios)
    assert f'name="endorsement_{other_member.pk}"' not in page
    action, fingerprint = confirm_form(page)
    merging = f"/moderation/topics/{pair.topic.slug}/merge/{action}"
    refused = mod_client.post(merging, {"reason": "Same", "fingerprint": fingerprint})
    assert refused.status_code == 200 and Endorsement.objects.count() == 4
    response = mod_client.post(
        merging,
        {"reason": "Same", "fingerprint": fingerprint, f"endorsement_{member.pk}": "supports"},
    )
    assert response.status_code == 302
    assert set(Endorsement.objects.values_list("user__username", "claim", "stance")) == {
        ("alice", pair.target.pk, "supports"),
        ("bob", pair.target.pk, "supports"),
        ("carol", pair.target.pk, "opposes"),
    }


def test_the_confirm_form_carries_the_fingerprint_unlabelled(pair, mod_client):
    page = mod_client.get(merge_url(pair.topic, pair.target, pair.source)).content.decode()
    form = page[page.index('<form method="post"') :]
    assert re.search(r'<input type="hidden" name="fingerprint" value="[0-9a-f]+"', form)
    assert "Fingerprint" not in page and 'for="id_fingerprint"' not in page


def test_a_preview_without_tagged_posts_says_only_the_claims_change(topic, moderator, mod_client):
    target, _ = claim_create(topic=topic, author=moderator, text=COPIES)
    source, _ = claim_create(topic=topic, author=moderator, text=COPIES_AGAIN)
    page = mod_client.get(merge_url(topic, target, source)).content.decode()
    assert "<h2>0 posts affected</h2>" in page and "<table" not in page
    assert "only the claims change" in page


# Reports --------------------------------------------------------------------------------


@pytest.fixture
def spam(thread, other_member) -> Post:
    return make_reply(thread.opening_post, author=other_member, body="Buy cheap pills")


def reported(post, *reporters, reason="Spam"):
    return [reports.report_create(reporter=who, post=post, reason=reason) for who in reporters]


def test_members_see_report_on_others_posts_only_and_visitors_not_at_all(spam, member, logged_in):
    url = f'href="/posts/{spam.pk}/report/"'
    assert url in logged_in.get(spam.thread.get_absolute_url()).content.decode()
    assert url not in Client().get(spam.thread.get_absolute_url()).content.decode()
    author = client_of(spam.author)
    assert url not in author.get(spam.thread.get_absolute_url()).content.decode()


def test_a_member_reports_a_post_through_the_form_and_returns_to_it(spam, member, logged_in):
    form = logged_in.get(f"/posts/{spam.pk}/report/")
    assert form.status_code == 200
    assert "Buy cheap pills" in form.content.decode()  # what is being reported
    response = logged_in.post(f"/posts/{spam.pk}/report/", {"reason": "Spam link"}, follow=True)
    assert response.redirect_chain[-1][0] == spam.get_absolute_url()
    assert "the moderators will look at it" in response.content.decode()
    assert Report.objects.get().reason == "Spam link"


def test_a_second_report_and_a_blank_reason_come_back_with_the_error(spam, member, logged_in):
    reported(spam, member)
    again = logged_in.post(f"/posts/{spam.pk}/report/", {"reason": "Again"})
    assert again.status_code == 200 and "You already reported this" in unescape(
        again.content.decode()
    )
    blank = logged_in.post(f"/posts/{spam.pk}/report/", {"reason": "  "})
    assert blank.status_code == 200 and 'class="errors"' in blank.content.decode()
    assert Report.objects.count() == 1


def test_reporting_ones_own_post_is_403_and_a_visitor_is_sent_to_log_in(spam):
    own = client_of(spam.author).post(f"/posts/{spam.pk}/report/", {"reason": "x"})
    assert own.status_code == 403 and "edit or delete it" in own.content.decode()
    visitor = Client().get(f"/posts/{spam.pk}/report/")
    assert visitor.status_code == 302 and visitor.url.startswith("/accounts/login/")
    assert not Report.objects.exists()


def test_a_claim_page_offers_members_a_report_form(topic, member, logged_in):
    fair_use, _ = claim_create(topic=topic, author=member, text=FAIR_USE)
    page = logged_in.get(fair_use.get_absolute_url()).content.decode()
    assert f'href="/claims/{fair_use.pk}/report/"' in page
    response = logged_in.post(f"/claims/{fair_use.pk}/report/", {"reason": "Vague"})
    assert response.status_code == 302 and response.url == fair_use.get_absolute_url()
    assert Report.objects.get().claim == fair_use


def test_the_queue_shows_each_item_once_with_its_reporters_reasons_oldest_first(
    spam, thread, member, other_member, moderator, mod_client
):
    fair_use, _ = claim_create(topic=thread.topic, author=member, text=FAIR_USE)
    reports.report_create(reporter=other_member, claim=fair_use, reason="Too vague")
    reported(spam, member, reason="Spam link")
    reported(spam, UserFactory(username="carol"), reason="Advert")
    page = mod_client.get(f"/moderation/topics/{thread.topic.slug}/reports/")
    html = unescape(page.content.decode())
    assert page.status_code == 200
    assert html.index(FAIR_USE) < html.index("Buy cheap pills")  # its report came first
    assert "2 members reported it" in html and "Spam link" in html and "Advert" in html
    assert f'href="/posts/{spam.pk}/tags/"' in html  # edit its tags
    assert f"/moderation/topics/{thread.topic.slug}/merge/?sources={fair_use.pk}" in html
    assert mod_client.get("/moderation/reports/").content.decode().count('class="reported"') == 2


def test_an_archived_topics_queue_offers_dismissal_alone(
    spam, thread, member, moderator, mod_client
):
    reported(spam, member)
    topic_archive(topic=thread.topic, moderator=moderator, archived=True, reason="Done")
    html = mod_client.get(f"/moderation/topics/{thread.topic.slug}/reports/").content.decode()
    assert 'value="dismiss"' in html and "unarchive it to remove" in html
    assert 'value="remove"' not in html and f'href="/posts/{spam.pk}/tags/"' not in html


def test_the_queue_is_paged_and_its_queries_do_not_grow_with_the_items(
    thread, member, moderator, mod_client
):
    posts = [make_reply(thread.opening_post, body=f"Reply {n}") for n in range(25)]
    for post in posts[:5]:
        reported(post, member)
    with CaptureQueriesContext(connection) as few:
        mod_client.get("/moderation/reports/")
    for post in posts[5:]:
        reported(post, member)
    with CaptureQueriesContext(connection) as many:
        first = mod_client.get("/moderation/reports/")
    assert len(many) == len(few)
    assert first.content.decode().count('class="reported"') == 20
    second = mod_client.get("/moderation/reports/", {"page": 2}).content.decode()
    assert second.count('class="reported"') == 5 and f"Reply {24}" in second


def test_removing_from_the_queue_needs_a_note_then_removes_and_the_reporter_is_told(
    spam, member, logged_in, mod_client
):
    (report,) = reported(spam, member)
    url = f"/moderation/reports/{report.pk}/resolve/"
    refused = mod_client.post(url, {"action": "remove", "note": ""})
    assert refused.status_code == 200 and "Give a reason" in refused.content.decode()
    assert Post.objects.get(pk=spam.pk).state == Post.State.VISIBLE
    done = mod_client.post(url, {"action": "remove", "note": "Advertising"})
    assert done.status_code == 302 and done.url.endswith(
        f"/topics/{spam.thread.topic.slug}/reports/"
    )
    assert Post.objects.get(pk=spam.pk).removal_reason == "Advertising"
    notes = logged_in.get("/notifications/").content.decode()
    assert "A moderator removed the post you reported: Advertising" in notes


def test_dismissing_from_the_queue_empties_it_and_lands_in_the_log(spam, member, mod_client):
    (report,) = reported(spam, member)
    mod_client.post(f"/moderation/reports/{report.pk}/resolve/", {"action": "dismiss"})
    assert "No open reports" in mod_client.get("/moderation/reports/").content.decode()
    log = unescape(Client().get(f"/topics/{spam.thread.topic.slug}/modlog/").content.decode())
    assert "Resolved reports" in log and "1 report on post" in log


def test_the_resolve_page_of_a_resolved_report_says_so_without_a_form(spam, member, mod_client):
    (report,) = reported(spam, member)
    mod_client.post(f"/moderation/reports/{report.pk}/resolve/", {"action": "dismiss"})
    page = mod_client.get(f"/moderation/reports/{report.pk}/resolve/").content.decode()
    assert "Its reports are resolved" in page and "<form" not in page.split('id="main"')[1]


def test_members_may_not_see_the_queue_nor_resolve(spam, member, logged_in):
    (report,) = reported(spam, member)
    assert logged_in.get("/moderation/reports/").status_code == 403
    response = logged_in.post(f"/moderation/reports/{report.pk}/resolve/", {"action": "dismiss"})
    assert response.status_code == 403
    assert Report.objects.get().state == Report.State.OPEN


def test_the_merge_link_of_a_claims_report_preselects_it_without_errors(topic, member, mod_client):
    fair_use, _ = claim_create(topic=topic, author=member, text=FAIR_USE)
    page = mod_client.get(f"/moderation/topics/{topic.slug}/merge/", {"sources": fair_use.pk})
    html = page.content.decode()
    assert page.status_code == 200 and 'class="errors"' not in html
    assert re.search(rf'value="{fair_use.pk}"[^>]*checked', html)


def test_a_malformed_resolution_is_shown_as_an_error_and_changes_nothing(spam, member, mod_client):
    (report,) = reported(spam, member)
    response = mod_client.post(f"/moderation/reports/{report.pk}/resolve/", {"action": "ban"})
    assert response.status_code == 200 and 'class="errors"' in response.content.decode()
    assert Report.objects.get().state == Report.State.OPEN
    assert not ModerationAction.objects.filter(kind="resolve_reports").exists()


def test_the_header_counts_open_reports_for_moderators_alone(
    spam, member, moderator, mod_client, logged_in
):
    header = 'href="/moderation/reports/">Reports'
    assert header + "</a>" in mod_client.get("/").content.decode()  # none open: no count
    reported(spam, member, make_moderator("second_mod"))
    assert header + ' <span class="count">(2 open)</span>' in mod_client.get("/").content.decode()
    assert header not in logged_in.get("/").content.decode()
    assert header not in Client().get("/").content.decode()
    reports.report_resolve(
        report=Report.objects.first(), moderator=moderator, action="remove", note="spam"
    )
    assert header + "</a>" in mod_client.get("/").content.decode()
