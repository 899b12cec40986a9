"""Shared by the security tests: no page cache, and the totals (reported at the end by
tests/conftest.py)."""

from collections import Counter

import pytest

TALLY: Counter = Counter()


@pytest.fixture(autouse=True)
def _no_visitor_page_cache(settings):
    """These tests judge each page as rendered now, never a cached copy."""
    settings.VISITOR_PAGE_SECONDS = 0


def pytest_sessionfinish(session):
    """An xdist worker hands its totals to the controller, which prints them all
    (tests/conftest.py: the controller loads no conftest below tests/)."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["security tallies"] = dict(TALLY)
