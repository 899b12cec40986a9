"""A newcomer's first visit in Chromium (issue 15): what Agora is, finding a topic's map,
being asked to log in where a form needs a member and coming back after, signing up, the
API's front door, and the small things that looked broken."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.claims.services.merge import claim_merge
from apps.moderation.selectors import likely_duplicates
from tests.browser.helpers import DEMO_PASSWORD, DEMO_TOPIC, path_of
from tests.factories import make_moderator, make_reply

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_visitors_reply_asks_them_to_log_in_and_leads_back_to_the_post(demo, session):
    post = demo.posts.filter(depth=1).order_by("created", "pk").first()
    page = session.goto(demo.get_absolute_url())
    slot = page.locator(f"#reply-slot-{post.pk}")
    session.after_htmx_settles(
        lambda: (
            page.locator(f"#post-{post.pk} > .actions").get_by_role("link", name="reply").click()
        )
    )
    expect(slot.get_by_role("link", name="Log in to reply")).to_be_visible()
    # The fragment, not a page: no second header, main or form in the thread.
    expect(page.locator("header")).to_have_count(1)
    expect(page.locator("main, #main")).to_have_count(1)
    expect(slot.locator("form, input")).to_have_count(0)

    slot.get_by_role("link", name="Log in to reply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Username").fill("demo_member")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/posts/{post.pk}/reply/$"))
    expect(page.locator("form.reply-form textarea")).to_be_visible()
    assert not session.errors


def test_the_home_page_says_what_agora_is_and_links_each_topics_map(demo, session):
    page = session.goto("/")
    expect(page.locator("main")).to_contain_text("Agora is a forum for structured debate")
    page.get_by_role("link", name=f"Argument map of {demo.topic.title}").click()
    expect(page).to_have_url(re.compile(rf"/topics/{DEMO_TOPIC}/map/$"))


def test_a_visitor_logs_in_to_start_a_thread_and_lands_on_its_form(demo, session):
    page = session.goto(demo.topic.get_absolute_url())
    expect(page.get_by_role("link", name="Start a thread", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Log in to start a thread").click()
    page.get_by_label("Username").fill("demo_member")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/topics/{DEMO_TOPIC}/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a thread")


def test_signing_up_from_a_thread_comes_back_to_it(demo, session):
    page = session.goto(f"{demo.get_absolute_url()}?sort=newest")
    session.account_nav.get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="Sign up").last.click()  # "New here? Sign up"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password:", exact=True).fill("a-long-unusual-passphrase-41")
    page.get_by_label("Password confirmation").fill("a-long-unusual-passphrase-41")
    page.get_by_role("button", name="Create account").click()
    expect(session.account_nav.get_by_role("link", name="newcomer")).to_be_visible()
    assert path_of(page) == f"{demo.get_absolute_url()}?sort=newest"


def test_signup_shows_password_errors_under_the_password_and_focuses_it(db, session):
    page = session.goto("/accounts/signup/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password:", exact=True).fill("12345678")
    page.get_by_label("Password confirmation").fill("12345678")
    page.get_by_role("button", name="Create account").click()
    password = page.locator(".field").filter(has=page.locator("#id_password1"))
    confirmation = page.locator(".field").filter(has=page.locator("#id_password2"))
    expect(password.locator(".errors")).to_contain_text("This password is too common.")
    expect(confirmation.locator(".errors")).to_have_count(0)
    expect(page.locator("#id_password1")).to_be_focused()
    session.screenshot("signup-password-error")


def test_the_footers_api_link_opens_readable_docs_without_console_errors(db, session):
    page = session.goto("/")  # what the console logs fails the test (conftest's new_session)
    page.locator("footer").get_by_role("link", name="API").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    expect(page.get_by_role("heading", name=re.compile("Agora API"))).to_be_visible()
    expect(page.get_by_text("/api/topics/{slug}/claims/").first).to_be_visible()
    expect(page.get_by_text("/api/merges/{id}/undo/")).to_be_visible()
    topics = page.locator("#operations-topics-topics_list")
    topics.locator(".opblock-summary").click()
    topics.get_by_role("button", name="Try it out").click()
    topics.get_by_role("button", name="Execute").click()
    expect(
        topics.locator(".live-responses-table td.response-col_status:not(.col_header)")
    ).to_have_text("200")
    session.screenshot("api-docs")
    assert not session.errors

    index = session.page.request.get("/api/", headers={"Accept": "application/json"})
    assert index.ok
    assert {"schema", "docs", "topics"} <= set(index.json())


def test_favicon_is_served_and_linked(db, session):
    page = session.goto("/")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    for path in (icon, "/favicon.ico"):
        response = page.request.get(path)
        assert response.ok and response.headers["content-type"].startswith("image/"), path
        assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def gap(page, first, second) -> float:
    """Pixels between the right edge of `first` and the left edge of `second`."""
    return second.bounding_box()["x"] - (first.bounding_box()["x"] + first.bounding_box()["width"])


def test_buttons_keep_a_distance_from_the_links_beside_them(demo, session):
    session.log_in("demo_member")
    page = session.goto(demo.topic.get_absolute_url())
    button = page.get_by_role("link", name="Start a thread")
    assert gap(page, button, page.get_by_role("link", name="Argument map of this topic")) >= 8
    post = make_reply(demo.opening_post, author=User.objects.get(username="demo_member"))
    page = session.goto(f"/posts/{post.pk}/edit/")
    save = page.get_by_role("button", name="Save")
    assert gap(page, save, page.get_by_role("link", name="Cancel")) >= 8


def test_moderation_pages_read_cleanly(demo, session):
    (pair,) = likely_duplicates(topic=demo.topic)
    session.log_in("demo_moderator")
    page = session.goto(f"/moderation/topics/{DEMO_TOPIC}/duplicates/")
    merge = page.get_by_role("link", name="Merge…")
    dismiss = page.get_by_role("button", name="Not duplicates")
    merge_box, dismiss_box = merge.bounding_box(), dismiss.bounding_box()
    assert merge_box["height"] == dismiss_box["height"]
    assert merge_box["y"] == dismiss_box["y"]
    font = "el => getComputedStyle(el).fontSize"
    assert merge.evaluate(font) == dismiss.evaluate(font)
    session.screenshot("duplicates-buttons")

    page = session.goto("/modlog/")
    expect(page.get_by_role("navigation", name="Filter by topic")).to_have_text(
        f"All topics · {demo.topic.title}"
    )
    merge_record = claim_merge(
        target=pair.first, sources=[pair.second], moderator=make_moderator(), reason="Same."
    )
    page = session.goto(f"/moderation/merges/{merge_record.pk}/undo/")
    expect(page.locator("main")).to_contain_text("Reason: Same.")
    assert ".”." not in page.locator("main").inner_text()
