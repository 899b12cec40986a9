"""Figure 3: writers in separate processes, each with its own connection, reply into one
thread at once; then count what was lost, check every tree, and say where writers waited."""

import multiprocessing
import random
import statistics
import threading
import time
from collections import Counter

from django.db import connection, connections

from apps.forum.models import Post, Thread
from apps.forum.trees import check_trees
from bench import data, database

BASE_REPLIES = 100  # so the hot branches exist before the writers start
WRITER_TIMEOUT = 600  # seconds; a writer that died must not hang the bench
SAMPLE_EVERY = 0.02  # seconds between looks at what the writers' sessions wait on
WAITS = """
    SELECT CASE WHEN wait_event_type = 'Lock'
           THEN wait_event || ' lock in ' || substring(replace(query, '"', '') from '^\\w+ \\w+')
           ELSE coalesce(wait_event_type || ' ' || wait_event, 'running') END
    FROM pg_stat_activity
    WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
"""


def measure(users: list, *, writers: int, per_writer: int, runs: int) -> dict:
    """Runs of `writers` at once, each followed by one writer alone for comparison."""
    together, alone = [], []
    for run in range(runs):
        together.append(_run(users, writers, per_writer, f"together-{run}"))
        alone.append(_run(users, 1, per_writer, f"alone-{run}"))
    report = check_trees()
    waits = sum((result["waits"] for result in together), Counter())
    return {
        "replies_per_s": statistics.median(result["replies_per_s"] for result in together),
        "alone_per_s": statistics.median(result["replies_per_s"] for result in alone),
        "lost": sum(result["lost"] for result in together + alone),
        "wrong_counters": sum(result["wrong_counters"] for result in together + alone),
        "errors": dict(sum((result["errors"] for result in together + alone), Counter())),
        "clean": report.clean,
        "wrong_nodes": len(report.wrong_nodes),
        "waits": [(what, count / runs) for what, count in waits.most_common(4)],
    }


def _run(users: list, writers: int, per_writer: int, seed: str) -> dict:
    thread, shape = data.make_thread(users, random.Random(seed), "Concurrency benchmark")
    data.grow(shape, users, BASE_REPLIES)
    database.vacuum()
    connections.close_all()  # each writer opens its own after the fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers + 1)
    outcomes = context.Queue()
    processes = [
        context.Process(
            target=_write, args=(shape, users, per_writer, f"{seed}-{index}", barrier, outcomes)
        )
        for index in range(writers)
    ]
    for process in processes:
        process.start()
    sampler = WaitSampler()
    sampler.start()
    barrier.wait()
    start = time.perf_counter()
    saved_and_errors = [outcomes.get(timeout=WRITER_TIMEOUT) for _ in processes]
    elapsed = time.perf_counter() - start
    sampler.stop()
    for process in processes:
        process.join()
    saved = sum(saved for saved, _ in saved_and_errors)
    stored = Post.objects.filter(thread=thread).count() - 1 - BASE_REPLIES
    return {
        "replies_per_s": saved / elapsed,
        "lost": saved - stored,
        "wrong_counters": _wrong_counters(thread),
        "errors": sum((Counter(errors) for _, errors in saved_and_errors), Counter()),
        "waits": sampler.average(),
    }


def _write(shape: data.Shape, users: list, count: int, seed: str, barrier, outcomes) -> None:
    shape.rng = random.Random(seed)
    saved, errors = 0, Counter()
    barrier.wait()
    for _ in range(count):
        try:
            shape.add(data.reply(shape, users))
            saved += 1
        except Exception as error:  # counted and reported, e.g. a deadlock
            errors[type(error.__cause__ or error).__name__] += 1
    connections.close_all()
    outcomes.put((saved, dict(errors)))


class WaitSampler(threading.Thread):
    """Counts what the database's active sessions are doing, from its own connection."""

    def __init__(self):
        super().__init__()
        self.seen = Counter()
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                while not self.done.wait(SAMPLE_EVERY):
                    cursor.execute(WAITS)
                    self.seen.update(what for (what,) in cursor.fetchall())
                    self.samples += 1
        finally:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        self.join()

    def average(self) -> Counter:
        """Sessions doing each thing, on average over the samples."""
        return Counter({what: count / max(self.samples, 1) for what, count in self.seen.items()})


def _wrong_counters(thread: Thread) -> int:
    """Posts whose reply_count differs from their replies, plus the thread's own count."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM forum_post post
            WHERE post.thread_id = %s AND post.reply_count <> (
                SELECT count(*) FROM forum_post reply WHERE reply.parent_id = post.id)
            """,
            [thread.pk],
        )
        wrong = cursor.fetchone()[0]
    thread.refresh_from_db()
    return wrong + (thread.reply_count != Post.objects.filter(thread=thread, depth__gt=0).count())
