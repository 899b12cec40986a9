"""Search in Chromium: from the header's box to the results, a post found and a claim found;
on a desktop and on a phone, with JavaScript and without (a GET form and links)."""

import re

import pytest
from playwright.sync_api import expect

from apps.search.selectors import post_search

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
QUERY = "copyright -fair"


@pytest.mark.parametrize(
    ("viewport", "javascript"), [("desktop", True), ("phone", True), ("phone", False)]
)
def test_search_from_the_header_to_a_post_and_to_a_claim(demo, new_session, viewport, javascript):
    session = new_session(viewport=PHONE if viewport == "phone" else None, javascript=javascript)
    best = post_search(words=QUERY)[0]
    page = session.goto(demo.get_absolute_url())
    header = page.get_by_role("search", name="Site search")
    header.get_by_role("searchbox", name="Search the forum").fill(QUERY)
    header.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=copyright\+-fair$"))
    expect(page.get_by_role("searchbox", name="Search for")).to_have_value(QUERY)
    expect(page.get_by_role("link", name="Posts")).to_have_attribute("aria-current", "page")
    first = page.locator("ol.search-results > li").first
    expect(first.locator("mark").first).to_have_text(re.compile("copyright", re.IGNORECASE))
    expect(page.locator("ol.search-results")).not_to_contain_text("fair use")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    session.screenshot(f"search-{viewport}{'' if javascript else '-no-js'}")

    first.get_by_role("link", name=demo.title).click()
    expect(page).to_have_url(re.compile(rf"/posts/{best['post']}/#post-{best['post']}$"))
    expect(page.locator(f"#post-{best['post']}")).to_contain_text("copyright")

    page.go_back()
    page.get_by_role("link", name="Claims").click()
    expect(page.get_by_role("link", name="Claims")).to_have_attribute("aria-current", "page")
    page.get_by_label("Search for").fill("transformative")
    page.get_by_role("button", name="Search", exact=True).last.click()
    claim = page.locator("ol.search-results > li").first
    expect(claim.get_by_role("meter", name="Strength")).to_be_visible()
    claim.get_by_role("link", name=re.compile("^Training AI on public images")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Training AI on public images")
    assert not session.errors
