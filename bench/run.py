"""Agora's benchmark: `make bench` (full) or `make bench-quick` (smaller sizes).

Builds its own database (agora_bench), grows threads through reply_create, measures
the figures, prints the results table and writes it to bench/RESULTS.md.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # import bench.* and apps.*, not the bench folder's own names
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()

from bench import data, database, inserts, pages, report, throughput, writers  # noqa: E402


@dataclass(frozen=True)
class Plan:
    name: str
    sizes: tuple[int, ...]  # replies in the threads of figure 1; first and last for figure 2
    page_runs: int
    insert_rounds: int
    inserts_per_round: int
    writers: int
    replies_per_writer: int
    concurrent_runs: int
    wrk_rounds: int
    wrk_seconds: int


FULL = Plan(
    name="full",
    sizes=(100, 1_000, 10_000),
    page_runs=15,
    insert_rounds=3,
    inserts_per_round=200,
    writers=8,
    replies_per_writer=250,
    concurrent_runs=3,
    wrk_rounds=3,
    wrk_seconds=10,
)
QUICK = Plan(
    name="quick",
    sizes=(100, 1_000),
    page_runs=9,
    insert_rounds=3,
    inserts_per_round=100,
    writers=8,
    replies_per_writer=100,
    concurrent_runs=3,
    wrk_rounds=3,
    wrk_seconds=4,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a couple of minutes")
    parser.add_argument("--keep", action="store_true", help="keep agora_bench for profiling")
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    started = time.perf_counter()
    code = report.code_fingerprint()
    load = os.getloadavg()[0]
    database.create()
    try:
        results = measure(plan)
    finally:
        if not arguments.keep:
            database.drop()
    results["seconds"] = time.perf_counter() - started
    results["code_changed"] = report.code_fingerprint() != code
    results["load"] = (load, os.getloadavg()[0])
    text = report.render(plan, results)
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text)


def measure(plan: Plan) -> dict:
    results = {"environment": report.environment()}
    users = data.make_users()
    shapes = {}
    for size in plan.sizes:
        step(f"growing a thread of {size:,} replies")
        _, shapes[size] = data.make_thread(users, random.Random(f"thread-{size}"), f"{size:,}")
        data.grow(shapes[size], users, size)
    database.vacuum()
    threads = {size: shape.opening_post.thread for size, shape in shapes.items()}
    results["shape"] = report.shape(threads[plan.sizes[-1]])
    step("figure 1: thread pages")
    results["pages"] = pages.measure(threads, plan.page_runs)
    step("figure 8: read throughput under gunicorn")
    results["throughput"] = throughput.measure(
        threads[throughput.THREAD_SIZE].get_absolute_url(),
        rounds=plan.wrk_rounds,
        seconds=plan.wrk_seconds,
        page_cache=settings.APP_VISITOR_PAGE_SECONDS > 0,
    )
    step("figure 2: reply insert latency")
    results["inserts"] = inserts.measure(
        shapes[plan.sizes[-1]],
        users,
        small_size=plan.sizes[0],
        rounds=plan.insert_rounds,
        count=plan.inserts_per_round,
    )
    step("figure 3: concurrent writers")
    results["concurrent"] = writers.measure(
        users,
        writers=plan.writers,
        per_writer=plan.replies_per_writer,
        runs=plan.concurrent_runs,
    )
    return results


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
