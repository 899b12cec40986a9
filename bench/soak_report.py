"""bench/SOAK.md: the run, the checks, the fault timeline, latencies inside and outside each
fault's window, the requests by status."""

import os
import subprocess
from collections import Counter
from datetime import UTC, datetime

from bench.soak_stack import POSTGRES_BIN, ROOT
from bench.stats import percentile


def render(result: dict, checks: list, *, users: int, seconds: int, web_workers: int,
           window_after: float) -> str:  # fmt: skip
    outcomes = sorted((o for u in result["users"] for o in u.outcomes), key=lambda o: o.started)
    start, faults = result["started"], result["faults"]
    windows = [(f.name, f.at, f.back + window_after) for f in faults]
    passed = all(check.passed for check in checks)
    lines = [
        "# Soak with faults",
        "",
        f"`make soak` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {_commit()}:"
        f" {seconds} s of load by {users} virtual users against gunicorn ({web_workers} workers),"
        " a Celery worker (2 pool processes) and beat under production settings, on the soak's"
        f" own {_postgres()} (port 5439) and Redis (port 6399); {os.cpu_count()} cores shared"
        f" with other work (load average {result['load'][0]:.1f} before, {result['load'][1]:.1f}"
        f" after). {len(outcomes):,} requests.",
        "",
        f"**{'PASS' if passed else 'FAIL'}**: "
        + f"{sum(c.passed for c in checks)} of {len(checks)} checks passed.",
        "",
        "## Checks",
        "",
        "| check | result | detail |",
        "|---|---|---|",
        *(f"| {c.name} | {'pass' if c.passed else '**FAIL**'} | {c.detail} |" for c in checks),
        "",
        "## Faults",
        "",
        "Times from the start of the load. *Back* is when the service answered again (the new",
        "worker said ready, Redis answered, `pg_ctl` returned, gunicorn had all its workers and",
        "served); *map caught up* is when every dirty mark made before that had been built.",
        "",
        "| at | fault | back after | map caught up | note |",
        "|---|---|---|---|---|",
        *(
            f"| {f.at - start:.0f} s | {f.name} | {f.back - f.at:.1f} s"
            f" | {_after(f.caught_up, f.back)} | {f.note} |"
            for f in faults
        ),
        "",
        "## Latency",
        "",
        f"A fault's window runs from the fault to {window_after} s after its service is back;",
        "*unanswered* requests got no HTTP answer (connection reset or refused). The oldest",
        "mark's age is how stale the served map was at worst.",
        "",
        "| requests started | requests | p50 | p95 | max | 503 | unanswered | oldest mark, max |",
        "|---|---|---|---|---|---|---|---|",
        *(
            _latency_row(
                name,
                [o for o in outcomes if begin <= o.started <= end],
                _marks(result["marks"], begin, end),
            )
            for name, begin, end in windows
        ),  # fmt: skip
        _latency_row(
            "outside every window",
            [o for o in outcomes if not _inside(o.started, windows)],
            [m for m in result["marks"] if not _inside(m[0], windows)],
        ),
        "",
        "## Requests by kind and status",
        "",
        *_status_table(outcomes),
        "",
        "## How it runs",
        "",
        "Each user, every 0.5 to 2 s: a page (30 %), an API read (25 %), a reply with 0 to 2",
        "claim tags (20 %), an edit of one of its replies' body, response and tags (12 %), a",
        "delete (5 %) or an endorsement put or withdrawn (8 %), under the rate limits. Writes",
        "go through the API with tokens; pages are read as a visitor, since production's",
        "cookies are HTTPS-only. Each user keeps what the server acknowledged; a write that",
        "got no answer may or may not have been saved, and the checks allow both.",
        "",
        "`make soak` (`SOAK_SECONDS`, default 240; `SOAK_USERS`, default 24). It needs",
        "PostgreSQL 15's server binaries and redis-server, and ports 5439 and 6399 free; it",
        "never touches the PostgreSQL and Redis that `make run` and `make test` use. The logs of",
        "the last run are kept in `var/soak/`. Not part of `make test`: it restarts services.",
        "",
    ]
    return "\n".join(lines)


def _latency_row(name: str, outcomes: list, marks: list) -> str:
    answered = [o.seconds * 1000 for o in outcomes if o.status is not None]
    refused = sum(1 for o in outcomes if o.status == 503)
    unanswered = sum(1 for o in outcomes if o.status is None)
    ages = [at - oldest for at, _, oldest in marks if oldest is not None]
    oldest = f"{max(ages):.1f} s" if ages else "none"
    if not answered:
        return f"| {name} | {len(outcomes)} | – | – | – | {refused} | {unanswered} | {oldest} |"
    return (
        f"| {name} | {len(outcomes):,} | {percentile(answered, 0.5):.0f} ms"
        f" | {percentile(answered, 0.95):.0f} ms | {max(answered):.0f} ms | {refused}"
        f" | {unanswered} | {oldest} |"
    )


def _status_table(outcomes: list) -> list[str]:
    counts = Counter((o.kind, o.status or "no answer") for o in outcomes)
    statuses = sorted({status for _, status in counts}, key=str)
    kinds = list(dict.fromkeys(o.kind for o in sorted(outcomes, key=lambda o: o.kind)))
    return [
        "| kind | " + " | ".join(map(str, statuses)) + " | all |",
        "|---|" + "---|" * (len(statuses) + 1),
        *(
            f"| {kind} | " + " | ".join(str(counts[kind, s] or "") for s in statuses)
            + f" | {sum(counts[kind, s] for s in statuses):,} |"
            for kind in kinds
        ),
        "| all | " + " | ".join(str(sum(counts[k, s] for k in kinds)) for s in statuses)
        + f" | {len(outcomes):,} |",
    ]  # fmt: skip


def _marks(samples: list, begin: float, end: float) -> list:
    return [sample for sample in samples if begin <= sample[0] <= end]


def _inside(moment: float, windows: list) -> bool:
    return any(begin <= moment <= end for _, begin, end in windows)


def _after(moment: float | None, since: float) -> str:
    return "never" if moment is None else f"{moment - since:.1f} s after"


def _commit() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True).stdout

    commit = git("rev-parse", "--short", "HEAD").strip()
    if git("status", "--porcelain", "--", "apps", "config", "templates", "bench").strip():
        return f"{commit} with uncommitted changes"
    return commit


def _postgres() -> str:
    command = [POSTGRES_BIN / "postgres", "--version"]
    version = subprocess.run(command, capture_output=True, text=True).stdout.split()
    return f"PostgreSQL {version[2] if len(version) > 2 else 15}"  # postgres (PostgreSQL) 15.x
