from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import TopicFactory, UserFactory, make_moderator, make_reply, make_thread
from tests.security.conftest import TALLY


@pytest.fixture
def member(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_member(db):
    return UserFactory(username="bob")


@pytest.fixture
def topic(db):
    return TopicFactory(slug="ai-art", title="AI art")


@pytest.fixture
def thread(topic, member):
    return make_thread(topic=topic, author=member, title="Is training fair use?")


@pytest.fixture
def reply(thread, member):
    """A reply of `member`'s to the opening post."""
    return make_reply(thread.opening_post, author=member)


@pytest.fixture
def logged_in(member) -> Client:
    """A browser session of `member`."""
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def moderator(db):
    return make_moderator("modmarta")


@pytest.fixture
def mod_client(moderator) -> Client:
    """A browser session of `moderator`."""
    client = Client()
    client.force_login(moderator)
    return client


def api_of(user=None) -> APIClient:
    """An API client, authenticated as `user` when given."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def member_api(member) -> APIClient:
    return api_of(member)


@pytest.fixture
def mod_api(moderator) -> APIClient:
    return api_of(moderator)


# The slow kinds of test that `make test-fast` leaves out (registered in pyproject.toml).
TESTS = Path(__file__).resolve().parent
FUZZ = {TESTS / "security" / "test_api_fuzz.py", TESTS / "security" / "test_hostile_inputs.py"}
# Tests that start, stall and kill processes of their own and wait on them against deadlines:
# one xdist worker runs them one after another (`--dist loadgroup` in pyproject.toml).
WITH_PROCESSES = {
    TESTS / "maps" / "test_pipeline.py",
    TESTS / "security" / "test_faults.py",
    TESTS / "test_backup.py",
}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(TESTS / "browser"):
            item.add_marker(pytest.mark.browser)
        if item.path in FUZZ:
            item.add_marker(pytest.mark.fuzz)
        if starts_a_celery_worker(item):
            item.add_marker(pytest.mark.workers)
        if item.path in WITH_PROCESSES:
            item.add_marker(pytest.mark.xdist_group("processes"))


def starts_a_celery_worker(item) -> bool:
    """The test's own body calls tests.workers.celery_worker."""
    code = getattr(getattr(item, "function", None), "__code__", None)
    return code is not None and "celery_worker" in code.co_names


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook
def pytest_testnodedown(node, error):
    """An xdist worker's security totals, added to the controller's."""
    TALLY.update(getattr(node, "workeroutput", {}).get("security tallies", {}))


def pytest_terminal_summary(terminalreporter):
    if TALLY:
        terminalreporter.section("security tallies")
        for name, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{name}: {count:,}")
