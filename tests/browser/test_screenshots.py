"""The README's screenshots: the thread, the map's overview, a claim in focus and a claim page
of the demo, 1000 px wide.

Every run saves them to test-artifacts/screenshots/docs/. To refresh the committed copies in
docs/screenshots/, run this file with AGORA_DOCS_SCREENSHOTS=1; pngquant, when installed
(apt-get install pngquant), shrinks them to a few hundred kilobytes at most.
"""

import os
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from apps.claims.models import Claim
from tests.browser.conftest import ROOT
from tests.browser.helpers import DEMO_TOPIC

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DOCS = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1000, 1250
MAX_BYTES = 250_000


def _thread(session, thread):
    page = session.goto(thread.get_absolute_url())
    # From the replies' heading down: the nesting, the responses and the claim chips.
    page.evaluate("window.scrollTo(0, document.getElementById('replies-heading').offsetTop - 16)")


def _map(session, thread):
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/")
    expect(page.locator(".overview-entry").first).to_be_visible()


def _focus(session, thread):
    """A claim in focus, reached from a main claim: its pros and cons side by side."""
    thesis = Claim.objects.get(text__startswith="AI art is art in practice")
    claim = Claim.objects.get(text__startswith="One person typing a prompt")
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/claims/{claim.pk}/?path={thesis.pk}")
    expect(page.get_by_role("heading", name="Against it")).to_be_visible()


def _graph(session, thread):
    """The neighbourhood of a much-argued claim, drawn in layers under its focus view."""
    claim = Claim.objects.get(text__startswith="AI is basically a virtual brain")
    page = session.goto(f"/topics/{DEMO_TOPIC}/map/claims/{claim.pk}/")
    session.wait_for(
        "() => { const box = document.querySelector('#neighbourhood .graph-box');"
        " return box && box.cy && box.cy.nodes().length > 0; }"
    )
    page.evaluate("document.getElementById('neighbourhood').scrollIntoView()")


def _claim(session, thread):
    claim = Claim.objects.get(text="AI art is not art theft")
    page = session.goto(claim.get_absolute_url())
    expect(page.get_by_role("heading", name="Against it")).to_be_visible()


# name -> (how to get there, the viewport's height, whether to take the whole page)
SHOTS = {
    "thread": (_thread, HEIGHT, False),
    "map": (_map, HEIGHT, False),
    "focus": (_focus, HEIGHT, False),
    "graph": (_graph, 900, False),
    "claim": (_claim, 700, True),
}


@pytest.mark.parametrize(
    "name",
    [
        "thread",
        "map",
        "focus",
        "graph",
        "claim",
    ],
)
def test_readme_screenshot(name, demo, new_session):
    show, height, full_page = SHOTS[name]
    session = new_session(viewport={"width": WIDTH, "height": height})
    show(session, demo)
    path = session.screenshot(f"docs/{name}", full_page=full_page)
    assert not session.errors
    if os.environ.get("AGORA_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        target = DOCS / f"{name}.png"
        if shutil.which("pngquant"):
            subprocess.run(
                ["pngquant", "--force", "--skip-if-larger", "--strip", "--quality=70-95",
                 "--output", str(target), str(path)],
                check=False,
            )  # fmt: skip
        if not target.exists() or target.stat().st_mtime < path.stat().st_mtime:
            shutil.copyfile(path, target)
        assert target.stat().st_size <= MAX_BYTES, f"{target} is too large for the README"
