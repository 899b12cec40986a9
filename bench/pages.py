"""Figure 1: the thread page and a deep post's page, served in-process with the real
middleware to an anonymous visitor."""

import statistics
import time
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.forum import selectors
from apps.forum.models import Post, Thread
from apps.forum.templatetags.posts import post_tree

WARM_UP = 3


def measure(threads: dict[int, Thread], runs: int) -> dict[int, dict]:
    """Per thread size: queries and median milliseconds of both pages, of the thread page's
    SQL alone (its statements run again on a bare cursor), of fetching its posts (SQL,
    model instances, nesting), and of rendering their tree alone for a visitor (the rest
    is the page around it and the request's handling)."""
    client = Client()
    deepest = {
        size: Post.objects.filter(thread=thread).order_by("-depth", "pk").first()
        for size, thread in threads.items()
    }
    urls = {}
    for size, thread in threads.items():
        urls[(size, "thread")] = thread.get_absolute_url()
        urls[(size, "deep")] = deepest[size].get_absolute_url()
    statements = {page: _statements(client, url) for page, url in urls.items()}
    work = {page: partial(client.get, url) for page, url in urls.items()}
    for size, thread in threads.items():
        work[(size, "sql")] = partial(_run, statements[(size, "thread")])
        work[(size, "fetch")] = partial(selectors.thread_page, thread=thread)
        branches = selectors.thread_page(thread=thread).branches
        work[(size, "tree")] = partial(post_tree, {"user": AnonymousUser()}, branches, thread)
    times = _median_times(work, runs)
    return {
        size: {
            "thread_queries": len(statements[(size, "thread")]),
            "thread_ms": times[(size, "thread")],
            "sql_ms": times[(size, "sql")],
            "fetch_ms": times[(size, "fetch")],
            "tree_ms": times[(size, "tree")],
            **_first_page(client, thread),
            "deep_queries": len(statements[(size, "deep")]),
            "deep_ms": times[(size, "deep")],
            "deep_depth": deepest[size].depth,
        }
        for size, thread in threads.items()
    }


def _statements(client: Client, url: str) -> list[str]:
    """The SQL of one request for the page, with its parameters in it."""
    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [query["sql"] for query in captured.captured_queries]


def _run(statements: list[str]) -> None:
    """The statements alone: no query building, rows left as tuples."""
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def _median_times(work: dict, runs: int) -> dict:
    """Median milliseconds of each callable; the runs go round all of them in turn, so
    noise falls on every size alike."""
    times = {key: [] for key in work}
    for _ in range(runs):
        for key, call in work.items():
            start = time.perf_counter()
            call()
            times[key].append((time.perf_counter() - start) * 1000)
    return {key: statistics.median(values) for key, values in times.items()}


def _first_page(client: Client, thread: Thread) -> dict:
    """Posts the first page shows, and its size."""

    def count(nodes) -> int:
        return sum(1 + count(node.replies) for node in nodes)

    return {
        "thread_posts": count(selectors.thread_page(thread=thread).branches),
        "page_kib": len(client.get(thread.get_absolute_url()).content) / 1024,
    }
