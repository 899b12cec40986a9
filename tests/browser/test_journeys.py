"""End-to-end journeys in Chromium with JavaScript on: what a reader, a member and a
moderator do, click by click, on the demo debate."""

import re

import pytest
from playwright.sync_api import expect

from apps.claims.models import Claim
from apps.claims.services.tags import TagInput
from apps.forum.models import SEGMENT_DEPTH, Post
from apps.maps.exports import stored_graph
from apps.maps.models import ArgumentMap, MapClaim
from apps.maps.services import map_build
from apps.moderation.selectors import likely_duplicates
from tests.browser.helpers import DEMO_TOPIC, path_of
from tests.browser.test_mobile import PHONE
from tests.factories import PASSWORD, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_browse_from_home_to_topic_to_thread(demo, session):
    page = session.goto("/")
    page.get_by_role("link", name=demo.topic.title, exact=True).click()
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


def test_enter_in_the_title_starts_the_thread_rather_than_previewing_it(demo, session):
    """The form's first submit button is what Enter presses: the form's own action, not the
    Preview that comes first on screen."""
    session.log_in("demo_member")
    page = session.goto(f"/topics/{DEMO_TOPIC}/new/")
    page.get_by_label("Opening post").fill("Does a style belong to anyone?")
    page.get_by_label("Title").fill("Styles and ownership")
    page.get_by_label("Title").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Styles and ownership")
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
    further = _count_below(deep)
    page = session.goto(demo.get_absolute_url())
    expect(page.locator(f"#post-{below.pk}")).to_have_count(0)  # not on the thread page

    more = f"{further} more {'reply' if further == 1 else 'replies'}"
    page.locator(f"details#post-{deep.pk}").get_by_role(
        "link", name=re.compile(rf"^Continue this thread \({more}\)")
    ).click()
    expect(page).to_have_url(re.compile(rf"/posts/{deep.pk}/$"))
    expect(page.locator(f"details#post-{below.pk}")).to_be_visible()
    expect(page.locator(f"details#post-{below.pk} > .body")).to_contain_text(below.body.split()[-1])
    # Its ancestors give the context, one line each, with a way back to the whole thread.
    context = page.get_by_role("region", name="Context").get_by_role("listitem")
    expect(context).to_have_count(SEGMENT_DEPTH - 1)
    _expect_one_line_each(context)
    expect(page.get_by_role("region", name="Context").locator(".body")).to_have_count(0)
    expect(page.get_by_role("link", name="← All replies in this thread")).to_be_visible()
    session.screenshot("continue-this-thread")
    assert not session.errors


def _count_below(post: Post) -> int:
    return sum(1 + _count_below(reply) for reply in post.replies.all())


def _expect_one_line_each(lines) -> None:
    heights = lines.evaluate_all(
        "(items) => items.map((li) => li.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(li).lineHeight))"
    )
    assert heights and all(height < 1.5 for height in heights), heights


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
    stance = form.get_by_label("Stance on claim 1", exact=True)
    expect(stance).to_be_focused()
    expect(stance).to_have_value("")  # the author takes a stance: none is taken for them
    stance.select_option("supports")
    form.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
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
    # The response can change too, on the edit form.
    response = page.get_by_role("group", name="Your response to the post you answer")
    expect(response.get_by_role("radio", name="agree", exact=True)).to_be_checked()
    response.get_by_role("radio", name="disagree").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/posts/{reply.pk}/$"))
    expect(mine.locator("> .body")).to_have_text("Fair use turns on transformation. Edited.")
    expect(mine.locator(".response")).to_have_text("disagrees")
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

    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(pk=int(path_of(page).split("/")[2]))
    assert reply.parent_id == parent.pk
    chips = page.locator(f"details#post-{reply.pk} > .chips").get_by_role("link")
    expect(chips).to_have_text(["✗ opposes Training is fair use", "✗ opposes Models copy"])
    assert sorted((tag.claim.text, tag.stance) for tag in reply.tags.select_related("claim")) == [
        ("Models copy", "opposes"),
        ("Training is fair use", "opposes"),
    ]
    assert not session.errors


# A thread of objections in the demo, by how each claim begins: each attacks the one before.
DRILL = ["An AI has the same right", "Today's AI models are statistics", "Human brains may be"]


def drill_texts() -> list[str]:
    return [Claim.objects.get(text__startswith=start).text for start in DRILL]


def walk_from_the_overview_down_and_back(session, topic) -> None:
    """Open a main claim from the overview, drill down its objections two levels, then go
    back by the breadcrumbs; with or without JavaScript, the same clicks."""
    texts = drill_texts()
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    main_claims = page.locator(".overview-entry")
    expect(main_claims).to_have_count(MapClaim.objects.filter(main=True).count())
    main_claims.get_by_role("link", name=texts[0], exact=True).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(texts[0])
    for below in texts[1:3]:
        against = page.get_by_role("region", name="Against it")
        against.get_by_role("link", name=below, exact=True).click()
        expect(heading).to_have_text(below)
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link")).to_have_text(["Topics", topic.title, "Map", *texts[:2]])
    expect(crumbs.locator("[aria-current=page]")).to_have_text(texts[2])
    session.screenshot("focus-drilled-down")

    crumbs.get_by_role("link", name=texts[1], exact=True).click()
    expect(heading).to_have_text(texts[1])
    expect(crumbs.get_by_role("link")).to_have_text(["Topics", topic.title, "Map", texts[0]])
    against = page.get_by_role("region", name="Against it")
    expect(against.get_by_role("link", name=texts[2], exact=True)).to_be_visible()
    crumbs.get_by_role("link", name="Map", exact=True).click()
    expect(heading).to_have_text(f"Argument map: {topic.title}")


def test_overview_to_focus_drill_down_and_back_by_breadcrumb(demo, session):
    walk_from_the_overview_down_and_back(session, demo.topic)
    assert not session.errors


def test_the_overview_filter_finds_a_misspelt_claim_in_place(demo, session):
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    listed = page.locator(".overview-entry .entry-claim")
    session.after_htmx_settles(lambda: page.get_by_label("Find a claim").fill("statistcs machnes"))
    statistics = drill_texts()[1]
    expect(listed.first).to_have_text(statistics)  # not a main claim: every claim is searched
    expect(page).to_have_url(re.compile(r"[?&]q=statistcs(\+|%20)machnes"))
    expect(page.get_by_label("Find a claim")).to_be_focused()  # the box was not swapped
    listed.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(statistics)
    assert not session.errors


def _support(people: int) -> str:
    return f"{people} {'person supports' if people == 1 else 'people support'} it"


def test_a_member_endorses_a_claim_and_sees_its_strength_change(demo, session):
    """Support a claim from its page (htmx), then read the rebuilt map there: one more
    supporter, and a higher strength."""
    argument_map = ArgumentMap.objects.filter(topic=demo.topic).latest("version")
    weakest = min(
        stored_graph(argument_map)["nodes"], key=lambda node: (node["strength"], node["id"])
    )
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


def test_a_new_reply_is_landed_on_confirmed_and_highlighted_below_one_line_ancestors(db, session):
    """After posting, the page opens on the new reply, says it is posted and marks it; the
    long posts above it are one line each. A post's "link" lands on it the same way."""
    thread = make_thread(title="Long context")
    essay = "\n\n".join(f"Paragraph {n}: " + "a long argument, " * 60 for n in range(1, 6))
    chain = [thread.opening_post]
    for _ in range(6):
        chain.append(make_reply(chain[-1], body=essay))
    UserFactory(username="carol")
    session.log_in("carol", PASSWORD)
    page = session.goto(chain[-1].get_absolute_url())
    reply_link = page.locator(f"details#post-{chain[-1].pk} > .actions").get_by_role(
        "link", name="reply"
    )
    session.after_htmx_settles(reply_link.click)
    page.get_by_label("Your reply").fill("Short and to the point.")
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(body="Short and to the point.")
    mine = page.locator(f"details#post-{reply.pk}")
    expect(mine).to_be_in_viewport()
    expect(page.get_by_role("status")).to_have_text("Your reply is posted.")
    expect(page.get_by_role("status")).to_be_in_viewport()
    _expect_highlighted(mine)
    context = page.get_by_role("region", name="Context").get_by_role("listitem")
    expect(context).to_have_count(6)  # the reply's ancestors, the opening post aside
    expect(context.first.get_by_role("link")).to_contain_text("Paragraph 1: a long argument")
    _expect_one_line_each(context)
    session.screenshot("reply-landed", full_page=False)

    # A permalink lands on its post the same way.
    page = session.goto(thread.get_absolute_url())
    page.locator(f"details#post-{chain[2].pk} > .actions").get_by_role(
        "link", name="link to this post"
    ).click()
    expect(page).to_have_url(re.compile(rf"/posts/{chain[2].pk}/#post-{chain[2].pk}$"))
    _expect_highlighted(page.locator(f"details#post-{chain[2].pk}"))
    expect(page.locator(f"details#post-{chain[3].pk} > summary")).to_have_css(
        "background-color",
        "rgba(0, 0, 0, 0)",  # its replies are not marked
    )
    assert not session.errors


def _expect_highlighted(post) -> None:
    expect(post).to_be_in_viewport()
    assert post.evaluate("(el) => el.matches(':target')")
    expect(post.locator("> summary")).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")


def test_the_reply_form_grows_claim_rows_in_place_and_previews_the_markdown(db, session):
    """One claim row at first, more in place on "Add another claim"; "Preview" shows the body
    rendered (htmx), sanitized; a claim without a stance is a clear error."""
    thread = make_thread(title="Rows and previews")
    UserFactory(username="carol")
    session.log_in("carol", PASSWORD)
    page = session.goto(thread.get_absolute_url())
    form = page.get_by_role("region", name="Reply to the thread").locator("form")
    claims = [form.get_by_label(f"Claim {n}", exact=True) for n in range(1, 6)]
    expect(claims[0]).to_be_visible()
    for claim in claims[1:]:
        expect(claim).to_be_hidden()
    add = form.get_by_role("button", name="Add another claim")
    for shown, claim in enumerate(claims[1:], start=2):
        add.click()
        expect(claim).to_be_visible()
        expect(claim).to_be_focused()
        expect(form.locator("input[name=claim_rows]")).to_have_value(str(shown))
    expect(add).to_be_hidden()  # five rows: as many as a post can carry
    assert path_of(page) == thread.get_absolute_url()

    form.get_by_label("Your reply").fill("A **bold** move <script>alert(1)</script>")
    session.after_htmx_settles(form.get_by_role("button", name="Preview").click)
    preview = form.locator(".preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_contain_text("A bold move")
    expect(preview.locator("script")).to_have_count(0)
    assert path_of(page) == thread.get_absolute_url() and thread.posts.count() == 1
    session.screenshot("reply-preview", full_page=False)

    claims[0].fill("Rows grow in place")
    form.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Choose whether your post supports or opposes «Rows grow in place»."
    )
    assert thread.posts.count() == 1
    page.get_by_label("Stance on claim 1", exact=True).select_option("opposes")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(r"/posts/(\d+)/#post-\1$"))
    reply = Post.objects.get(parent=thread.opening_post)
    assert [(tag.claim.text, tag.stance) for tag in reply.tags.select_related("claim")] == [
        ("Rows grow in place", "opposes")
    ]
    assert not session.errors


@pytest.mark.parametrize(
    ("viewport", "javascript"),
    [(None, True), (PHONE, True), (None, False)],
    ids=["desktop", "phone", "without-javascript"],
)
def test_a_reply_reaches_the_other_member_who_marks_it_read(db, new_session, viewport, javascript):
    """A replies to B's post; B sees the unread count in the header and the notification,
    and marks it read: the count goes."""
    thread = make_thread(title="Who owns a style?", author=UserFactory(username="bea"))
    UserFactory(username="abe")
    abe = new_session(viewport=viewport)
    abe.log_in("abe", PASSWORD)
    page = abe.goto(thread.get_absolute_url())
    form = page.get_by_role("region", name="Reply to the thread").locator("form")
    form.get_by_label("Your reply").fill("Nobody owns a style.")
    form.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_have_text("Your reply is posted.")

    bea = new_session(viewport=viewport, javascript=javascript)
    bea.log_in("bea", PASSWORD)
    unread = bea.account_nav.get_by_role("link", name="Notifications (1 new)")
    expect(unread).to_be_visible()
    unread.click()
    note = bea.page.locator(".notifications > li.unread")
    expect(note).to_contain_text("abe replied to your post in “Who owns a style?”.")
    expect(note).to_contain_text("Nobody owns a style.")
    bea.screenshot(f"notifications-{'phone' if viewport else 'desktop'}-js-{javascript}")
    assert (
        bea.page.evaluate("document.documentElement.scrollWidth")
        <= (bea.page.viewport_size["width"])
    )
    note.get_by_role("button", name="Mark read").click()
    expect(bea.page.get_by_role("status")).to_have_text("Marked read.")
    expect(bea.account_nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(bea.page.locator(".notifications > li.unread")).to_have_count(0)


REPORT_VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.mark.parametrize(
    ("viewport", "javascript"), [("desktop", True), ("phone", True), ("desktop", False)]
)
def test_member_reports_a_post_moderator_removes_it_and_the_member_is_told(
    demo, new_session, viewport, javascript
):
    spam = Post.objects.filter(thread=demo, depth=1).exclude(author__username="demo_member")[0]
    size = REPORT_VIEWPORTS[viewport]
    member = new_session(viewport=size, javascript=javascript)
    moderator = new_session(viewport=size, javascript=javascript)
    member.log_in("demo_member")
    page = member.goto(demo.get_absolute_url())
    page.locator(f"#post-{spam.pk} > p.actions").get_by_role("link", name="report").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Report this post to the moderators")
    page.get_by_label("What is wrong with it?").fill("Advertising, not argument.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("the moderators will look at it")
    member.screenshot(f"report-sent-{viewport}{'' if javascript else '-no-js'}")

    moderator.log_in("demo_moderator")
    queue = moderator.page
    moderator.account_nav.get_by_role("link", name="Reports").click()
    entry = queue.locator("article.reported")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("1 member reported it")
    expect(entry).to_contain_text("Advertising, not argument.")
    assert _fits(queue), "the queue scrolls sideways"
    moderator.screenshot(f"report-queue-{viewport}{'' if javascript else '-no-js'}")
    entry.get_by_label("Note").fill("Advertising")
    entry.get_by_role("button", name="Remove the post").click()
    expect(queue.get_by_role("status")).to_contain_text("Resolved 1 report(s)")
    expect(queue.get_by_text("No open reports.")).to_be_visible()

    page = member.goto("/")
    member.account_nav.get_by_role("link", name=re.compile(r"Notifications \(1 new\)")).click()
    told = page.get_by_role("link", name="A moderator removed the post you reported: Advertising")
    expect(told).to_be_visible()
    member.screenshot(f"report-outcome-{viewport}{'' if javascript else '-no-js'}")
    told.click()
    expect(page.locator(f"#post-{spam.pk}")).to_contain_text("removed by moderator: Advertising")
    assert not member.errors and not moderator.errors


def _fits(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
