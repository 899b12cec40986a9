"""Schemathesis against /api/schema/ of the app served in-process over WSGI: for every
operation, a bounded, derandomized set of generated requests (valid and invalid) as a
visitor, a member (token) and a moderator (token), on the demo's data. No response may be
a 5xx, and every documented response must match the schema."""

import io
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from apps.accounts.models import User
from apps.claims.models import Claim
from apps.claims.services.merge import claim_merge
from apps.forum.demo.loader import DEMO_PASSWORD
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.posting import reply_create
from apps.moderation.models import ClaimMerge, Report
from apps.moderation.reports import report_create
from tests.security.conftest import TALLY

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25  # per operation and caller, valid and invalid cases together
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
MISSING = 2_000_000_000  # an id no row has


@pytest.fixture(scope="module")
def app():
    return get_wsgi_application()


@pytest.fixture
def in_process(app):
    """Serve requests inside the test's transaction: Django closes the database connection
    at the end of every request unless told otherwise (its test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield app
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def demo(in_process):
    """The demo debate, the member's own posts (to edit and delete), a merge (to undo) and
    the member's reports (to resolve)."""
    call_command("load_demo", stdout=io.StringIO())
    member = User.objects.get(username="demo_member")
    moderator = User.objects.get(username="demo_moderator")
    assert moderator.groups.filter(name="moderators").exists()
    thread = Thread.objects.get()
    for number in range(3):
        reply_create(parent=thread.opening_post, author=member, body=f"Mine {number}")
    first, second = Claim.objects.active().filter(topic=thread.topic).order_by("pk")[:2]
    claim_merge(target=first, sources=[second], moderator=moderator, reason="demo")
    for post in Post.objects.exclude(author=member).filter(state="visible").order_by("pk")[:3]:
        report_create(reporter=member, post=post, reason="demo")  # to list and resolve
    return {"member": member, "moderator": moderator}


def path_values(caller: User | None) -> dict[str, list]:
    """Real values for each kind of id, and one that matches nothing. The caller's own posts
    come up more often, so that edits and deletes get past the permission check."""
    own = list(Post.objects.filter(author=caller).values_list("pk", flat=True)) if caller else []
    return {
        "topics": [*3 * list(Topic.objects.values_list("slug", flat=True)), "no-such-topic"],
        "threads": [*3 * list(Thread.objects.values_list("pk", flat=True)), MISSING],
        "posts": [*own, *own, *Post.objects.order_by("pk").values_list("pk", flat=True), MISSING],
        "claims": [*Claim.objects.order_by("pk").values_list("pk", flat=True), MISSING],
        "merges": [*3 * list(ClaimMerge.objects.values_list("pk", flat=True)), MISSING],
        "reports": [*3 * list(Report.objects.values_list("pk", flat=True)), MISSING],
        "members": [*3 * list(User.objects.values_list("username", flat=True)), "no-such-member"],
        "parents": list(Post.objects.order_by("pk").values_list("pk", flat=True)),
        "active claims": list(Claim.objects.active().order_by("pk").values_list("pk", flat=True)),
    }


def _real_ids(case, draw_ids: dict):
    """Point the ids a valid body names at rows that exist, as a client would (and log in
    with the demo member's real password)."""
    if isinstance(case.body, dict):
        for name, value in draw_ids.items():
            if name in case.body:
                case.body[name] = value
    return case


def cases(operation, values: dict[str, list]) -> st.SearchStrategy:
    """Valid and invalid cases, with path parameters drawn from real rows. Valid ones also
    come with page 1 (a random page number is mostly past the end: 404) and with real ids
    in the body."""
    kind = operation.path.split("/")[2]  # /api/<kind>/{...}/
    names = [parameter.name for parameter in operation.path_parameters]
    paths = st.fixed_dictionaries({name: st.sampled_from(values[kind]) for name in names})
    ids = st.fixed_dictionaries(
        {
            "parent": st.sampled_from(values["parents"]),
            "target": st.sampled_from(values["active claims"]),
            "sources": st.lists(st.sampled_from(values["active claims"]), min_size=1, max_size=3),
            "tags": st.lists(
                st.fixed_dictionaries(
                    {
                        "claim": st.sampled_from(values["active claims"]),
                        "stance": st.sampled_from(["supports", "opposes"]),
                    }
                ),
                max_size=2,
                unique_by=lambda tag: tag["claim"],
            ),
            "username": st.just("demo_member"),
            "password": st.just(DEMO_PASSWORD),
        }
    )
    has_page = any(parameter.name == "page" for parameter in operation.query)

    def generated(mode, first_page=False, real_ids=False):
        def for_path(path):
            strategy = operation.as_strategy(
                mode,
                path_parameters=path or None,
                query={"page": 1} if first_page else None,
                media_type="application/json" if real_ids else None,
            )
            if real_ids:
                strategy = st.tuples(strategy, ids).map(lambda pair: _real_ids(*pair))
            return strategy

        return paths.flatmap(for_path)

    valid, invalid = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
    return st.one_of(
        generated(valid),
        generated(valid, first_page=has_page, real_ids=operation.method.upper() != "GET"),
        generated(invalid),
    )


def fuzz(operation, strategy, headers: dict, statuses: Counter) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        statuses[operation.label, response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    run()


CALLERS = ["visitor", "member", "moderator"]


@pytest.mark.parametrize("caller", CALLERS)
def test_the_api_answers_every_generated_request_as_its_schema_says(in_process, demo, caller):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", in_process)
    headers = {}
    if caller != "visitor":
        token, _ = Token.objects.get_or_create(user=demo[caller])
        headers = {"Authorization": f"Token {token.key}"}
    values = path_values(demo.get(caller))
    failures, statuses, operations = [], Counter(), 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            fuzz(operation, cases(operation, values), headers, statuses)
        except (Exception, BaseExceptionGroup) as error:  # every operation's, not only the first
            failures.append(f"{operation.label}: {error}")
    TALLY["API fuzzing: operations × callers"] += operations
    TALLY[f"API fuzzing: requests as {caller}"] += statuses.total()
    print(f"\n{caller}: {operations} operations, {statuses.total()} requests")
    for (label, status), count in sorted(statuses.items()):
        print(f"  {label}: {status} × {count}")
    assert operations >= 18
    assert not failures, "\n\n".join(failures)
