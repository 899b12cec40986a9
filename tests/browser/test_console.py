"""A clean console on every page (issue 15). Every browser test fails when its pages log an
error or a warning, a style or script the Content-Security-Policy refused, a failed request
or a part of a page answered 4xx or 5xx (`new_session` in conftest.py); these tests pin that
check itself, the way a test expects a message of its own, and the pages that draw graphs."""

import pytest
from playwright.sync_api import expect

from apps.maps.models import ArgumentMap, MapClaim
from tests.browser.helpers import DEMO_TOPIC

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Cytoscape adds an inline <style> (refused by the policy) unless map.js's marker is there,
# and warns when its box is position: static or a custom wheel sensitivity is set.
DRAWN_CLEANLY = """(section) => {
  const box = document.querySelector(section + " .graph-box");
  return {
    nodes: box.cy.nodes().length,
    inlineStyles: document.querySelectorAll("style").length,
    position: getComputedStyle(box).position,
  };
}"""


def test_a_warning_a_refused_style_and_a_missing_file_are_complaints(db, session):
    page = session.goto("/")
    page.evaluate(
        """() => {
          console.warn("a warning");
          const style = document.createElement("style");
          style.textContent = "p { color: red; }";
          document.head.append(style);
          return fetch("/static/missing.js");
        }"""
    )
    complaints = "\n".join(session.unexpected_complaints())
    session.complaints.clear()  # caused here on purpose: the teardown has nothing to fail on

    assert "console warning on" in complaints and ": a warning" in complaints
    assert "violates the following Content Security Policy directive 'style-src" in complaints
    assert "/static/missing.js (fetch) answered 404" in complaints


def test_a_request_cut_off_by_leaving_its_page_is_no_complaint_but_one_cut_off_on_it_is(
    live_server, session
):
    held = f"GET {live_server.url}/never-answered/ failed: net::ERR_ABORTED"
    session.context.route("**/never-answered/", lambda route: None)  # held until cut off
    session.goto("/").evaluate("() => { fetch('/never-answered/'); }")
    page = session.goto("/accounts/login/")
    assert [complaint for _, complaint in session.aborted] == [held]
    assert session.unexpected_complaints() == []

    page.evaluate(
        """() => {
          const stop = new AbortController();
          const sent = fetch("/never-answered/", {signal: stop.signal}).catch(() => null);
          stop.abort();
          return sent;
        }"""
    )
    complaints = session.unexpected_complaints()
    session.aborted.clear()  # caused here on purpose
    assert complaints == [held]


def test_a_test_lets_through_only_the_messages_it_expects_and_they_must_come(db, session):
    session.allow(r"console error on .*: the message this test expects$")
    session.goto("/").evaluate("console.error('the message this test expects')")
    assert session.unexpected_complaints() == []

    session.allow("a message never logged")
    assert session.unexpected_complaints() == ["expected, never came: a message never logged"]
    session.allowed.pop()


def test_the_not_found_page_complains_of_its_own_status_only(db, session):
    session.allow(r"on http://[^/]+/no-such-page/ .*status of 404 \(Not Found\)$")
    response = session.page.goto("/no-such-page/")

    assert response is not None and response.status == 404
    expect(session.page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(session.page.locator("body")).not_to_have_css("margin", "8px")  # agora.css applies


def test_each_page_that_draws_a_graph_draws_without_a_console_message(demo, session):
    argument_map = ArgumentMap.objects.filter(topic=demo.topic).latest("version")
    claim = MapClaim.objects.filter(argument_map=argument_map).order_by("claim_id")[0].claim
    for path, section in (
        (claim.get_absolute_url(), "#neighbourhood"),
        (f"/topics/{DEMO_TOPIC}/map/claims/{claim.pk}/", "#neighbourhood"),
        (f"/topics/{DEMO_TOPIC}/map/whole/", "#whole-map"),
    ):
        page = session.goto(path)
        if section == "#whole-map":
            page.get_by_role("button", name="Draw the whole map").click()
        session.wait_for(
            f"() => document.querySelector('{section} .graph-box')?.cy?.nodes().length > 0"
        )
        drawn = page.evaluate(DRAWN_CLEANLY, section)
        assert drawn == {"nodes": drawn["nodes"], "inlineStyles": 0, "position": "relative"}
