"""The API's front door (config/api.py): /api/ says where to go, /api/docs/ reads the schema
from vendored files under the site's Content-Security-Policy, and the README's table lists
every endpoint of the schema."""

import re
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[1] / "README.md"


def schema() -> dict:
    return yaml.safe_load(APIClient().get("/api/schema/").content)


def test_the_api_root_links_its_schema_docs_and_topics():
    response = APIClient().get("/api/")
    assert response.status_code == 200
    index = response.json()
    assert index["schema"] == "http://testserver/api/schema/"
    assert index["docs"] == "http://testserver/api/docs/"
    assert index["topics"] == "http://testserver/api/topics/"
    for link in ("schema", "docs", "topics"):
        assert APIClient().get(index[link]).status_code == 200, link


def test_the_api_root_lists_every_route_of_the_schema():
    """Each resource as a link or a URL template: every path the schema serves is there."""
    resources = APIClient().get("/api/").json()["resources"]
    listed = {url.removeprefix("http://testserver") for url in resources.values()}
    assert set(schema()["paths"]) - listed == set()
    assert resources["member"] == "http://testserver/api/members/{username}/"
    assert APIClient().get(resources["topics"]).status_code == 200


def test_every_operation_of_the_schema_has_a_summary():
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema()["paths"].items()
        for method, operation in operations.items()
        if not (operation.get("summary") or "").strip()
    ]
    assert missing == []


def test_the_docs_page_runs_only_vendored_files_and_no_inline_script_or_style():
    response = Client().get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in html and "style=" not in html and "cdn" not in html.lower()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)  # none inline
    for vendored in ("swagger-ui.css", "swagger-ui-bundle.js"):
        assert f'"/static/vendor/swagger-ui/{vendored}"' in html
        assert finders.find(f"vendor/swagger-ui/{vendored}"), vendored
    assert finders.find("vendor/swagger-ui/LICENSE")


def test_the_docs_set_up_script_reads_the_schema():
    response = Client().get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.content.decode()


def test_the_schema_says_what_the_api_covers():
    description = schema()["info"]["description"]
    for area in (
        "topics",
        "threads",
        "posts",
        "claim tags",
        "claims",
        "endorsements",
        "argument map",
        "AIF",
        "moderation",
        "merges",
        "archive",
        "profiles",
        "bio",
    ):
        assert area in description, area


def test_the_readme_lists_every_endpoint_of_the_schema():
    section = README.read_text(encoding="utf-8").split("## JSON API", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    listed = set()
    for row in rows:
        cell = row.split(" | ")[0]
        methods = re.findall(r"\b(GET|POST|PUT|PATCH|DELETE)\b", cell)
        for path in re.findall(r"(/api/\S+?/)`", cell):
            listed |= {(method, path) for method in methods}
    paths = schema()["paths"]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert served - listed == set()


def test_the_footer_leads_to_the_docs_and_favicon_ico_to_the_icon():
    assert '<a href="/api/docs/">API</a>' in Client().get("/").content.decode()
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response.url == "/static/favicon.ico"
    assert finders.find("favicon.ico")
