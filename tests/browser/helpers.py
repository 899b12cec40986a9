"""What the browser tests do again and again: log in, take screenshots, run axe, press Tab."""

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Request,
    Response,
    expect,
)
from playwright.sync_api import Error as PlaywrightError

DEMO_PASSWORD = "agora-demo"
DEMO_TOPIC = "ai-art-and-copyright"
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
MAX_TABS = 400  # a bound on any walk through a page with the Tab key
# Runs in every page before its own scripts: records what throws and each htmx settle.
WATCH = """
const watch = (window.__agoraTest = {errors: [], settled: 0});
addEventListener("error", (event) => watch.errors.push(String(event.message)));
addEventListener("unhandledrejection", (event) => watch.errors.push(String(event.reason)));
document.addEventListener("htmx:afterSettle", () => watch.settled++);
"""


@dataclass
class BrowserSession:
    """One browser context (its own cookies) with its page, on the live server."""

    context: BrowserContext
    page: Page
    artifacts: Path
    test_name: str
    errors: list[str] = field(default_factory=list)
    # What else the browser complained of, in any page of the context: console errors and
    # warnings (a style or script the Content-Security-Policy refused among them), requests
    # that failed, and subresources answered with 4xx or 5xx. `new_session` fails the test
    # on any that `allow` did not expect.
    complaints: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)
    # A request the browser aborts because its page was left is no failure: each request
    # notes which of the page's documents sent it, and an abort counts only if that
    # document is still there when the test ends.
    documents: int = 0  # how many times the page has moved on to another address
    sent_from: dict[Request, int] = field(default_factory=dict)
    aborted: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self):
        # A script that throws is a failed test, whatever the page still shows.
        self.page.on(
            "pageerror",
            lambda error: self.errors.append(f"{self.page.url}: {error}\n{error.stack}"),
        )
        self.page.add_init_script(WATCH)
        self.context.on("console", self._on_console)
        self.page.on("framenavigated", self._on_navigated)
        self.context.on("request", self._on_request)
        self.context.on("requestfailed", self._on_request_failed)
        self.context.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            where = message.location
            self.complaints.append(
                f"console {message.type} on {message.page and message.page.url}"
                f" ({where['url']}:{where['lineNumber']}): {message.text}"
            )

    def _on_navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self.documents += 1

    def _on_request(self, request: Request) -> None:
        self.sent_from[request] = self.documents

    def _on_request_failed(self, request: Request) -> None:
        complaint = f"{request.method} {request.url} failed: {request.failure}"
        if request.failure == "net::ERR_ABORTED":
            self.aborted.append((self.sent_from.get(request, self.documents), complaint))
        else:
            self.complaints.append(complaint)

    def _on_response(self, response: Response) -> None:
        # A page's own status is the test's to check (`goto` does); its parts must load.
        if response.status >= 400 and not response.request.is_navigation_request():
            self.complaints.append(
                f"{response.request.method} {response.url} ({response.request.resource_type})"
                f" answered {response.status}"
            )

    def allow(self, pattern: str) -> None:
        """Expect a complaint this test causes on purpose (a regular expression searched for
        in each): it is let through, and the test fails if it never comes."""
        self.allowed.append(re.compile(pattern))

    def unexpected_complaints(self) -> list[str]:
        """The page errors and complaints no `allow` expected, and each `allow` unmet."""
        for page in self.context.pages:
            # A round trip through each page delivers what it logged before now; a page
            # that is closing or between documents has nothing left to deliver.
            with contextlib.suppress(PlaywrightError):
                page.evaluate("0")
        heard = self.errors + self.complaints
        heard += [complaint for sent, complaint in self.aborted if sent == self.documents]
        return [
            complaint
            for complaint in heard
            if not any(pattern.search(complaint) for pattern in self.allowed)
        ] + [
            f"expected, never came: {pattern.pattern}"
            for pattern in self.allowed
            if not any(pattern.search(complaint) for complaint in heard)
        ]

    def wait_for(self, predicate: str) -> None:
        """Wait until `predicate` (a JS function) holds, failing at once if a script throws."""
        self.page.wait_for_function(
            f"() => window.__agoraTest.errors.length > 0 || ({predicate})()"
        )
        thrown = self.page.evaluate("window.__agoraTest.errors")
        assert not thrown and not self.errors, thrown + self.errors

    def after_htmx_settles(self, action: Callable[[], object]) -> None:
        """Do `action`, then wait until htmx has swapped in and wired up what it loaded (its
        new inputs only send their own requests from then on)."""
        settled = self.page.evaluate("window.__agoraTest.settled")
        action()
        self.wait_for(f"() => window.__agoraTest.settled > {settled}")

    def goto(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"
        return self.page

    def log_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        page = self.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(self.account_nav.get_by_role("link", name=username, exact=True)).to_be_visible()

    @property
    def account_nav(self) -> Locator:
        return self.page.get_by_role("navigation", name="Account")

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """Save the page into test-artifacts/screenshots/ (not committed)."""
        path = self.artifacts / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=path, full_page=full_page, animations="disabled")
        return path

    def axe(self, name: str) -> list[dict]:
        """Run axe-core on the page as it is; keep the full report; return the violations."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=AXE)
        results = self.page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        report = self.artifacts.parent / "axe" / f"{name}.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(results["violations"], indent=1), encoding="utf-8")
        return results["violations"]

    def tab_until(self, predicate: str, *, shift: bool = False, limit: int = MAX_TABS) -> dict:
        """Press Tab (or Shift+Tab) until `predicate`, a JS function of the focused element,
        holds; return a description of that element."""
        key = "Shift+Tab" if shift else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            if self.page.evaluate(f"({predicate})(document.activeElement)"):
                return focused(self.page)
        raise AssertionError(f"{limit} presses of {key} never reached {predicate}")


def focused(page: Page) -> dict:
    """The focused element: its tag, name, text, href and computed outline."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
            type: el.getAttribute("type"), text: (el.innerText || "").trim().slice(0, 120),
            href: el.getAttribute("href"), outlineStyle: style.outlineStyle,
            outlineWidth: parseFloat(style.outlineWidth),
            focusVisible: el.matches(":focus-visible"),
          };
        }"""
    )


def blocking(violations: list[dict]) -> list[str]:
    """The serious and critical violations, one readable line each."""
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def unlabelled_controls(page: Page) -> list[str]:
    """Form controls a screen reader could not name: no label, aria-label(ledby) or title."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("input, select, textarea"))
          .filter((el) => el.type !== "hidden")
          .filter((el) => {
            const byLabel = Array.from(el.labels || []).some((l) => l.textContent.trim());
            const byAria = (el.getAttribute("aria-label") || "").trim()
              || (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some(
                   (id) => id && document.getElementById(id)?.textContent.trim());
            return !(byLabel || byAria || (el.getAttribute("title") || "").trim());
          })
          .map((el) => `${el.tagName.toLowerCase()}#${el.id || "?"}[name=${el.name}]`)"""
    )


def path_of(page: Page) -> str:
    """The path (and query) of the page's URL, without the live server's origin."""
    return re.sub(r"^https?://[^/]+", "", page.url)
