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

from bench import (  # noqa: E402
    autocomplete,
    data,
    database,
    inserts,
    labelling,
    mapbuild,
    merges,
    pages,
    reading,
    report,
    search,
    strength,
    throughput,
    writers,
)


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
    map_posts: int  # tagged replies in figure 4's topic, two tags each on average
    map_claims: int
    map_endorsements: int  # members' votes on figure 4's claims, distinct (claim, member)
    map_runs: int
    grounded_nodes: int
    grounded_attacks: int
    grounded_runs: int
    strength_claims: int
    strength_relations: int
    strength_runs: int
    merge_sizes: tuple[int, int]  # tags on each of the two merged claims
    merge_rounds: int
    autocomplete_claims: int
    autocomplete_queries: int
    autocomplete_seconds: int  # stop typing queries after this long, to keep the run bounded
    browser_runs: int  # figure 10's Chromium visits per topic
    search_posts: int
    search_claims: int
    search_queries: int
    search_seconds: int  # stop searching after this long, to keep the run bounded


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
    map_posts=100_000,
    map_claims=2_000,
    map_endorsements=20_000,
    map_runs=5,  # the floor alone varies by half between runs on a shared machine
    grounded_nodes=100_000,
    grounded_attacks=300_000,
    grounded_runs=5,
    strength_claims=100_000,
    strength_relations=300_000,
    strength_runs=5,
    merge_sizes=(5_000, 50_000),
    merge_rounds=1,
    autocomplete_claims=100_000,
    autocomplete_queries=240,
    autocomplete_seconds=150,
    browser_runs=5,
    search_posts=100_000,
    search_claims=100_000,
    search_queries=280,
    search_seconds=120,
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
    map_posts=10_000,
    map_claims=200,
    map_endorsements=2_000,
    map_runs=3,
    grounded_nodes=100_000,
    grounded_attacks=300_000,
    grounded_runs=5,
    strength_claims=10_000,
    strength_relations=30_000,
    strength_runs=5,
    merge_sizes=(500, 5_000),
    merge_rounds=3,
    autocomplete_claims=10_000,
    autocomplete_queries=300,
    autocomplete_seconds=150,
    browser_runs=3,
    search_posts=10_000,
    search_claims=10_000,
    search_queries=140,
    search_seconds=60,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a couple of minutes")
    parser.add_argument("--keep", action="store_true", help="keep agora_bench for profiling")
    parser.add_argument(
        "--reading",
        action="store_true",
        help="figures 4 and 10 alone, printed (bench/RESULTS.md is left as it is)",
    )
    parser.add_argument(
        "--search",
        action="store_true",
        help="figure 11 alone, printed (bench/RESULTS.md is left as it is)",
    )
    parser.add_argument(
        "--crowded",
        action="store_true",
        help="with --search: figures 4, 6 and 7's data loaded first, as in the full run",
    )
    parser.add_argument(
        "--forum",
        action="store_true",
        help="figures 1, 2 and 3 alone, printed (bench/RESULTS.md is left as it is)",
    )
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    started = time.perf_counter()
    code = report.code_fingerprint()
    load = os.getloadavg()[0]
    database.create()
    try:
        if arguments.reading:
            results = measure_reading(plan)
        elif arguments.search:
            results = measure_search(plan, crowded=arguments.crowded)
        elif arguments.forum:
            results = measure_forum(plan)
        else:
            results = measure(plan)
    finally:
        if not arguments.keep:
            database.drop()
    results["seconds"] = time.perf_counter() - started
    results["code_changed"] = report.code_fingerprint() != code
    results["load"] = (load, os.getloadavg()[0])
    if arguments.reading:
        print(report.render_reading(plan, results))
        return
    if arguments.search:
        print(report.render_search(plan, results))
        return
    if arguments.forum:
        print(report.render_forum(plan, results))
        return
    text = report.render(plan, results)
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text)


def measure(plan: Plan) -> dict:
    results = {"environment": report.environment()}
    users = data.make_users()
    shapes = measure_thread_pages(plan, users, results)
    step("figure 8: read throughput under gunicorn")
    results["throughput"] = throughput.measure(
        shapes[throughput.THREAD_SIZE].opening_post.thread.get_absolute_url(),
        rounds=plan.wrk_rounds,
        seconds=plan.wrk_seconds,
        page_cache=settings.APP_VISITOR_PAGE_SECONDS > 0,
    )
    measure_replies(plan, users, shapes, results)
    step(f"figure 4: loading a map topic of {plan.map_posts:,} tagged posts")
    topic, results["map_shape"] = mapbuild.load(
        users, posts=plan.map_posts, claims=plan.map_claims, endorsements=plan.map_endorsements
    )
    step("figure 4: map build against the floor")
    results["map"] = mapbuild.measure(topic, plan.map_runs)
    results["reading"] = measure_figure_10(plan, topic)
    step("figure 5: grounded labelling")
    results["grounded"] = labelling.measure(
        nodes=plan.grounded_nodes, attacks=plan.grounded_attacks, runs=plan.grounded_runs
    )
    step("figure 9: claim strength")
    results["strength"] = strength.measure(
        claims=plan.strength_claims, relations=plan.strength_relations, runs=plan.strength_runs
    )
    step(f"figure 6: claim merges of {' and '.join(f'{n:,}' for n in plan.merge_sizes)} tags")
    results["merges"] = merges.measure(merges.load(users, plan.merge_sizes), plan.merge_rounds)
    step(f"figure 7: autocomplete over {plan.autocomplete_claims:,} claims")
    claims_topic = autocomplete.load(plan.autocomplete_claims)
    results["autocomplete"] = autocomplete.measure(
        claims_topic,
        autocomplete.queries(claims_topic, plan.autocomplete_queries),
        budget=plan.autocomplete_seconds,
    )
    results["search"] = measure_figure_11(plan, users)
    return results


def measure_forum(plan: Plan) -> dict:
    """Figures 1, 2 and 3 alone: `--forum`."""
    results = {"environment": report.environment()}
    users = data.make_users()
    shapes = measure_thread_pages(plan, users, results)
    measure_replies(plan, users, shapes, results)
    return results


def measure_thread_pages(plan: Plan, users: list, results: dict) -> dict:
    """Grows a thread of each size, then figure 1; returns the threads' shapes by size."""
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
    return shapes


def measure_replies(plan: Plan, users: list, shapes: dict, results: dict) -> None:
    """Figure 2, then figure 3, which writes into a notification table figure 2 has filled."""
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


def measure_reading(plan: Plan) -> dict:
    """Figure 4's data and map build, then figure 10: `--reading`."""
    results = {"environment": report.environment()}
    step(f"figure 4: loading a map topic of {plan.map_posts:,} tagged posts")
    topic, results["map_shape"] = mapbuild.load(
        data.make_users(),
        posts=plan.map_posts,
        claims=plan.map_claims,
        endorsements=plan.map_endorsements,
    )
    step("figure 4: map build against the floor")
    results["map"] = mapbuild.measure(topic, plan.map_runs)
    results["reading"] = measure_figure_10(plan, topic)
    return results


def measure_figure_10(plan: Plan, topic) -> dict:
    step("figure 10: reading the map, benchmark topic vs demo (loading the demo)")
    demo = reading.load_demo()
    step("figure 10: reading views in-process, then Chromium under gunicorn")
    return reading.measure(topic, demo, runs=plan.page_runs, browser_runs=plan.browser_runs)


def measure_search(plan: Plan, *, crowded: bool) -> dict:
    """Figure 11 alone: `--search`; `--crowded` first loads the other topics' posts and claims
    that the full run's searches pass by (figures 4, 6 and 7's data, without their figures)."""
    results = {"environment": report.environment()}
    users = data.make_users()
    if crowded:
        step(f"loading figure 4's {plan.map_posts:,} tagged posts")
        mapbuild.load(
            users, posts=plan.map_posts, claims=plan.map_claims, endorsements=plan.map_endorsements
        )
        step("loading figure 6's posts to merge")
        merges.load(users, plan.merge_sizes)
        step(f"loading figure 7's {plan.autocomplete_claims:,} claims")
        autocomplete.load(plan.autocomplete_claims)
    results["search"] = measure_figure_11(plan, users)
    return results


def measure_figure_11(plan: Plan, users: list) -> dict:
    posts, claims = plan.search_posts, plan.search_claims
    step(f"figure 11: loading {posts:,} posts and {claims:,} claims to search")
    topic, claims_topic, shape = search.load(users, posts=posts, claims=claims)
    step("figure 11: search pages")
    typed = search.queries(topic, claims_topic, shape.pop("language"), plan.search_queries)
    result = search.measure(topic, claims_topic, typed, budget=plan.search_seconds)
    return result | {"shape": shape}


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
