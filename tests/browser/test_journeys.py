"""End-to-end journeys in Chromium with JavaScript on: what a reader, a member and a
moderator do, click by click, on the demo debate."""

import re

import pytest
from playwright.sync_api import expect

from apps.claims.models import Claim
from apps.claims.services import TagInput
from apps.forum.models import SEGMENT_DEPTH, Post
from apps.maps.models import ArgumentMap
from apps.maps.services import map_build
from apps.maps.strength import strength_word
from apps.moderation.selectors import likely_duplicates
from tests.browser.helpers import DEMO_TOPIC, path_of
from tests.factories import PASSWORD, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_browse_from_home_to_topic_to_thread(demo, session):
    page = session.goto("/")
    page.get_by_role("link", name=demo.topic.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.topic.title)
    session.screenshot("topic")

    page.get_by_role("link", name=demo.title).click()
    expect(page).to_have_url(re.compile(rf"/threads/{demo.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    replies = demo.posts.filter(depth__gt=0).count()
    expect(page.get_by_role("heading", name=f"{replies} replies")).to_be_visible()
    # Every reply of the thread is on its one page, the chain below the 8th level aside.
    shown = demo.posts.filter(depth__gt=0, depth__lte=SEGMENT_DEPTH).count()
    expect(page.locator("ol.tree details.post")).to_have_count(shown)
    session.screenshot("thread")
    assert not session.errors


def test_collapse_and_expand_a_subtree(demo, session):
    first = demo.posts.filter(depth=1).order_by("created", "pk").first()
    child = first.replies.order_by("created", "pk").first()
    page = session.goto(demo.get_absolute_url())
    details = page.locator(f"details#post-{first.pk}")
    reply = page.locator(f"#post-{child.pk}")
    expect(details).to_have_js_property("open", True)
    expect(reply).to_be_visible()

    details.locator("> summary").click()
    expect(details).to_have_js_property("open", False)
    expect(reply).to_be_hidden()
    expect(details.locator("> summary")).to_be_visible()  # the summary line stays
    session.screenshot("thread-collapsed", full_page=False)

    details.locator("> summary").click()
    expect(details).to_have_js_property("open", True)
    expect(reply).to_be_visible()


def test_continue_this_thread_below_the_eighth_level(demo, session):
    deep = Post.objects.filter(thread=demo, depth=SEGMENT_DEPTH, replies__isnull=False).first()
    below = deep.replies.get()
    page = session.goto(demo.get_absolute_url())
    expect(page.locator(f"#post-{below.pk}")).to_have_count(0)  # not on the thread page

    page.locator(f"details#post-{deep.pk}").get_by_role(
        "link", name=re.compile(r"^Continue this thread \(1 more reply\)")
    ).click()
    expect(page).to_have_url(re.compile(rf"/posts/{deep.pk}/$"))
    expect(page.locator(f"details#post-{below.pk}")).to_be_visible()
    expect(page.locator(f"details#post-{below.pk} > .body")).to_contain_text(below.body.split()[-1])
    # Its ancestors give the context, with a way back to the whole thread.
    expect(page.get_by_role("region", name="Context").locator("li.post")).not_to_have_count(0)
    expect(page.get_by_role("link", name="← All replies in this thread")).to_be_visible()
    session.screenshot("continue-this-thread")
    assert not session.errors


def test_more_replies_pages_through_top_level_replies(db, session):
    thread = make_thread(title="Twenty-one answers")
    replies = [make_reply(thread.opening_post, body=f"Answer number {n}") for n in range(1, 22)]
    page = session.goto(thread.get_absolute_url())
    tree = page.locator("ol.tree > li.node")
    expect(tree).to_have_count(20)
    expect(page.get_by_text("Answer number 21", exact=True)).to_have_count(0)

    page.get_by_role("navigation", name="More replies").get_by_role(
        "link", name="More replies"
    ).click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(tree).to_have_count(1)
    expect(page.locator(f"#post-{replies[-1].pk} > .body")).to_have_text("Answer number 21")
    expect(page.get_by_role("link", name="More replies")).to_have_count(0)

    page.get_by_role("link", name="Previous replies").click()
    expect(tree).to_have_count(20)
    expect(page.locator(f"#post-{replies[0].pk} > .body")).to_have_text("Answer number 1")


def test_sign_up_log_out_and_log_in(db, session):
    password = "a-long-unusual-passphrase-41"
    page = session.goto("/")
    session.account_nav.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    session.screenshot("signup")
    page.get_by_label("Username").fill("new_reader")
    page.get_by_label("Email").fill("new_reader@example.org")
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(session.account_nav.get_by_role("link", name="new_reader")).to_be_visible()

    session.account_nav.get_by_role("button", name="Log out").click()
    expect(session.account_nav.get_by_role("link", name="Log in")).to_be_visible()
    session.account_nav.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    session.screenshot("login")
    page.get_by_label("Username").fill("new_reader")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(session.account_nav.get_by_role("link", name="new_reader")).to_be_visible()
    assert path_of(page) == "/"  # back where the login link was followed from


def test_reply_with_a_suggested_claim_then_edit_history_and_delete(demo, session):
    """A member answers inline (htmx), reuses a claim the autocomplete offers, edits the
    reply and reads its history, then deletes it and sees the tombstone."""
    claim = Claim.objects.get(text__startswith="Training AI on public images is fair use")
    parent = demo.posts.filter(depth=1).order_by("created", "pk").first()
    session.log_in("demo_member")
    page = session.goto(demo.get_absolute_url())

    reply_link = page.locator(f"details#post-{parent.pk} > .actions").get_by_role(
        "link", name="reply"
    )
    session.after_htmx_settles(reply_link.click)
    form = page.locator(f"#reply-slot-{parent.pk} form.reply-form")
    body = form.get_by_label("Your reply")
    expect(body).to_be_focused()  # the inline form arrives with the cursor in it
    body.fill("Fair use turns on transformation, and a model transforms.")
    response = form.get_by_role("group", name="Your response to the post you answer")
    response.get_by_role("radio", name="agree", exact=True).check()

    claim_field = form.get_by_label("Claim 1", exact=True)
    claim_field.press_sequentially("fair use transformative")
    suggestion = form.get_by_role("button", name=f"Use «{claim.text}»")
    expect(suggestion).to_be_visible()
    session.screenshot("claim-autocomplete", full_page=False)
    suggestion.click()
    expect(claim_field).to_have_value(claim.text)
    expect(form.locator(".suggestion")).to_have_count(0)
    expect(form.get_by_label("Stance on claim 1", exact=True)).to_be_focused()
    form.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    reply = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    assert reply.parent_id == parent.pk and reply.author.username == "demo_member"
    assert [(tag.claim_id, tag.stance) for tag in reply.tags.all()] == [(claim.pk, "supports")]
    mine = page.locator(f"details#post-{reply.pk}")
    expect(mine.locator("> .body")).to_contain_text("a model transforms")
    expect(mine.locator(".response")).to_have_text("agrees")
    chip = mine.get_by_role("link", name=re.compile(re.escape(claim.text)))
    expect(chip).to_contain_text("supports")
    session.screenshot("reply-posted")

    # Edit it: the earlier version stays in its history.
    mine.locator("> .actions").get_by_role("link", name="edit").click()
    expect(page.get_by_role("heading", name="Edit your post")).to_be_visible()
    page.get_by_label("Post").fill("Fair use turns on transformation. Edited.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.pk}/$"))
    expect(mine.locator("> .body")).to_have_text("Fair use turns on transformation. Edited.")
    expect(mine.locator("> summary .edited")).to_have_text("edited")
    mine.locator("> .actions").get_by_role("link", name="history").click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.pk}/revisions/$"))
    versions = page.locator("ol.revisions > li")
    expect(versions).to_have_count(2)
    expect(versions.nth(0).get_by_role("heading")).to_contain_text("Version 1")
    expect(versions.nth(0).locator("pre")).to_contain_text("and a model transforms.")
    expect(versions.nth(1).get_by_role("heading")).to_contain_text("Current version")
    expect(versions.nth(1).locator("pre")).to_have_text("Fair use turns on transformation. Edited.")
    session.screenshot("post-history")

    # Delete it: a tombstone stays in its place.
    page.get_by_role("link", name="this post").click()
    mine.locator("> .actions").get_by_role("link", name="delete").click()
    expect(page.get_by_role("heading", name="Delete your post?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.pk}/$"))
    expect(mine.locator("> .tombstone-text")).to_have_text("deleted by creator")
    expect(mine.locator("> summary .who")).to_have_text("[deleted]")
    expect(mine.get_by_role("link", name="edit")).to_have_count(0)
    expect(mine.locator("> .body")).to_have_count(0)
    assert not session.errors


def test_a_member_answers_the_claims_of_a_post_one_by_one(db, session):
    """The inline (htmx) reply form asks about each claim of the post answered, with "not
    addressed" preselected; the answers become the reply's tags, shown on its chips."""
    thread = make_thread(title="Style and consent", tags=[TagInput("Styles are free", "supports")])
    parent = make_reply(
        thread.opening_post,
        tags=[TagInput("Training is fair use", "supports"), TagInput("Models copy", "opposes")],
    )
    UserFactory(username="carol")
    session.log_in("carol", PASSWORD)
    page = session.goto(thread.get_absolute_url())

    reply_link = page.locator(f"details#post-{parent.pk} > .actions").get_by_role(
        "link", name="reply"
    )
    session.after_htmx_settles(reply_link.click)
    form = page.locator(f"#reply-slot-{parent.pk} form.reply-form")
    expect(form.get_by_text("when it makes several, answer each below")).to_be_visible()
    fair_use = form.get_by_role("group", name="supports Training is fair use")
    copies = form.get_by_role("group", name="opposes Models copy")
    expect(form.get_by_role("group", name="Styles are free")).to_have_count(0)  # not its parent
    for question in (fair_use, copies):
        expect(question.get_by_role("radio", name="not addressed")).to_be_checked()
    form.get_by_label("Your reply").fill("Training is not fair use, and models do not copy.")
    fair_use.get_by_role("radio", name="disagree").check()
    copies.get_by_role("radio", name="agree", exact=True).check()
    session.screenshot("claim-answers", full_page=False)
    form.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    reply = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    assert reply.parent_id == parent.pk
    chips = page.locator(f"details#post-{reply.pk} > .chips").get_by_role("link")
    expect(chips).to_have_text(["✗ opposes Training is fair use", "✗ opposes Models copy"])
    assert sorted((tag.claim.text, tag.stance) for tag in reply.tags.select_related("claim")) == [
        ("Models copy", "opposes"),
        ("Training is fair use", "opposes"),
    ]
    assert not session.errors


def _wait_for_drawn_map(session) -> int:
    """Wait until Cytoscape has drawn every node of the map; return the node count."""
    page = session.page
    canvas = page.locator("#map-canvas")
    expect(canvas).to_be_visible()
    expect(canvas.locator("canvas").first).to_be_attached()
    session.wait_for(
        "() => { const cy = document.getElementById('map-canvas').cy;"
        " return cy && cy.nodes().length > 0 && cy.nodes().every((n) => n.visible()); }"
    )
    return page.evaluate("document.getElementById('map-canvas').cy.nodes().length")


def _rgb(colour: str) -> list[int]:
    return [int(channel) for channel in re.findall(r"\d+", colour)[:3]]


def test_map_draws_every_claim_and_tapping_a_node_opens_its_claim(demo, session):
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    outline = page.locator(".outline > ol > li")
    argument_map = ArgumentMap.objects.filter(topic=demo.topic).latest("version")
    expect(outline).to_have_count(len(argument_map.graph["nodes"]))
    assert _wait_for_drawn_map(session) == len(argument_map.graph["nodes"])
    session.screenshot("map")
    drawn = page.evaluate(
        """() => Object.fromEntries(document.getElementById('map-canvas').cy.nodes().map((n) =>
          [n.data('claim'), {label: n.data('label'), colour: n.data('colour'),
                             shape: n.pstyle('shape').strValue}]))"""
    )
    shapes = {"IN": "ellipse", "OUT": "diamond", "UNDECIDED": "round-rectangle"}
    for node in argument_map.graph["nodes"]:
        shown = drawn[str(node["id"])]
        assert f"\n{strength_word(node['strength'])} {node['strength']:.2f} · " in shown["label"]
        assert shown["shape"] == shapes[node["standing"]]
    by_strength = sorted(argument_map.graph["nodes"], key=lambda node: node["strength"])
    weakest, strongest = (
        drawn[str(node["id"])]["colour"] for node in (by_strength[0], by_strength[-1])
    )
    assert _rgb(weakest)[0] > _rgb(weakest)[1] and _rgb(strongest)[1] > _rgb(strongest)[0]

    page.locator("#map-canvas").scroll_into_view_if_needed()
    node = page.evaluate(
        """() => {
          const canvas = document.getElementById('map-canvas');
          const box = canvas.getBoundingClientRect();
          const node = canvas.cy.nodes().sort((a, b) => b.renderedWidth() - a.renderedWidth())[0];
          const at = node.renderedPosition();
          return {claim: node.data('claim'), x: box.left + at.x, y: box.top + at.y};
        }"""
    )
    page.mouse.click(node["x"], node["y"])
    expect(page).to_have_url(re.compile(rf"/claims/{node['claim']}/$"))
    claim = Claim.objects.get(pk=node["claim"])
    expect(page.get_by_role("heading", level=1)).to_have_text(claim.text)


def test_map_outline_links_to_each_claim(demo, session):
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    first = page.locator(".outline > ol > li").first.get_by_role("link").first
    text = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    expect(page.get_by_role("heading", name="Posts that support it")).to_be_visible()
    session.screenshot("claim")


def _support(people: int) -> str:
    return f"{people} {'person supports' if people == 1 else 'people support'} it"


def test_a_member_endorses_a_claim_and_sees_its_strength_change(demo, session):
    """Support a claim from its page (htmx), then read the rebuilt map there: one more
    supporter, and a higher strength."""
    argument_map = ArgumentMap.objects.filter(topic=demo.topic).latest("version")
    weakest = min(argument_map.graph["nodes"], key=lambda node: (node["strength"], node["id"]))
    session.log_in("demo_member")
    page = session.goto(f"/claims/{weakest['id']}/")
    meter = page.locator(".strength-summary meter")
    expect(meter).to_have_attribute("value", str(weakest["strength"]))
    people = page.locator(".people")
    expect(people).to_contain_text(_support(weakest["supporters"]))

    session.after_htmx_settles(lambda: page.get_by_role("button", name="I support this").click())
    expect(page.get_by_role("status").filter(has_text="You support this claim.")).to_be_visible()
    expect(page.get_by_role("button", name="I support this")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The page's request queued a build; no worker runs here, so build as the worker would.
    assert map_build(topic_id=demo.topic_id).version == argument_map.version + 1

    page.reload()
    expect(meter).not_to_have_attribute("value", str(weakest["strength"]))
    assert float(meter.get_attribute("value")) > weakest["strength"]
    endorsed = weakest["endorsements"]["supports"] + 1
    expect(people).to_contain_text(
        f"{_support(weakest['supporters'] + 1)} ({endorsed} by endorsement)"
    )
    expect(page.locator(".strength-summary")).to_contain_text(
        f"on map version {argument_map.version + 1}"
    )
    session.screenshot("claim-endorsed")
    assert not session.errors


def test_moderator_merges_the_listed_duplicates_sees_the_log_and_undoes_it(demo, session):
    (pair,) = likely_duplicates(topic=demo.topic)
    tags_before = sorted(
        (tag.post_id, tag.claim_id, tag.stance)
        for claim in (pair.first, pair.second)
        for tag in claim.tags.all()
    )
    session.log_in("demo_moderator")
    page = session.goto(f"/moderation/topics/{DEMO_TOPIC}/duplicates/")
    listed = page.locator("ol.duplicates > li")
    expect(listed).to_have_count(1)
    expect(listed.get_by_role("link", name=pair.first.text)).to_be_visible()
    expect(listed.get_by_role("link", name=pair.second.text)).to_be_visible()
    session.screenshot("duplicates")

    listed.get_by_role("link", name="Merge…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge claims")
    expect(page.get_by_text("Keep «", exact=False)).to_contain_text(pair.first.text)
    expect(page.locator("table.affected tbody tr")).not_to_have_count(0)
    session.screenshot("merge-preview")
    page.get_by_label("Reason").fill("Same claim in other words.")
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/topics/{DEMO_TOPIC}/modlog/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Merged into «{pair.first.text}»")
    entry = page.locator("ol.modlog > li").first
    expect(entry).to_contain_text("Reason: Same claim in other words.")
    expect(entry).to_contain_text("demo_moderator")  # moderators see who did it
    pair.second.refresh_from_db()
    assert pair.second.merged_into_id == pair.first.pk
    session.screenshot("moderation-log")

    entry.get_by_role("link", name="undo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Undo merge")
    page.get_by_label("Reason").fill("Not the same after all.")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page).to_have_url(re.compile(rf"/topics/{DEMO_TOPIC}/modlog/$"))
    expect(page.get_by_role("status")).to_contain_text("The merge is undone")
    merge_entry = page.locator("ol.modlog > li", has=page.locator(".badge", has_text="undone"))
    expect(merge_entry).to_have_count(1)
    expect(merge_entry.get_by_role("link", name="undo")).to_have_count(0)
    pair.second.refresh_from_db()
    assert pair.second.merged_into_id is None
    tags_after = sorted(
        (tag.post_id, tag.claim_id, tag.stance)
        for claim in (pair.first, pair.second)
        for tag in claim.tags.all()
    )
    assert tags_after == tags_before

    # The pair is a candidate again.
    page = session.goto(f"/moderation/topics/{DEMO_TOPIC}/duplicates/")
    expect(page.locator("ol.duplicates > li")).to_have_count(1)
    assert not session.errors
