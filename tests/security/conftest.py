"""Shared by the security tests: no page cache, and the totals reported at the end."""

from collections import Counter

import pytest

TALLY: Counter = Counter()


@pytest.fixture(autouse=True)
def _no_visitor_page_cache(settings):
    """These tests judge each page as rendered now, never a cached copy."""
    settings.VISITOR_PAGE_SECONDS = 0


def pytest_terminal_summary(terminalreporter):
    if TALLY:
        terminalreporter.section("security tallies")
        for name, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{name}: {count:,}")
