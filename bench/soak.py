"""Agora's soak with faults: `make soak` (SOAK_SECONDS of load, 240 unless told).

Starts its own PostgreSQL cluster (port 5439) and Redis (port 6399) in a temporary folder,
never the shared ones; migrates, loads the demo, and serves it with production settings:
gunicorn with 3 workers, a Celery worker and beat, each started again if it exits. SOAK_USERS
virtual users (24) read pages and the API and reply with tags, edit, delete and endorse
through the API with tokens, while four faults strike on a timeline: the Celery worker
killed, Redis stopped and started empty, PostgreSQL restarted, a gunicorn worker killed.
Then the checks, written with the timeline and the latencies to bench/SOAK.md. Whatever
happens, everything it started is stopped and its folder removed (the logs are kept in
var/soak/).
"""

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # import bench.* and apps.*, not the bench folder's own names

import django  # noqa: E402
import requests  # noqa: E402

from bench import soak_stack as stack  # noqa: E402
from bench.soak_load import ThreadInfo, VirtualUser, World  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS") or 240)
USERS = int(os.environ.get("SOAK_USERS") or 24)
WEB_WORKERS = 3
REDIS_DOWN = 5  # seconds Redis stays stopped
WINDOW_AFTER = 10  # a fault's window runs until this long after its service is back
MAP_FRESH_WITHIN = 15  # seconds after a fault heals by which every earlier mark is built
DRAIN_TIMEOUT = 120  # seconds to wait, after the load, for the last marks to be built
LOGS = ROOT / "var" / "soak"


@dataclass
class Fault:
    name: str
    at: float  # time.time() it struck
    back: float  # the service was back
    note: str
    caught_up: float | None = None  # when every mark made before `back` had been built


class Services:
    """The soak's PostgreSQL, Redis, gunicorn, Celery worker and beat."""

    def __init__(self, folder: Path, environment: dict):
        self.folder, self.environment = folder, environment
        self.postgres = stack.PostgresCluster(folder)
        self.redis = stack.RedisServer(folder)
        self.port = stack.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        python = [sys.executable, "-m"]
        # No control socket: gunicorn's default is one path per home, which a bench or a
        # test's gunicorn running meanwhile would share.
        self.processes = {
            "web": [*python, "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(WEB_WORKERS), "--access-logfile", "-",
                    "--no-control-socket"],
            "worker": [*python, "celery", "-A", "config", "worker", "--loglevel=info",
                       "--concurrency=2"],
            "beat": [*python, "celery", "-A", "config", "beat", "--loglevel=info",
                     f"--schedule={folder / 'celerybeat-schedule'}"],
        }  # fmt: skip
        self.supervised: dict[str, stack.Supervised] = {}

    def start_data(self) -> None:
        step("starting PostgreSQL on 5439 and Redis on 6399, migrating, loading the demo")
        self.postgres.start()
        self.redis.start()
        stack.manage(self.environment, "migrate", "--noinput")
        stack.manage(self.environment, "collectstatic", "--noinput")
        stack.manage(self.environment, "load_demo")

    def start_app(self) -> None:
        step("starting gunicorn (3 workers), the Celery worker and beat")
        for name, command in self.processes.items():
            log = self.folder / f"{name}.log"
            self.supervised[name] = stack.Supervised(name, command, self.environment, log)
            self.supervised[name].start()
        stack.wait_until(self.serving, timeout=60, what="gunicorn")
        self.supervised["worker"].wait_for_output(" ready.", run=0)
        self.supervised["beat"].wait_for_output("beat: Starting", run=0)

    def serving(self) -> bool:
        try:
            return requests.get(self.base + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        for process in self.supervised.values():
            process.stop()
        self.redis.stop()
        self.postgres.stop()

    # The faults. Each returns once its service is back.

    def kill_worker(self) -> Fault:
        worker, at = self.supervised["worker"], time.time()
        held, runs = self.redis.unacknowledged(), len(worker.starts)
        worker.kill()
        back = worker.wait_for_output(" ready.", run=runs)
        note = f"it held {held} unacknowledged task(s); started again by the supervisor"
        return Fault("Celery worker killed (kill -9, with its pool)", at, back, note)

    def redis_outage(self) -> Fault:
        at, held = time.time(), self.redis.unacknowledged()
        self.redis.stop()
        time.sleep(REDIS_DOWN)
        self.redis.start()
        note = f"down {REDIS_DOWN} s, back empty; the worker held {held} unacknowledged task(s)"
        return Fault("Redis stopped and started", at, time.time(), note)

    def restart_postgres(self) -> Fault:
        at = time.time()
        self.postgres.restart()
        back = time.time()
        note = f"pg_ctl restart -m fast took {back - at:.1f} s"
        return Fault("PostgreSQL restarted", at, back, note)

    def kill_web_worker(self) -> Fault:
        web, at = self.supervised["web"], time.time()
        victim = random.choice(web.children())
        os.kill(victim, signal.SIGKILL)

        def replaced() -> bool:
            workers = web.children()
            return len(workers) == WEB_WORKERS and victim not in workers and self.serving()

        back = stack.wait_until(replaced, timeout=60, what="gunicorn to replace its worker")
        return Fault("gunicorn worker killed (kill -9)", at, back, f"pid {victim}; replaced")


class MarkMonitor(threading.Thread):
    """Samples the dirty marks (their number, the oldest one's time) twice a second."""

    def __init__(self, postgres: stack.PostgresCluster):
        super().__init__(name="mark-monitor", daemon=True)
        self.postgres = postgres
        self.samples: list[tuple[float, int, float | None]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        connection = None
        while not self.stopping.wait(0.5):
            try:
                connection = connection or self.postgres.connect()
                count, oldest = connection.execute(
                    "SELECT count(*), extract(epoch FROM min(created)) FROM maps_mapdirtymark"
                ).fetchone()
                self.samples.append((time.time(), count, oldest and float(oldest)))
            except Exception:  # the database is restarting: sample again once it is back
                connection = None
        if connection:
            connection.close()

    def caught_up(self, since: float) -> float | None:
        """When no mark made before `since` was left."""
        for at, _, oldest in self.samples:
            if at >= since and (oldest is None or oldest > since):
                return at
        return None

    def drained(self, timeout: float) -> float | None:
        """When a sample taken from now on first found no mark."""
        since, deadline = time.time(), time.time() + timeout
        while time.time() < deadline:
            time.sleep(0.5)
            if self.samples and self.samples[-1][0] >= since and self.samples[-1][1] == 0:
                return self.samples[-1][0]
        return None


def prepare(users: int) -> tuple[World, dict[str, str]]:
    """The users with their API tokens, a second topic with a thread, and what to answer."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from apps.claims.models import Claim
    from apps.claims.services.tags import TagInput
    from apps.forum.models import Thread, Topic
    from apps.forum.services.posting import thread_create

    member = get_user_model().objects
    host = member.create_user("soak_host")
    topic = Topic.objects.create(slug="soak", title="Soak", description="A second map to keep.")
    thread_create(
        topic=topic, author=host, title="Does every topic keep its own map?", body="Let's see.",
        tags=[TagInput("Every topic keeps its own map", "supports")],
    )  # fmt: skip
    claims = Claim.objects.filter(status="active")
    tokens = {}
    for number in range(1, users + 1):
        user = member.create_user(f"soak{number:02d}")
        tokens[user.username] = Token.objects.create(user=user).key
    threads = [
        ThreadInfo(
            id=thread.pk,
            topic=thread.topic.slug,
            posts=list(thread.posts.filter(state="visible").values_list("pk", flat=True)),
            claims=list(claims.filter(topic=thread.topic).values_list("pk", flat=True)),
        )
        for thread in Thread.objects.select_related("topic")
    ]
    return World(threads), tokens


def drive(app: Services, world: World, tokens: dict[str, str]) -> dict:
    """The load, with the faults on their timeline; then the wait for the last map build."""
    faults_plan = [
        (0.15, app.kill_worker), (0.35, app.redis_outage),
        (0.55, app.restart_postgres), (0.75, app.kill_web_worker),
    ]  # fmt: skip
    monitor = MarkMonitor(app.postgres)
    monitor.start()
    stop = threading.Event()
    load_before, started = os.getloadavg()[0], time.time()
    users = [
        VirtualUser(
            name,
            token,
            app.base,
            world,
            seed=number,
            deadline=started + SECONDS,
            max_requests=SECONDS * 3,
            stop=stop,
        )
        for number, (name, token) in enumerate(tokens.items())
    ]
    threads = [threading.Thread(target=user.run, name=user.name, daemon=True) for user in users]
    for thread in threads:
        thread.start()
    faults = []
    try:
        for share, strike in faults_plan:
            time.sleep(max(0.0, started + share * SECONDS - time.time()))
            faults.append(strike())
            step(f"{faults[-1].name}: back after {faults[-1].back - faults[-1].at:.1f} s")
        for thread in threads:
            thread.join(timeout=max(1.0, started + SECONDS + 60 - time.time()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
    ended = time.time()
    step("the load stopped; waiting for the last map builds")
    drained = monitor.drained(DRAIN_TIMEOUT)
    monitor.stopping.set()
    monitor.join(timeout=5)
    for fault in faults:
        fault.caught_up = monitor.caught_up(fault.back)
    return {
        "started": started, "ended": ended, "faults": faults, "users": users,
        "drained_after": drained and drained - ended, "marks": monitor.samples,
        "load": (load_before, os.getloadavg()[0]),
    }  # fmt: skip


def run_checks(app: Services, result: dict) -> list:
    from django.db import connections

    from bench import soak_checks as checks

    step("checking")
    connections.close_all()  # this process's connection did not live through the restart
    ledgers = {user.name: user.ledger for user in result["users"]}
    outcomes = [outcome for user in result["users"] for outcome in user.outcomes]
    refused_writes = [o for o in outcomes if o.method != "GET" and o.status == 503]
    trees = subprocess.run(
        [sys.executable, "manage.py", "check_trees"],
        cwd=ROOT, env=app.environment, capture_output=True, text=True,
    )  # fmt: skip
    return [
        *checks.lost_writes(ledgers, refused_writes=len(refused_writes)),
        checks.Check(
            "check_trees clean",
            trees.returncode == 0,
            " ".join(trees.stdout.split()) or trees.stderr[-300:],
        ),
        checks.reply_counters(),
        checks.map_equals_fresh_build(),
        checks.no_marks_left(result["drained_after"]),
        *answers_checks(outcomes, result["faults"]),
        processes_check(app),
        map_freshness_check(result["faults"]),
        checks.Check("no human step", True, "the soak ran, healed and checked itself"),
    ]


def answers_checks(outcomes: list, faults: list[Fault]) -> list:
    """No 5xx but 503; no request left without an answer but those a killed web worker held."""
    from bench.soak_checks import Check

    bare = [o for o in outcomes if o.status and o.status >= 500 and o.status != 503]
    example = f" (e.g. {bare[0].method} {bare[0].path}: {bare[0].status})" if bare else ""
    kill = next(f for f in faults if f.name.startswith("gunicorn"))
    unanswered = [o for o in outcomes if o.status is None]
    elsewhere = [o for o in unanswered if not o.started <= kill.at <= o.started + o.seconds]
    return [
        Check("no bare 500", not bare, f"{len(bare)} answers 5xx other than 503{example}"),
        Check(
            "every request answered, but those a killed web worker held",
            not elsewhere,
            f"{len(unanswered)} unanswered, {len(elsewhere)} of them not in flight at the kill",
        ),
    ]


def processes_check(app: Services):
    """Only the killed worker exited: beat, gunicorn's master and the worker otherwise live
    through Redis and PostgreSQL going away."""
    from bench.soak_checks import Check

    exits = {
        name: [status for _, status in process.exits] for name, process in app.supervised.items()
    }
    passed = exits["worker"] == [-signal.SIGKILL] and not exits["beat"] and not exits["web"]
    detail = "; ".join(f"{name}: exits {statuses or 'none'}" for name, statuses in exits.items())
    return Check("no process died but the one killed", passed, detail)


def map_freshness_check(faults: list[Fault]):
    from bench.soak_checks import Check

    late = [f for f in faults if not f.caught_up or f.caught_up - f.back > MAP_FRESH_WITHIN]
    detail = ", ".join(
        f"{f.name}: {_seconds(f.caught_up and f.caught_up - f.back)}" for f in faults
    )
    return Check(f"map caught up within {MAP_FRESH_WITHIN} s of each fault", not late, detail)


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def keep_logs(folder: Path) -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in [*folder.glob("*.log"), folder / "postgres" / "server.log"]:
        if log.exists():
            shutil.copy(log, LOGS / log.name.replace("server", "postgres"))


def keep_requests(result: dict) -> None:
    """Every request of the run, for a closer look at a failed check."""
    outcomes = sorted((o for u in result["users"] for o in u.outcomes), key=lambda o: o.started)
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / "requests.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["at", "seconds", "kind", "method", "path", "status", "error"])
        for o in outcomes:
            at = o.started - result["started"]
            writer.writerow([f"{at:.3f}", f"{o.seconds:.3f}", o.kind, o.method, o.path,
                             o.status or "", o.error])  # fmt: skip


def preflight() -> None:
    for port in (stack.POSTGRES_PORT, stack.REDIS_PORT):
        if stack.port_in_use(port):
            sys.exit(f"Port {port} is taken (an earlier soak still running?): the soak needs it.")
    for tool in (stack.POSTGRES_BIN / "initdb", shutil.which("redis-server")):
        if not tool or not Path(tool).exists():
            sys.exit(f"The soak needs {tool or 'redis-server'} (apt-get install postgresql redis).")


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    preflight()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("The soak was stopped."))
    folder = Path(tempfile.mkdtemp(prefix="agora-soak-"))
    folder.chmod(0o755)  # the postgres user reaches its own folder inside
    environment = stack.app_environment(folder)
    os.environ.update(environment)  # this process reads the soak's database for the checks
    django.setup()
    from bench import soak_report

    app = Services(folder, environment)
    try:
        app.start_data()
        world, tokens = prepare(USERS)
        app.start_app()
        step(f"{USERS} users for {SECONDS} s; faults at 15, 35, 55 and 75 % of it")
        result = drive(app, world, tokens)
        keep_requests(result)
        checks = run_checks(app, result)
    finally:
        from django.db import connections

        connections.close_all()
        step("stopping everything the soak started")
        app.stop()
        keep_logs(folder)
        shutil.rmtree(folder, ignore_errors=True)
    text = soak_report.render(result, checks, users=USERS, seconds=SECONDS,
                              web_workers=WEB_WORKERS, window_after=WINDOW_AFTER)  # fmt: skip
    (ROOT / "bench" / "SOAK.md").write_text(text)
    print(text)
    if not all(check.passed for check in checks):
        sys.exit("The soak failed a check: see bench/SOAK.md and the logs in var/soak/.")


if __name__ == "__main__":
    main()
