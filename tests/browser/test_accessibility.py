"""Accessibility in the browser: axe-core on every main page, the keyboard alone through
the reply form, collapse and the map's overview and focus, visible focus, a label for every
control."""

import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apps.claims.models import Claim
from apps.claims.services.merge import claim_merge
from apps.forum.models import SEGMENT_DEPTH, Post
from apps.forum.services.editing import post_edit
from apps.forum.services.posting import reply_create
from apps.moderation.reports import report_create
from apps.moderation.selectors import likely_duplicates
from tests.browser.helpers import DEMO_TOPIC, blocking, focused, path_of, unlabelled_controls

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary"


def _member(username="demo_member"):
    return get_user_model().objects.get(username=username)


def _claim(start: str) -> Claim:
    return Claim.objects.get(text__startswith=start)


def _deep_post(thread) -> Post:
    return Post.objects.filter(thread=thread, depth=SEGMENT_DEPTH, replies__isnull=False).first()


def _own_edited_post(thread) -> Post:
    post = reply_create(
        parent=thread.opening_post, author=_member(), body="First words.", response="neutral"
    )
    post_edit(post=post, editor=_member(), body="Second thoughts.", tags=[])
    return post


def _replied_to(thread) -> Post:
    """A reply to demo_member's post, so that their notifications list one, unread."""
    post = reply_create(parent=thread.opening_post, author=_member(), body="Mine.")
    return reply_create(parent=post, author=_member("demo_moderator"), body="Yours.")


def _merged_pair(thread) -> int:
    (pair,) = likely_duplicates(topic=thread.topic)
    merge = claim_merge(
        target=pair.first, sources=[pair.second], moderator=_member("demo_moderator"),
        reason="Same claim in other words.",
    )  # fmt: skip
    return merge.pk


def _others_post(thread) -> Post:
    return Post.objects.filter(thread=thread, depth=1).exclude(author=_member()).first()


def _report(thread) -> int:
    """The demo member's open report of another member's post."""
    return report_create(reporter=_member(), post=_others_post(thread), reason="Off topic.").pk


def _focus_url(start: str, *, path=()) -> str:
    """A claim in focus, by how it begins, reached through the claims of `path`."""
    ids = ",".join(str(_claim(step).pk) for step in path)
    return f"/topics/{DEMO_TOPIC}/map/claims/{_claim(start).pk}/" + (f"?path={ids}" if ids else "")


def _preview_query(thread) -> str:
    (pair,) = likely_duplicates(topic=thread.topic)
    return f"?target={pair.first.pk}&sources={pair.second.pk}"


# page name -> (who is logged in, how to reach it given the demo thread)
PAGES: dict[str, tuple[str | None, Callable]] = {
    "home": (None, lambda thread: "/"),
    "topic": (None, lambda thread: thread.topic.get_absolute_url()),
    "thread": (None, lambda thread: thread.get_absolute_url()),
    "thread-as-member": ("demo_member", lambda thread: thread.get_absolute_url()),
    "post": (None, lambda thread: _deep_post(thread).get_absolute_url()),
    "claim": (None, lambda thread: _claim("AI is basically").get_absolute_url()),
    "map": (None, lambda thread: f"/topics/{DEMO_TOPIC}/map/"),
    "map-filtered": (None, lambda thread: f"/topics/{DEMO_TOPIC}/map/?q=statistics"),
    "focus": ("demo_member", lambda thread: _focus_url("Today", path=["An AI has"])),
    "search-posts": (None, lambda thread: "/search/?q=copyright"),
    "search-claims": ("demo_member", lambda thread: "/search/?q=fair+use&type=claims"),
    "search-refused": (None, lambda thread: "/search/?q=the&author=nobody"),
    "login": (None, lambda thread: "/accounts/login/"),
    "signup": (None, lambda thread: "/accounts/signup/"),
    "reply": ("demo_member", lambda thread: f"/posts/{_deep_post(thread).pk}/reply/"),
    "post-edit": ("demo_member", lambda thread: f"/posts/{_own_edited_post(thread).pk}/edit/"),
    "post-history": (None, lambda thread: f"/posts/{_own_edited_post(thread).pk}/revisions/"),
    "profile": (None, lambda thread: "/u/selzero/"),
    "notifications": ("demo_member", lambda thread: _replied_to(thread) and "/notifications/"),
    "settings": ("demo_member", lambda thread: "/settings/"),
    "password-reset": (None, lambda thread: "/accounts/password_reset/"),
    "moderation-log": (
        "demo_moderator",
        lambda thread: _merged_pair(thread) and f"/topics/{DEMO_TOPIC}/modlog/",
    ),
    "duplicates": ("demo_moderator", lambda thread: f"/moderation/topics/{DEMO_TOPIC}/duplicates/"),
    "merge-choice": ("demo_moderator", lambda thread: f"/moderation/topics/{DEMO_TOPIC}/merge/"),
    "merge-preview": (
        "demo_moderator",
        lambda thread: f"/moderation/topics/{DEMO_TOPIC}/merge/{_preview_query(thread)}",
    ),
    "merge-undo": (
        "demo_moderator",
        lambda thread: f"/moderation/merges/{_merged_pair(thread)}/undo/",
    ),
    "report-post": ("demo_member", lambda thread: f"/posts/{_others_post(thread).pk}/report/"),
    "report-claim": (
        "demo_member",
        lambda thread: f"/claims/{_claim('AI is basically').pk}/report/",
    ),
    "reports": ("demo_moderator", lambda thread: _report(thread) and "/moderation/reports/"),
    "report-resolve": (
        "demo_moderator",
        lambda thread: f"/moderation/reports/{_report(thread)}/resolve/",
    ),
    "topic-create": ("demo_moderator", lambda thread: "/topics/new/"),
    "topic-edit": ("demo_moderator", lambda thread: f"/topics/{DEMO_TOPIC}/edit/"),
    "topic-archive": ("demo_moderator", lambda thread: f"/topics/{DEMO_TOPIC}/archive/"),
    "profile-claims": (None, lambda thread: "/u/selzero/?show=claims"),
    "profile-endorsements": (None, lambda thread: "/u/demo_member/?show=endorsements"),
}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_serious_and_every_control_is_labelled(name, demo, new_session):
    who, where = PAGES[name]
    session = new_session(axe=True)
    if who:
        session.log_in(who)
    page = session.goto(where(demo))
    expect(page.locator("main h1")).to_be_visible()
    violations = session.axe(name)
    session.screenshot(f"page-{name}")
    assert blocking(violations) == []
    assert unlabelled_controls(page) == []


def test_collapse_by_keyboard(demo, session):
    page = session.goto(demo.get_absolute_url())
    summary = session.tab_until("(el) => el.tagName === 'SUMMARY'")
    assert summary["focusVisible"] and summary["outlineStyle"] != "none", summary
    details = page.locator("details.post:has(> summary:focus)")
    expect(details).to_have_js_property("open", True)
    page.keyboard.press("Enter")
    expect(details).to_have_js_property("open", False)
    page.keyboard.press("Space")
    expect(details).to_have_js_property("open", True)
    page.keyboard.press("Space")
    expect(details).to_have_js_property("open", False)
    expect(page.locator("summary:focus")).to_have_count(1)  # focus stays on the summary


def test_reply_with_a_suggested_claim_by_keyboard(demo, session):
    claim = _claim("Training AI on public images is fair use")
    parent = demo.posts.filter(depth=1).order_by("created", "pk").first()
    session.log_in("demo_member")
    page = session.goto(demo.get_absolute_url())

    reply_link = f"#post-{parent.pk} > .actions a"
    session.tab_until(f"(el) => el.matches('{reply_link}') && el.textContent.trim() === 'reply'")
    session.after_htmx_settles(lambda: page.keyboard.press("Enter"))
    slot = page.locator(f"#reply-slot-{parent.pk}")
    body = slot.get_by_label("Your reply")
    expect(body).to_be_focused()
    page.keyboard.type("Typed, tabbed and sent from the keyboard alone.")

    session.tab_until("(el) => el.name === 'claim_1'")
    page.keyboard.type("fair use transformative")
    suggestion = slot.get_by_role("button", name=f"Use «{claim.text}»")
    expect(suggestion).to_be_visible()
    session.tab_until("(el) => el.classList.contains('suggestion')", limit=10)
    while page.evaluate("document.activeElement.dataset.claim") != claim.text:
        page.keyboard.press("Tab")  # bounded: the suggestions are few and end at the next row
        assert page.evaluate("document.activeElement.classList.contains('suggestion')")
    page.keyboard.press("Enter")
    expect(slot.get_by_label("Claim 1", exact=True)).to_have_value(claim.text)
    stance = slot.get_by_label("Stance on claim 1", exact=True)
    expect(stance).to_be_focused()
    page.keyboard.press("ArrowDown")  # no stance is preselected: the author takes one
    expect(stance).to_have_value("supports")

    add = session.tab_until("(el) => el.tagName === 'BUTTON'")
    assert add["text"] == "Add another claim" and add["focusVisible"], add
    button = session.tab_until("(el) => el.tagName === 'BUTTON'")
    assert button["text"] == "Post reply" and button["focusVisible"], button
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    assert reply.parent_id == parent.pk
    assert reply.body == "Typed, tabbed and sent from the keyboard alone."
    assert [tag.claim_id for tag in reply.tags.all()] == [claim.pk]
    assert not session.errors


def test_map_overview_and_focus_by_keyboard(demo, session):
    """Tab from the filter box to the first main claim, open it, then tab to its strongest
    objection and open that: the breadcrumbs lead back."""
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    session.tab_until("(el) => el.id === 'map-q'")
    first = session.tab_until("(el) => !!el.closest('.overview-entry')")
    assert first["focusVisible"] and first["outlineStyle"] != "none", first
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(first["text"])

    page = session.goto(_focus_url("An AI has"))
    card = session.tab_until("(el) => !!el.closest('.card-claim')")
    assert card["focusVisible"], card
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(card["text"])
    crumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
    expect(crumbs.last).to_have_text(_claim("An AI has").text)


@pytest.mark.parametrize("name", ["thread-as-member", "map", "focus", "signup", "merge-preview"])
def test_every_focusable_element_shows_its_focus(name, demo, session):
    """Tab through the whole page: each element that takes focus draws a visible outline."""
    who, where = PAGES[name]
    if who:
        session.log_in(who)
    page = session.goto(where(demo))
    expected = page.locator(FOCUSABLE).evaluate_all(
        "(els) => els.filter((el) => el.checkVisibility() && !el.disabled).length"
    )
    seen, invisible = 0, []
    if page.evaluate("document.activeElement === document.body"):
        skip = session.tab_until("() => true")
    else:  # a form that puts the cursor in its first field: back up to the top
        # Past the header: the brand, the search box and its button, the account links.
        skip = session.tab_until("(el) => el.matches('.skip-link')", shift=True, limit=8)
    assert skip["text"] == "Skip to content", skip
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # it shows when focused
    while True:
        now = focused(page)
        if now["tag"] == "body":
            break
        seen += 1
        if not (now["focusVisible"] and now["outlineStyle"] != "none" and now["outlineWidth"] > 0):
            invisible.append(now)
        assert seen <= expected + 1, "Tab never left the page"
        page.keyboard.press("Tab")
    assert invisible == []
    # Radio buttons take one Tab for their group; everything else one each.
    radios = page.locator("input[type=radio]").evaluate_all(
        "(els) => els.length - new Set(els.map((el) => el.name)).size"
    )
    assert seen >= expected - radios - 1  # the skip link is one of them


def test_axe_on_the_thread_with_an_inline_reply_form_and_suggestions_open(demo, new_session):
    session = new_session(axe=True)
    session.log_in("demo_member")
    parent = demo.posts.filter(depth=1).order_by("created", "pk").first()
    page = session.goto(demo.get_absolute_url())
    reply_link = page.locator(f"details#post-{parent.pk} > .actions").get_by_role(
        "link", name="reply"
    )
    session.after_htmx_settles(reply_link.click)
    slot = page.locator(f"#reply-slot-{parent.pk}")
    slot.get_by_label("Claim 1", exact=True).fill("fair use")
    expect(slot.locator(".suggestion").first).to_be_visible()
    page.locator(f"details#post-{demo.posts.filter(depth=1).last().pk} > summary").click()
    violations = session.axe("thread-inline-reply")
    assert blocking(violations) == []
    assert unlabelled_controls(page) == []
