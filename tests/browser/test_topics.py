"""A topic's life in Chromium, at desktop and phone width, with and without JavaScript:
a moderator creates it, a member posts in it, the moderator archives it; the reply form is
gone and the map still reads. And a member's profile with their bio and claims."""

import re

import pytest
from playwright.sync_api import expect

from apps.claims.services.tags import TagInput
from apps.forum.models import Thread
from apps.maps.services import map_build
from tests.browser.test_mobile import PHONE
from tests.factories import make_reply

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WAYS = {
    "desktop": {},
    "phone": {"viewport": PHONE, "touch": True},
    "desktop-without-javascript": {"javascript": False},
}


def fits(page) -> bool:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll <= client


@pytest.mark.parametrize("way", WAYS)
def test_create_a_topic_post_in_it_archive_it_and_the_map_still_reads(demo, new_session, way):
    moderator, member = new_session(**WAYS[way]), new_session(**WAYS[way])
    moderator.log_in("demo_moderator")
    member.log_in("demo_member")

    page = moderator.goto("/")
    page.get_by_role("link", name="New topic").click()
    page.get_by_label("Title").fill("Open source licences")
    page.get_by_label("Description").fill("Which licence fits a model's weights?")
    page.get_by_role("button", name="Create topic").click()
    expect(page).to_have_url(re.compile(r"/topics/open-source-licences/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Open source licences")
    assert fits(page)
    moderator.screenshot(f"topic-created-{way}")

    page = member.goto("/topics/open-source-licences/")
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Are weights code?")
    page.get_by_label("Opening post").fill("Weights are data, not code.")
    page.get_by_role("button", name="Start thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are weights code?")
    thread = Thread.objects.get(title="Are weights code?")
    make_reply(
        thread.opening_post,
        author=thread.author,
        body="So the GPL does not reach them.",
        tags=[TagInput("Weights are data", "supports")],
    )
    map_build(topic_id=thread.topic_id)

    page = moderator.goto("/topics/open-source-licences/")
    page.get_by_role("link", name="Archive this topic").click()
    page.get_by_label("Reason").fill("Settled for now")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("This topic is archived: it is read-only.")).to_be_visible()
    expect(page.get_by_role("link", name="Unarchive this topic")).to_be_visible()

    page = member.goto(thread.get_absolute_url())
    expect(page.get_by_text("This topic is archived: it takes no new replies.")).to_be_visible()
    expect(page.locator("form.reply-form")).to_have_count(0)
    expect(page.get_by_role("link", name="reply", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="edit", exact=True)).to_have_count(0)
    assert fits(page)
    member.screenshot(f"archived-thread-{way}")
    page = member.goto("/topics/open-source-licences/")
    expect(page.get_by_role("link", name="Start a thread")).to_have_count(0)
    page = member.goto("/topics/open-source-licences/map/")
    expect(page.get_by_role("link", name="Weights are data")).to_be_visible()
    assert fits(page)


@pytest.mark.parametrize("way", WAYS)
def test_a_member_writes_a_bio_and_readers_see_it_with_their_claims(demo, new_session, way):
    member, reader = new_session(**WAYS[way]), new_session(**WAYS[way])
    member.log_in("demo_member")
    page = member.goto("/u/demo_member/")
    page.get_by_role("link", name="Edit your profile").click()
    page.get_by_label("Bio").fill("I argue about **licences**.")
    page.get_by_role("button", name="Save your profile").click()
    expect(page).to_have_url(re.compile(r"/u/demo_member/$"))

    page = reader.goto("/u/demo_member/")
    expect(page.locator(".bio strong")).to_have_text("licences")
    page.get_by_role("link", name="Claims made").click()
    expect(page).to_have_url(re.compile(r"\?show=claims$"))
    page.get_by_role("link", name="Endorsed or disputed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("demo_member")
    assert fits(page)
    reader.screenshot(f"profile-{way}")
