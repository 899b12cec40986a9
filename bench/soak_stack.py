"""The soak's own services in a temporary folder: a PostgreSQL cluster, a Redis, and the
app's processes (gunicorn, a Celery worker, beat), each started again when it exits."""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGRES_PORT = 5439
REDIS_PORT = 6399
DATABASE = "agora_soak"
DATABASE_URL = f"postgres://postgres@127.0.0.1:{POSTGRES_PORT}/{DATABASE}"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
RESTART_PAUSE = 1  # seconds between a process's exit and its next start, as `make serve`


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str) -> float:
    """Poll until `predicate()` is true; returns when (time.time()), raises after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(0.1)
    return time.time()


def app_environment(folder: Path) -> dict[str, str]:
    """Production settings on the soak's own database and Redis, over plain HTTP."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DEBUG", "BENCH_", "PG", "CELERY"))
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "bench.soak_settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SOAK_STATIC_ROOT": str(folder / "static"),
        "PYTHONUNBUFFERED": "1",
    }


def manage(environment: dict[str, str], *arguments: str) -> str:
    """A one-off manage.py command on the soak's stack; its output, or an error with it."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


class PostgresCluster:
    """A cluster of its own (initdb), trust auth, on 127.0.0.1:POSTGRES_PORT."""

    def __init__(self, folder: Path):
        self.home = folder / "postgres"  # owned by the server's user
        self.data = self.home / "data"
        self.log = self.home / "server.log"

    def start(self) -> None:
        self.home.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        self._run(POSTGRES_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {POSTGRES_PORT}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.home}'\nmax_connections = 100\n"
            )
        self._pg_ctl("start")
        with self.connect("postgres") as server:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def restart(self) -> None:
        """What an operator's restart does: a fast shutdown (open connections are ended),
        then a start; returns once the server accepts connections again."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if not self.data.exists():
            return
        try:
            self._pg_ctl("stop", "-m", "fast")
        except RuntimeError:
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():  # the postmaster we started; its children follow it
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    def connect(self, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=POSTGRES_PORT, user="postgres", dbname=dbname,
            autocommit=True, connect_timeout=3,
        )  # fmt: skip

    def _pg_ctl(self, *arguments: str) -> None:
        self._run(POSTGRES_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                  *arguments)  # fmt: skip

    def _run(self, *command) -> None:
        """As the postgres user when we are root: initdb and the server refuse root."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*prefix, *map(str, command)], capture_output=True, text=True, cwd=self.home
        )
        if done.returncode:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}{done.stderr}{log}")


class RedisServer:
    """A Redis of its own on REDIS_PORT that keeps nothing on disk: a restart empties it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.process = None
        self.client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        with (self.folder / "redis.log").open("a") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_until(self.answers, timeout=20, what=f"Redis on port {REDIS_PORT}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def answers(self) -> bool:
        try:
            return self.client.ping()
        except redis.RedisError:
            return False

    def unacknowledged(self) -> int | None:
        """Tasks a worker has taken and not yet acknowledged (kombu's "unacked" hash)."""
        try:
            return self.client.hlen("unacked")
        except redis.RedisError:
            return None


class Supervised:
    """A command started again RESTART_PAUSE after it exits, as `make serve` restarts the
    worker and compose's restart policy restarts a container. Each run is a process group
    of its own, so a kill reaches its children (a worker's pool, gunicorn's workers)."""

    def __init__(self, name: str, command: list[str], environment: dict, log: Path):
        self.name, self.command, self.environment, self.log = name, command, environment, log
        self.process: subprocess.Popen | None = None
        self.starts: list[tuple[float, int]] = []  # (time, log offset) of each start
        self.exits: list[tuple[float, int]] = []  # (time, exit status) of each exit
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name=f"supervise-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()
        wait_until(lambda: self.process is not None, timeout=10, what=f"{self.name} to start")

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                offset = self.log.stat().st_size if self.log.exists() else 0
                with self.log.open("a") as log:
                    self.process = subprocess.Popen(
                        self.command, cwd=ROOT, env=self.environment, stdout=log,
                        stderr=subprocess.STDOUT, start_new_session=True,
                    )  # fmt: skip
                self.starts.append((time.time(), offset))
            status = self.process.wait()
            if self._stopping.is_set():
                return
            self.exits.append((time.time(), status))
            time.sleep(RESTART_PAUSE)

    def kill(self) -> None:
        """kill -9 of the process and its children."""
        os.killpg(self.process.pid, signal.SIGKILL)

    def wait_for_output(self, text: str, *, run: int = -1, timeout: float = 120) -> float:
        """When `text` first appeared in the output of the run'th start (the latest)."""

        def appeared() -> bool:
            if len(self.starts) <= (run if run >= 0 else 0):
                return False
            with self.log.open("rb") as log:
                log.seek(self.starts[run][1])
                return text.encode() in log.read()

        return wait_until(appeared, timeout=timeout, what=f"“{text}” from {self.name}")

    def children(self) -> list[int]:
        """The pids of the current process's direct children (gunicorn's workers)."""
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except FileNotFoundError:
            return []

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
        if self.process is None or self.process.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=grace)
                self._reap_group()
                return
            except subprocess.TimeoutExpired:
                continue

    def _reap_group(self) -> None:
        """Children left behind by a leader that exited first (a worker's pool)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
