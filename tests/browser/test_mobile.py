"""On a phone (390 CSS pixels wide) the thread never scrolls sideways, not even down the
demo's deepest chain, and indentation stays capped so the deepest post keeps room to read."""

import pytest
from playwright.sync_api import expect

from apps.claims.models import Claim
from apps.forum.models import SEGMENT_DEPTH, Post
from tests.factories import make_reply

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
MAX_INDENT = 120  # px: the 8 levels a page nests, at most, take less than a third of the width
MIN_TEXT_WIDTH = 240  # px left for the text of the deepest post

LONG_WORD = "Supercalifragilistic" * 12  # 240 letters and no place to break
LONG_LINK = "https://example.org/" + "a-very-long-path-segment/" * 10
WIDE_BODY = f"{LONG_WORD}\n\n<{LONG_LINK}>\n\n```\n{'wide_code_line = 1; ' * 20}\n```"


def _layout(page) -> dict:
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const main = document.querySelector("main").getBoundingClientRect();
          const posts = Array.from(document.querySelectorAll("details.post"));
          const deepest = posts.reduce((a, b) =>
            b.getBoundingClientRect().left > a.getBoundingClientRect().left ? b : a);
          const box = deepest.getBoundingClientRect();
          const wider = Array.from(document.querySelectorAll("main *"))
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5
                            && !el.parentElement.closest("pre"))
            .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
          return {
            scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
            indent: box.left - main.left, width: box.width, deepest: deepest.id,
            wider: wider.slice(0, 5),
          };
        }"""
    )


@pytest.fixture
def phone(new_session):
    return new_session(viewport=PHONE)


def test_thread_page_fits_a_phone_down_the_deepest_chain(demo, phone):
    deepest_shown = Post.objects.filter(thread=demo, depth=SEGMENT_DEPTH).first()
    make_reply(deepest_shown.parent, body=WIDE_BODY)  # a sibling at the deepest level
    page = phone.goto(demo.get_absolute_url())
    expect(page.locator(f"#post-{deepest_shown.pk}")).to_be_visible()
    layout = _layout(page)
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    assert layout["wider"] == [], layout
    assert layout["indent"] <= MAX_INDENT, layout
    assert layout["width"] >= MIN_TEXT_WIDTH, layout
    phone.screenshot("thread-phone")


def test_continued_chain_fits_a_phone(demo, phone):
    deep = Post.objects.filter(thread=demo, depth=SEGMENT_DEPTH, replies__isnull=False).first()
    below = deep.replies.get()
    make_reply(below, body=WIDE_BODY)
    page = phone.goto(deep.get_absolute_url())
    expect(page.locator(f"#post-{below.pk}")).to_be_visible()
    layout = _layout(page)
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    assert layout["wider"] == [], layout
    assert layout["indent"] <= MAX_INDENT, layout
    assert layout["width"] >= MIN_TEXT_WIDTH, layout
    phone.screenshot("continued-chain-phone")


@pytest.mark.parametrize("name", ["home", "map", "focus", "claim", "login", "search"])
def test_other_pages_fit_a_phone(name, demo, phone):
    path = {
        "home": "/",
        "map": f"/topics/{demo.topic.slug}/map/",
        "focus": f"/topics/{demo.topic.slug}/map/claims/{_thesis_with_pros_and_cons().pk}/",
        "claim": demo.topic.claims.order_by("pk").first().get_absolute_url(),
        "login": "/accounts/login/",
        "search": "/search/?q=fair+use&type=claims",
    }[name]
    page = phone.goto(path)
    expect(page.locator("main h1")).to_be_visible()
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, (path, scroll, client)
    phone.screenshot(f"{name}-phone")


def _thesis_with_pros_and_cons() -> Claim:
    return Claim.objects.get(text__startswith="All creativity is a combination")


def test_a_claims_supporters_stack_above_its_attackers_on_a_phone(demo, phone):
    page = phone.goto(f"/topics/{demo.topic.slug}/map/claims/{_thesis_with_pros_and_cons().pk}/")
    pros = page.get_by_role("region", name="Supporting it").bounding_box()
    cons = page.get_by_role("region", name="Against it").bounding_box()
    assert cons["y"] >= pros["y"] + pros["height"], (pros, cons)
    assert abs(cons["x"] - pros["x"]) < 1 and pros["width"] > PHONE["width"] * 0.8, (pros, cons)
