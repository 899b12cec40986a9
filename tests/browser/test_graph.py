"""The graph view in Chromium: a claim's neighbourhood drawn in layers with legible labels,
tapped to focus a claim; on a phone a box that a swipe scrolls past until "Explore"; the
whole map only on request; and open pages that follow new map versions live."""

import re

import pytest
from django.db.models import Count, F
from playwright.sync_api import expect

from apps.claims.models import ClaimTag
from apps.maps.models import ArgumentMap, MapClaim
from apps.maps.neighbourhood import claim_neighbourhood
from apps.maps.services import map_build
from tests.browser.helpers import DEMO_TOPIC, blocking, path_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
SHAPES = {"IN": "ellipse", "OUT": "diamond", "UNDECIDED": "rectangle"}
LIVE_WITHIN_MS = 5_000  # a new version shows on an open page this soon after its build

# The drawn graph of a section, node by node: where each is on the screen and how it looks.
DRAWN = """(section) => {
  const box = document.querySelector(section + ' .graph-box');
  const frame = box.getBoundingClientRect();
  const cy = box.cy;
  return cy.nodes().map((node) => {
    const at = node.renderedPosition();
    return {
      claim: node.data('claim'), label: node.data('label'), colour: node.data('colour'),
      shape: node.pstyle('shape').strValue, wrap: node.pstyle('text-wrap').strValue,
      labelPx: node.pstyle('font-size').pfValue * cy.zoom(), focus: node.hasClass('focus'),
      x: frame.left + at.x, y: frame.top + at.y,
      inView: at.x > 20 && at.x < frame.width - 20 && at.y > 20 && at.y < frame.height - 20,
    };
  });
}"""
VIEW = """(section) => {
  const box = document.querySelector(section + ' .graph-box');
  const rect = box.getBoundingClientRect();
  return {scrollY: window.scrollY, pan: box.cy.pan(), zoom: box.cy.zoom(),
          top: rect.top, height: rect.height, x: rect.left + rect.width / 2};
}"""


def _busiest_claim(topic) -> int:
    """The claim of the latest map with the most relations into it."""
    argument_map = ArgumentMap.objects.filter(topic=topic).latest("version")
    rows = MapClaim.objects.filter(argument_map=argument_map)
    return rows.order_by(-(F("supported_by") + F("attacked_by")), "claim_id")[0].claim_id


def _wait_for_graph(session, section: str = "#neighbourhood") -> list[dict]:
    """Wait until Cytoscape has drawn the section's graph; return its nodes."""
    session.wait_for(
        f"() => {{ const box = document.querySelector('{section} .graph-box');"
        " return box && box.cy && box.cy.nodes().length > 0; }"
    )
    return session.page.evaluate(DRAWN, section)


def _after_scrolling(page) -> None:
    """Two frames on: Cytoscape caches where its box is until the scroll event reaches it."""
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def _rgb(colour: str) -> list[int]:
    return [int(channel) for channel in re.findall(r"\d+", colour)[:3]]


def test_the_focus_page_draws_the_neighbourhood_legibly_and_a_tap_focuses_a_claim(demo, session):
    claim = _busiest_claim(demo.topic)
    expected = claim_neighbourhood(topic=demo.topic, claim_id=claim)
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/claims/{claim}/?path=1")

    drawn = {node["claim"]: node for node in _wait_for_graph(session)}

    assert set(drawn) == {node.id for node in expected.nodes} and len(drawn) > 3
    for node in expected.nodes:
        shown = drawn[node.id]
        assert shown["label"].startswith(f"{node.text}\n{node.word} {node.strength:.2f} · ")
        assert shown["wrap"] == "wrap" and shown["labelPx"] >= 12, shown
        assert shown["shape"] == SHAPES[node.standing]
        assert shown["focus"] == (node.id == claim)
    weakest, *_, strongest = sorted(expected.nodes, key=lambda node: node.strength)
    weak, strong = _rgb(drawn[weakest.id]["colour"]), _rgb(drawn[strongest.id]["colour"])
    assert weak[0] > weak[1] and strong[1] > strong[0]  # red for weak, green for strong
    expect(page.locator("#neighbourhood .graph-legend")).to_contain_text("● circle IN")
    session.screenshot("focus-graph")

    page.locator("#neighbourhood .graph-box").scroll_into_view_if_needed()
    _after_scrolling(page)
    target = next(node for node in _wait_for_graph(session) if not node["focus"] and node["inView"])
    page.mouse.move(target["x"], target["y"])
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(target["label"].split("\n")[0])  # the whole text
    expect(page.locator("#neighbourhood .graph-box")).to_have_css("cursor", "pointer")
    page.mouse.click(target["x"], target["y"])

    expect(page).to_have_url(re.compile(rf"/map/claims/{target['claim']}/\?path=1,{claim}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(target["label"].split("\n")[0])
    _wait_for_graph(session)
    assert not session.errors


def _swipe(session, x: float, y: float, *, down: float, right: float = 0) -> None:
    """One finger on the screen, moved a step a frame, held, then lifted, as Chromium takes
    it from a touch screen (touch events, and the page's scrolling when nothing cancels them)."""
    cdp = session.context.new_cdp_session(session.page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x + right * step / 10, "y": y + down * step / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        session.page.evaluate("() => new Promise(requestAnimationFrame)")  # a move per frame
    for _ in range(3):  # held still before it lifts: no fling scrolls on afterwards
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        session.page.evaluate("() => new Promise(requestAnimationFrame)")
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_on_a_phone_a_swipe_over_the_graph_scrolls_the_page_until_explore(demo, new_session):
    phone = new_session(viewport=PHONE, touch=True)
    claim = _busiest_claim(demo.topic)
    page = phone.goto(f"/topics/{DEMO_TOPIC}/map/claims/{claim}/")
    nodes = _wait_for_graph(phone)
    assert min(node["labelPx"] for node in nodes) >= 12
    # The box half way down the screen, with page above it to scroll back to.
    page.evaluate(
        "() => window.scrollBy(0, document.querySelector('#neighbourhood .graph-box')"
        ".getBoundingClientRect().top - 300)"
    )
    before = page.evaluate(VIEW, "#neighbourhood")
    assert before["height"] <= min(420, 0.6 * PHONE["height"]) and before["scrollY"] > 300

    _swipe(phone, before["x"], before["top"] + 60, down=250)

    phone.wait_for(f"() => window.scrollY < {before['scrollY'] - 100}")
    after = page.evaluate(VIEW, "#neighbourhood")
    assert after["pan"] == before["pan"] and after["zoom"] == before["zoom"]
    phone.screenshot("graph-phone", full_page=False)

    page.get_by_role("button", name="Explore the graph").click()
    close = page.get_by_role("button", name="Close")
    expect(close).to_be_focused()
    exploring = page.evaluate(VIEW, "#neighbourhood")
    _swipe(phone, exploring["x"], exploring["top"] + 60, down=200, right=-60)

    panned = exploring["pan"]["y"]
    phone.wait_for(
        f"() => document.querySelector('#neighbourhood .graph-box').cy.pan().y !== {panned}"
    )
    assert page.evaluate("window.scrollY") == exploring["scrollY"]  # the page stayed put
    close.click()
    expect(page.get_by_role("button", name="Explore the graph")).to_be_focused()
    assert page.evaluate(VIEW, "#neighbourhood")["height"] == before["height"]
    assert not page.evaluate(
        "document.querySelector('#neighbourhood .graph-box').cy.userPanningEnabled()"
    )

    page.locator("#neighbourhood .graph-box").scroll_into_view_if_needed()
    _after_scrolling(page)
    target = next(
        node
        for node in page.evaluate(DRAWN, "#neighbourhood")
        if not node["focus"] and node["inView"]
    )
    page.touchscreen.tap(target["x"], target["y"])  # a tap, unlike a swipe, focuses the claim
    expect(page).to_have_url(re.compile(rf"/map/claims/{target['claim']}/\?path={claim}$"))
    assert not phone.errors


def test_on_a_desktop_the_wheel_over_the_graph_scrolls_the_page(demo, session):
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/claims/{_busiest_claim(demo.topic)}/")
    _wait_for_graph(session)
    page.evaluate(
        "() => window.scrollBy(0, document.querySelector('#neighbourhood .graph-box')"
        ".getBoundingClientRect().top - 200)"
    )
    before = page.evaluate(VIEW, "#neighbourhood")
    page.mouse.move(before["x"], before["top"] + 100)
    page.mouse.wheel(0, -150)
    session.wait_for(f"() => window.scrollY < {before['scrollY']}")
    assert page.evaluate(VIEW, "#neighbourhood")["zoom"] == before["zoom"]


def test_the_whole_map_is_drawn_only_once_asked_after_its_size(demo, session):
    argument_map = ArgumentMap.objects.filter(topic=demo.topic).latest("version")
    stats = argument_map.stats
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    page.get_by_role("link", name="Draw the whole map as one graph").click()

    expect(page.locator("#whole-map")).to_contain_text(
        f"Draw all {stats['claims']} claims and {stats['supports'] + stats['attacks']} relations"
        f" of version {argument_map.version}? This can take minutes and a lot of memory."
    )
    expect(page.locator("#whole-map .graph-box")).to_have_count(0)
    page.get_by_role("button", name="Draw the whole map").click()

    nodes = _wait_for_graph(session, "#whole-map")
    assert len(nodes) == stats["claims"]
    expect(page.get_by_role("status").filter(has_text="Drawn:")).to_contain_text(
        f"{stats['claims']} claims"
    )
    page.get_by_role("button", name="Explore the graph").click()
    page.evaluate("() => document.querySelector('#whole-map .graph-box').cy.fit()")
    _after_scrolling(page)
    target = next(node for node in page.evaluate(DRAWN, "#whole-map") if node["inView"])
    page.mouse.click(target["x"], target["y"])
    expect(page).to_have_url(re.compile(rf"/map/claims/{target['claim']}/$"))
    assert not session.errors


def _reply_with_a_new_reason(writer, tag: ClaimTag, reason: str) -> None:
    """Through the reply page: agree with the post's claim, with a new claim as the reason."""
    page = writer.goto(f"/posts/{tag.post_id}/reply/")
    page.get_by_label("Your reply").fill(f"Agreed, and here is why: {reason}")
    answer = page.get_by_role("group", name=f"supports {tag.claim.text}")
    answer.get_by_role("radio", name="agree", exact=True).check()
    page.get_by_label("Claim 1", exact=True).fill(reason)
    page.get_by_label("Stance on claim 1", exact=True).select_option("supports")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status").filter(has_text="Your reply is posted.")).to_be_visible()


def test_a_post_in_one_browser_shows_on_a_focus_page_open_in_another_within_5_s(demo, new_session):
    # A post with one claim: agreeing with it and giving a reason draws "reason supports it".
    tag = (
        ClaimTag.objects.filter(post__thread=demo, stance="supports")
        .annotate(claims=Count("post__tags"))
        .filter(claims=1)
        .select_related("claim")
        .order_by("post_id")[0]
    )
    reason = "Style is a technique, and techniques are free to learn"
    reader = new_session(viewport={"width": 1280, "height": 500})
    page = reader.goto(f"/topics/{DEMO_TOPIC}/map/claims/{tag.claim_id}/")
    _wait_for_graph(reader)
    # A later poll revalidates the browser's copy: the server answers 304 while nothing changed
    # (tests/maps/test_views.py), which Playwright reports as the copy's 200.
    with page.expect_request_finished(
        lambda r: "/map/status/" in r.url and "if-none-match" in r.all_headers()
    ):
        pass
    page.evaluate(
        "() => window.scrollBy(0, document.getElementById('neighbourhood')"
        ".getBoundingClientRect().top - 1)"
    )
    before = page.evaluate("document.getElementById('neighbourhood').getBoundingClientRect().top")

    writer = new_session()
    writer.log_in("demo_member")
    _reply_with_a_new_reason(writer, tag, reason)
    # No Celery worker runs in these tests: build as the one the post queued would.
    version = map_build(topic_id=demo.topic_id).version

    expect(page.locator("#map-live .card-claim", has_text=reason)).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    expect(
        page.get_by_role("status").filter(has_text=f"Updated to version {version}.")
    ).to_be_visible()
    expect(page.locator("#map-status")).to_contain_text(f"Version {version}, built at")
    reader.wait_for(
        "() => document.querySelector('#neighbourhood .graph-box').cy.nodes()"
        f".some((node) => node.data('label').startsWith({reason!r}))"
    )
    after = page.evaluate("document.getElementById('neighbourhood').getBoundingClientRect().top")
    assert abs(after - before) <= 2, (before, after)  # what was in view stayed in place
    assert path_of(page) == f"/topics/{DEMO_TOPIC}/map/claims/{tag.claim_id}/"
    assert not reader.errors and not writer.errors


# Pretend the tab went to the background (or came back), as a browser tells the page.
SET_HIDDEN = """(hidden) => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_a_hidden_tab_stops_polling_and_polls_at_once_on_return(demo, session):
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    polls = []
    page.on("request", lambda r: "/map/status/" in r.url and polls.append(r.url))
    page.wait_for_event("request", lambda r: "/map/status/" in r.url)
    page.evaluate(SET_HIDDEN, True)
    seen = len(polls)
    page.wait_for_timeout(4_000)  # a poll is due every 3 s: none may come in a longer while
    assert len(polls) == seen
    with page.expect_request(lambda r: "/map/status/" in r.url, timeout=1_000):
        page.evaluate(SET_HIDDEN, False)


@pytest.mark.parametrize("where", ["focus", "focus-exploring", "whole-drawn"])
def test_axe_finds_nothing_serious_on_the_graph_views(where, demo, new_session):
    session = new_session(axe=True)
    if where.startswith("focus"):
        session.goto(f"/topics/{DEMO_TOPIC}/map/claims/{_busiest_claim(demo.topic)}/")
        _wait_for_graph(session)
        if where == "focus-exploring":
            session.page.get_by_role("button", name="Explore the graph").click()
    else:
        session.goto(f"/topics/{DEMO_TOPIC}/map/whole/")
        session.page.get_by_role("button", name="Draw the whole map").click()
        _wait_for_graph(session, "#whole-map")
    assert blocking(session.axe(f"graph-{where}")) == []
