"""Figure 8: requests/s of the thread page and of a trivial view, served by gunicorn with
3 sync workers and loaded by wrk over loopback, alternating in the same run."""

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_SIZE = 1_000  # replies in the thread whose page is served
WORKERS = 3
WRK_THREADS = 2
WRK_CONNECTIONS = 4
START_TIMEOUT = 30  # seconds


def measure(thread_url: str, *, rounds: int, seconds: int, page_cache: bool) -> dict | None:
    """Median requests/s of the trivial view and the thread page, and of the thread page
    from a second server that keeps the app's visitor page cache; None without wrk."""
    if not shutil.which("wrk"):
        return None
    with contextlib.ExitStack() as servers:
        plain = servers.enter_context(gunicorn(workers=WORKERS))
        urls = {"trivial": plain + "/bench/trivial/", "thread": plain + thread_url}
        if page_cache:
            cached = servers.enter_context(
                gunicorn(workers=WORKERS, extra_environment={"BENCH_PAGE_CACHE": "1"})
            )
            urls["thread_cached"] = cached + thread_url
        for url in urls.values():
            _wrk(url, seconds=2)  # warm every worker
        rates = {name: [] for name in urls}
        for _ in range(rounds):
            for name, url in urls.items():
                rates[name].append(_wrk(url, seconds=seconds))
    return {name: statistics.median(values) for name, values in rates.items()}


@contextlib.contextmanager
def gunicorn(*, workers: int, extra_environment: dict | None = None):
    """The app under gunicorn with `workers` sync workers on a free loopback port, on the
    bench's database (bench/settings.py); yields its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--access-logfile", "-"]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    environment.update(extra_environment or {})
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            _wait_until_serving(base + "/bench/trivial/", process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_serving(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    log.seek(0)
    raise RuntimeError(f"gunicorn is not serving {url}:\n{log.read().decode()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wrk(url: str, *, seconds: int) -> float:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))
