"""With JavaScript off the forum still works: reading, collapsing (<details> is native),
replying through plain forms, and the map read claim by claim: the overview's pages and
filter, a claim in focus, drilling down and back by the breadcrumbs."""

import re

import pytest
from playwright.sync_api import expect

from apps.claims.services.tags import TagInput
from apps.forum.models import Post
from apps.maps.models import MapClaim
from tests.browser.helpers import DEMO_PASSWORD, DEMO_TOPIC, path_of
from tests.browser.test_journeys import drill_texts, walk_from_the_overview_down_and_back
from tests.factories import PASSWORD, UserFactory, make_thread

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def no_js(new_session):
    return new_session(javascript=False)


def test_thread_page_reads_and_collapses(demo, no_js):
    first = demo.posts.filter(depth=1).order_by("created", "pk").first()
    child = first.replies.order_by("created", "pk").first()
    page = no_js.goto(demo.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    expect(page.locator(f"#post-{demo.opening_post.pk} .body")).to_contain_text("Greg Rutkowski")
    details = page.locator(f"details#post-{first.pk}")
    expect(page.locator(f"#post-{child.pk}")).to_be_visible()

    details.locator("> summary").click()
    expect(details).to_have_js_property("open", False)
    expect(page.locator(f"#post-{child.pk}")).to_be_hidden()
    details.locator("> summary").click()
    expect(details).to_have_js_property("open", True)
    expect(page.locator(f"#post-{child.pk}")).to_be_visible()
    no_js.screenshot("thread-without-javascript")


def test_replying_with_the_forms(demo, no_js):
    page = no_js.goto(demo.get_absolute_url())
    # Logging in and back: the login link brings the reader back to the thread.
    page.get_by_role("link", name="Log in", exact=True).first.click()
    page.get_by_label("Username").fill("demo_member")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/threads/{demo.pk}/$"))

    # The form at the foot of the thread answers the opening post.
    form = page.get_by_role("region", name="Reply to the thread").locator("form")
    form.get_by_label("Your reply").fill("Posted without any JavaScript.")
    form.get_by_label("Claim 1", exact=True).fill("Forms work without scripts")
    form.get_by_label("Stance on claim 1", exact=True).select_option("supports")
    form.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    assert reply.parent_id == demo.opening_post.pk and reply.depth == 1
    expect(page.locator(f"details#post-{reply.pk} > .body")).to_have_text(
        "Posted without any JavaScript."
    )
    expect(page.locator(f"details#post-{reply.pk}").get_by_role("link", name=re.compile(
        "Forms work without scripts"))).to_be_visible()  # fmt: skip

    # A post's "reply" link leads to a page of its own with the form.
    page.locator(f"details#post-{reply.pk} > .actions").get_by_role("link", name="reply").click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.pk}/reply/$"))
    expect(page.get_by_role("heading", name="Replying to")).to_be_visible()
    page.get_by_label("Your reply").fill("And a nested answer, also without scripts.")
    # The reply carries a claim, so the form also asks about it: the response is one group.
    response = page.get_by_role("group", name="Your response to the post you answer")
    response.get_by_role("radio", name="disagree").check()
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    nested = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    assert nested.parent_id == reply.pk and nested.response == "disagree"
    expect(page.locator(f"details#post-{nested.pk} > .body")).to_contain_text("nested answer")
    assert not no_js.errors


def test_answering_the_opening_posts_claims_with_the_plain_form(db, no_js):
    """The form at the foot of the thread asks about each claim of the opening post; a clash
    with a claim row comes back as an error with the answers kept, then the reply posts."""
    thread = make_thread(
        title="Style and consent",
        tags=[TagInput("Styles are free", "supports"), TagInput("Consent is needed", "opposes")],
    )
    UserFactory(username="carol")
    no_js.log_in("carol", PASSWORD)
    page = no_js.goto(thread.get_absolute_url())
    form = page.get_by_role("region", name="Reply to the thread").locator("form")
    styles = form.get_by_role("group", name="supports Styles are free")
    consent = form.get_by_role("group", name="opposes Consent is needed")
    expect(styles.get_by_role("radio", name="not addressed")).to_be_checked()
    form.get_by_label("Your reply").fill("Styles are free, and no consent is needed.")
    styles.get_by_role("radio", name="agree", exact=True).check()
    consent.get_by_role("radio", name="agree", exact=True).check()
    form.get_by_label("Claim 1", exact=True).fill("styles are FREE")
    form.get_by_label("Stance on claim 1", exact=True).select_option("supports")
    form.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(rf"/posts/{thread.opening_post.pk}/reply/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "You answered «Styles are free» and also tagged it in a claim row"
    )
    assert not Post.objects.filter(parent=thread.opening_post).exists()
    styles = page.get_by_role("group", name="supports Styles are free")
    expect(styles.get_by_role("radio", name="agree", exact=True)).to_be_checked()
    page.get_by_label("Claim 1", exact=True).fill("")
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    chips = page.locator(f"details#post-{reply.pk} > .chips").get_by_role("link")
    expect(chips).to_have_text(["✓ supports Styles are free", "✗ opposes Consent is needed"])
    assert not no_js.errors


def test_overview_to_focus_drill_down_and_back_by_breadcrumb(demo, no_js):
    walk_from_the_overview_down_and_back(no_js, demo.topic)
    no_js.screenshot("focus-without-javascript")


def test_the_overview_lists_pages_and_filters_with_plain_links_and_forms(demo, no_js):
    page = no_js.goto(f"/topics/{DEMO_TOPIC}/map/")
    expect(page.locator("#neighbourhood, #map-canvas, .map-canvas")).to_have_count(0)
    page.get_by_role("link", name="All claims by strength").click()
    listed = page.locator(".overview-entry")
    expect(listed).to_have_count(20)  # a page of the demo's claims, strongest first
    page.get_by_role("link", name="Next", exact=True).click()
    expect(listed).to_have_count(MapClaim.objects.count() - 20)
    page.get_by_label("Find a claim").fill("statistcs machnes")
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"[?&]q=statistcs\+machnes"))
    expect(listed.first.locator(".entry-claim")).to_have_text(drill_texts()[1])


def test_adding_claim_rows_and_previewing_with_the_plain_form(db, no_js):
    """Without scripts, "Add another claim" and "Preview" send the form back with one more
    row or the rendered body, keeping everything typed, and post nothing."""
    thread = make_thread(title="Rows and previews")
    UserFactory(username="carol")
    no_js.log_in("carol", PASSWORD)
    page = no_js.goto(thread.get_absolute_url())
    form = page.get_by_role("region", name="Reply to the thread").locator("form")
    expect(form.get_by_label("Claim 2", exact=True)).to_be_hidden()
    form.get_by_label("Your reply").fill("A draft with *emphasis*.")
    form.get_by_label("Claim 1", exact=True).fill("Plain forms can grow")
    form.get_by_role("button", name="Add another claim").click()

    expect(page).to_have_url(re.compile(rf"/posts/{thread.opening_post.pk}/reply/$"))
    expect(page.get_by_label("Claim 2", exact=True)).to_be_visible()
    expect(page.get_by_label("Claim 3", exact=True)).to_be_hidden()
    expect(page.get_by_label("Claim 1", exact=True)).to_have_value("Plain forms can grow")
    expect(page.get_by_label("Your reply")).to_have_value("A draft with *emphasis*.")
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing checked before posting
    page.get_by_role("button", name="Preview").click()

    expect(page.locator(".preview em")).to_have_text("emphasis")
    expect(page.get_by_label("Claim 2", exact=True)).to_be_visible()  # the rows stay open
    page.get_by_label("Claim 2", exact=True).fill("Previews need no script")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Choose whether your post supports or opposes «Plain forms can grow»."
    )
    assert not Post.objects.filter(parent=thread.opening_post).exists()
    page.get_by_label("Stance on claim 1", exact=True).select_option("supports")
    page.get_by_label("Stance on claim 2", exact=True).select_option("opposes")
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(parent=thread.opening_post)
    assert sorted((tag.claim.text, tag.stance) for tag in reply.tags.select_related("claim")) == [
        ("Plain forms can grow", "supports"),
        ("Previews need no script", "opposes"),
    ]
    assert not no_js.errors
