"""Helpers for the security tests: what runs on a page, clients, and row-count snapshots."""

import re
from functools import cache
from html.parser import HTMLParser

from django.db import connection
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.html_checks import active_content

# Scripts a content block loads on purpose (the map page), removed before looking at <main>.
TEMPLATE_SCRIPTS = (
    "vendor/cytoscape/cytoscape.min.js",
    "vendor/cytoscape-dagre/cytoscape-dagre.min.js",
    "js/map.js",
    "js/live.js",
)
MAIN_OPEN = '<main id="main">'


class _HtmxCollector(HTMLParser):
    """htmx is loaded on every page, so an hx-on attribute or a script URL in hx-* runs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            bare = name.removeprefix("data-")
            lowered = "".join(ch for ch in (value or "") if ch > " ").lower()
            if bare.startswith("hx-on") or (
                bare.startswith("hx-") and lowered.startswith(("javascript:", "js:", "data:"))
            ):
                self.found.append(f"{tag}[{name}={value}]")


def _htmx(html: str) -> list[str]:
    collector = _HtmxCollector()
    collector.feed(html)
    collector.close()
    return collector.found


TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)


@cache
def _head_without_title() -> str:
    """base.html's <head> as every page has it, but for the title."""
    head = render_to_string("404.html").partition("<body>")[0]
    return TITLE.sub("", head, count=1)


def _template_scripts() -> list[str]:
    return [f'<script src="{static(path)}" defer></script>' for path in TEMPLATE_SCRIPTS]


def page_problems(html: str, *, forms_in_main: int = 0, logged_in: bool = False) -> list[str]:
    """What could run on a page besides what its templates put there on purpose.

    A full page: its <title> holds no markup, its <head> is base.html's but for it, the header
    and footer only the search box and the logout form, and <main> nothing but `forms_in_main`
    forms. A fragment (no <body>): nothing at all."""
    head, has_body, body = html.partition("<body>")
    if not has_body:
        return active_content(html) + _htmx(html)
    problems = []
    title = head.partition("<title>")[2].partition("</title>")[0]
    if "<" in title:
        problems.append(f"markup in <title>: {title[:80]!r}")
    if TITLE.sub("", head, count=1) != _head_without_title():
        problems.append(f"<head> is not base.html's: {active_content(head)}")
    start, end = body.find(MAIN_OPEN), body.rfind("</main>")
    if start < 0 or end < start:
        return [*problems, "no <main> element"]
    main = body[start:end]
    outside = body[:start] + body[end:]
    # The header's search box, and the logout form for a member.
    expected_outside = ["<form>", "<form>"] if logged_in else ["<form>"]
    if active_content(outside) != expected_outside:
        problems.append(f"outside <main>: {active_content(outside)}")
    for script in _template_scripts():
        main = main.replace(script, "")
    found = active_content(main)
    if found.count("<form>") != forms_in_main:
        problems.append(f"{found.count('<form>')} forms in <main>, expected {forms_in_main}")
    problems += [item for item in found if item != "<form>"] + _htmx(body)
    return problems


def html_of(response) -> str:
    return response.content.decode(response.charset or "utf-8")


def browser(user=None, **kwargs) -> Client:
    """A browser session, logged in as `user` when given (even an inactive one)."""
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def api_client(user=None) -> APIClient:
    """An API client sending `user`'s token, or none."""
    client = APIClient(raise_request_exception=False)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


SNAPSHOT_TABLES = (
    "accounts_user",
    "accounts_notification",
    "forum_thread",
    "forum_post",
    "forum_postrevision",
    "claims_claim",
    "claims_claimtag",
    "claims_endorsement",
    "moderation_claimmerge",
    "moderation_moderationaction",
    "moderation_duplicatedismissal",
    "moderation_report",
)


def row_counts() -> dict[str, int]:
    """The row count of every table a user's write can add to, in one query."""
    columns = ", ".join(f"(SELECT count(*) FROM {table})" for table in SNAPSHOT_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(SNAPSHOT_TABLES, cursor.fetchone(), strict=True))
