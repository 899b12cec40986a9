"""Real Celery workers and Redis servers for the pipeline tests, in subprocesses."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate, *, timeout: float = 60, message: str = "condition") -> None:
    """Poll until `predicate()` is true; a bounded wait on another process, not a timing."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {message}.")
        time.sleep(0.1)


def free_port() -> int:
    """A local port that nothing listens on: the kernel just lent it and it was given back."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def celery_worker(redis_url: str, *, beat_schedule: Path | None = None):
    """A worker of this project on the test database, consuming from `redis_url`; with
    `beat_schedule` (a file path), it runs beat inside it too, as `make serve` does."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": redis_url,
    }
    with tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--loglevel=info", "--without-heartbeat", "--without-gossip", "--without-mingle",
             *(["--beat", f"--schedule={beat_schedule}"] if beat_schedule else [])],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(lambda: worker.poll() is not None or " ready." in Path(log.name).read_text(),
                     message="the Celery worker to start")  # fmt: skip
            assert worker.poll() is None, Path(log.name).read_text()
            yield worker
        finally:
            worker.terminate()
            worker.wait(timeout=30)


@contextmanager
def redis_server(port: int):
    """A throwaway Redis on `port`, restartable by the test."""
    server = RedisServer(port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=20, message=f"Redis on port {self.port}")

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url).ping()
        except redis.ConnectionError:
            return False
