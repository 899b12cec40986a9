"""A real browser on the real app: Debian's Chromium, driven by Playwright, against
pytest-django's live server (the app on loopback, in a thread of the test process).

The tests wait on page conditions (Playwright's auto-waiting `expect`), never on sleeps.
Every test that uses the `live_server` needs `pytestmark` below: the server thread reads
the database through its own connections, so the data must be committed
(transaction=True), and each test starts from the migrated database with the moderators
group (serialized_rollback=True: a transactional test empties every table after it).
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from apps.forum.models import Thread
from tests.browser.helpers import BrowserSession

CHROMIUM = os.environ.get("AGORA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000  # the longest any one page condition may take to come true


def require_chromium(path: str) -> None:
    """A run that cannot drive a browser fails, in CI or not: skipped browser tests would
    let `make test` pass without them."""
    if not Path(path).exists():
        pytest.fail(
            f"{path} is missing, so the browser tests cannot run: apt-get install chromium"
            " (as root; .ci/run does), or point AGORA_CHROMIUM at a Chromium.",
            pytrace=False,
        )


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for these tests; every test gets its own fresh context.

    Playwright's sync API keeps an asyncio loop marked as running in this thread while it
    is started, which Django's guard against the ORM in async code would take for an async
    context. The ORM calls here are plain synchronous ones on the test's thread, so the
    guard is lifted for exactly as long as Playwright runs: this package's tests (all
    transactional, so pytest-django runs them together), not the rest of the suite.
    """
    require_chromium(CHROMIUM)
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Starting Playwright leaves this thread in another contextvars context, where Django's
    # `connections` would hand out new wrappers without the test database's state (the
    # data that serialized_rollback restores, among others). Keep the test's own.
    wrappers = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, wrapper in wrappers.items():
                connections[alias] = wrapper
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def new_session(browser, live_server, request):
    """Open browser contexts (a cookie jar each) on the live server; closed after the test,
    which fails if any of their pages complained (BrowserSession.unexpected_complaints): a
    console error or warning, a refused style or script, a failed request, a part of a page
    answered 4xx or 5xx."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    sessions: list[BrowserSession] = []
    test_name = re.sub(r"\W+", "-", request.node.name).strip("-")

    def open_session(
        *,
        javascript: bool = True,
        viewport: dict | None = None,
        axe: bool = False,
        touch: bool = False,  # a phone's touch screen: touch events, and no mouse hover
    ) -> BrowserSession:
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,
            has_touch=touch,
            is_mobile=touch,
            reduced_motion="reduce",
            # The app's Content-Security-Policy forbids inline scripts, as it should; axe
            # goes in as one, so only the accessibility tests' contexts set the policy aside.
            bypass_csp=axe,
        )
        context.set_default_timeout(TIMEOUT_MS)
        sessions.append(
            BrowserSession(
                context=context, page=context.new_page(), artifacts=ARTIFACTS, test_name=test_name
            )
        )
        return sessions[-1]

    yield open_session
    complaints = [complaint for each in sessions for complaint in each.unexpected_complaints()]
    for each in sessions:
        each.context.close()
    assert not complaints, "The browser complained:\n" + "\n".join(complaints)


@pytest.fixture
def session(new_session) -> BrowserSession:
    """A visitor with JavaScript, at desktop size."""
    return new_session()


@pytest.fixture
def demo(live_server) -> Thread:
    """The demo debate (thread, claims, a built map, demo_member and demo_moderator)."""
    call_command("load_demo", stdout=io.StringIO())
    return Thread.objects.get(topic__slug="ai-art-and-copyright")
