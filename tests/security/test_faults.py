"""Faults: a build killed half-way, a database connection dropped mid-request or refused,
a worker killed while it holds a build, Redis going away under a worker, a web worker killed
in the middle of a write."""

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.claims.services.tags import TagInput
from apps.forum.models import Post, Topic
from apps.forum.services import posting
from apps.forum.services.posting import reply_create
from apps.forum.trees import check_trees
from apps.maps import services as map_services
from apps.maps.models import ArgumentMap, MapDirtyMark
from apps.maps.services import map_build
from apps.maps.tasks import sweep_dirty_maps
from tests.factories import UserFactory, make_thread
from tests.maps.test_pipeline import pointed_at
from tests.workers import ROOT, celery_worker, free_port, redis_server, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Runs a real map build in its own process, stalled inside the build's transaction.
STALLED_BUILD = """
import sys, time, django
django.setup()
from apps.maps import services
real_build = services.build_graph
def stalled(topic):
    graph = real_build(topic)
    open(sys.argv[2], "w").close()  # the build holds its lock and is writing
    time.sleep(600)
    return graph
services.build_graph = stalled
services.map_build(topic_id=int(sys.argv[1]))
"""

# The app, as gunicorn serves it, with a write that stalls inside its transaction: the reply's
# row is inserted, its notifications not yet written, when the worker says which process
# it is.
STALLING_APP = """
import os, time
from pathlib import Path
from config.wsgi import application
from apps.forum.services import posting
real_notifications_for_reply = posting.notifications_for_reply
def stalled(**kwargs):
    if kwargs["reply"].body == "stall here":
        Path(os.environ["STALLED_FILE"]).write_text(str(os.getpid()))
        time.sleep(600)
    return real_notifications_for_reply(**kwargs)
posting.notifications_for_reply = stalled
"""


def database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def terminate_backend(pid: int) -> None:
    """End one server process as a PostgreSQL restart ends them all, and wait until it is gone."""
    with psycopg.connect(database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

        def gone() -> bool:
            alive = admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            return alive.fetchone() is None

        wait_for(gone, timeout=10, message=f"backend {pid} to end")


@contextmanager
def database_refusing_connections():
    """This process's database connection pointed at a port where nothing listens: what a
    request meets while PostgreSQL restarts."""
    database = connection.settings_dict
    port = database["PORT"]
    connection.close()
    database["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        database["PORT"] = port


def assert_unavailable(response, detail: str) -> None:
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "5"
    assert "nothing was saved; try again" in detail


def tagged_thread():
    """A thread with one tagged reply: its topic is marked, and its map build queued."""
    author = UserFactory()
    thread = make_thread(author=author)
    reply_create(
        parent=thread.opening_post, author=author, body="Training is fair use.",
        tags=[TagInput("Training is fair use", "supports")],
    )  # fmt: skip
    return thread


def a_build_held_by_the_worker(broker, monkeypatch):
    """A tagged thread whose build a worker has taken and holds, waiting to run it, as a
    worker under write load nearly always holds one (each build waits GATHER_FOR)."""
    with monkeypatch.context() as patch:
        patch.setattr(map_services, "GATHER_FOR", 600)
        thread = tagged_thread()
    wait_for(lambda: broker.hlen("unacked") == 1, message="the worker to hold the build")
    return thread


def latest_version(topic) -> int:
    latest = ArgumentMap.objects.filter(topic=topic).order_by("-version").first()
    return latest.version if latest else 0


def test_a_build_killed_half_way_leaves_the_previous_map_and_is_done_again(tmp_path):
    author = UserFactory()
    thread = make_thread(author=author)
    claim = reply_create(
        parent=thread.opening_post, author=author, body="a", tags=[TagInput("Fair use", "supports")]
    )
    map_build(topic_id=thread.topic_id)
    reply_create(
        parent=claim,
        author=UserFactory(),
        body="b",
        response="disagree",
        tags=[TagInput("Copies", "supports")],
    )
    started = Path(tmp_path / "started")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
    }
    build = subprocess.Popen(
        [sys.executable, "-c", STALLED_BUILD, str(thread.topic_id), str(started)], cwd=ROOT, env=env
    )
    try:
        wait_for(started.exists, message="the stalled build to start")
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait()
    assert list(
        ArgumentMap.objects.filter(topic=thread.topic).values_list("version", flat=True)
    ) == [1]
    assert MapDirtyMark.objects.filter(topic=thread.topic).exists()  # still marked dirty
    outcome = map_build(topic_id=thread.topic_id)  # the killed build's lock died with it
    assert (outcome.built, outcome.version, outcome.still_dirty) == (True, 2, False)


def test_a_connection_dropped_mid_request_is_a_503_and_leaves_no_half_written_rows(monkeypatch):
    author = UserFactory()
    thread = make_thread(author=author)
    real_notifications_for_reply = posting.notifications_for_reply

    def drop_connection_then_write(**kwargs):
        terminate_backend(connection.connection.info.backend_pid)
        return real_notifications_for_reply(**kwargs)

    monkeypatch.setattr(posting, "notifications_for_reply", drop_connection_then_write)
    client = Client(raise_request_exception=False)
    client.force_login(author)
    url = f"/posts/{thread.opening_post.pk}/reply/"
    response = client.post(url, {"body": "lost in transit", "response": "neutral"})
    assert_unavailable(response, response.content.decode())
    monkeypatch.setattr(posting, "notifications_for_reply", real_notifications_for_reply)
    assert not Post.objects.filter(body="lost in transit").exists()
    assert client.post(url, {"body": "second try", "response": "neutral"}).status_code == 302
    assert Post.objects.filter(body="second try").count() == 1


def test_a_lost_deadlock_is_a_clear_503_not_a_500(monkeypatch, settings):
    author = UserFactory()
    thread = make_thread(author=author)

    def deadlocked(**kwargs):
        with connection.cursor() as cursor:  # PostgreSQL's own error, raised on demand
            cursor.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END $$"
            )

    monkeypatch.setattr(posting, "notifications_for_reply", deadlocked)
    client = Client(raise_request_exception=False)
    client.force_login(author)
    response = client.post(
        f"/posts/{thread.opening_post.pk}/reply/", {"body": "x", "response": "neutral"}
    )
    assert response.status_code == 503 and "nothing was saved" in response.content.decode()
    api = APIClient()
    api.force_authenticate(author)
    response = api.post(
        f"/api/threads/{thread.pk}/posts/",
        {"parent": thread.opening_post.pk, "body": "x"},
        format="json",
    )
    assert response.status_code == 503 and "nothing was saved" in response.json()["detail"]
    assert thread.posts.count() == 1


def test_a_database_refusing_connections_is_a_503_in_pages_and_the_api():
    author = UserFactory()
    thread = make_thread(author=author)
    member = Client(raise_request_exception=False)
    member.force_login(author)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(author)
    with database_refusing_connections():
        pages = [
            Client(raise_request_exception=False).get(thread.get_absolute_url()),
            member.post(
                f"/posts/{thread.opening_post.pk}/reply/", {"body": "x", "response": "neutral"}
            ),
        ]
        answers = [
            api.get(f"/api/threads/{thread.pk}/posts/"),
            api.post(
                f"/api/threads/{thread.pk}/posts/",
                {"parent": thread.opening_post.pk, "body": "x"},
                format="json",
            ),
        ]
    for page in pages:
        assert_unavailable(page, page.content.decode())
    for answer in answers:
        assert_unavailable(answer, answer.json()["detail"])
    assert thread.posts.count() == 1


def reads_the_database_first(get_response):
    """A middleware that reads the database before any view does."""

    def middleware(request):
        Topic.objects.exists()
        return get_response(request)

    return middleware


def test_a_database_out_of_reach_outside_a_view_is_still_a_503(settings):
    settings.MIDDLEWARE = [f"{__name__}.reads_the_database_first", *settings.MIDDLEWARE]
    with database_refusing_connections():
        response = Client(raise_request_exception=False).get("/")
    assert_unavailable(response, response.content.decode())


def test_a_connection_the_database_dropped_between_requests_is_replaced_not_a_failure():
    thread = make_thread(author=UserFactory())
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    terminate_backend(connection.connection.info.backend_pid)
    close_old_connections()  # what Django does as every request starts; the test client doesn't
    assert Client().get(thread.get_absolute_url()).status_code == 200


def test_a_worker_holding_a_build_survives_redis_going_away_and_then_builds_the_map(
    settings, monkeypatch
):
    with redis_server(free_port()) as spare:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": spare.url}}
        broker = redis.Redis.from_url(spare.url)
        with pointed_at(spare.url), celery_worker(spare.url) as worker:
            thread = a_build_held_by_the_worker(broker, monkeypatch)
            spare.stop()
            spare.start()  # empty, as after a crash: the held build and its flag are gone

            def consuming_again() -> bool:
                return any(client["cmd"] == "brpop" for client in broker.client_list())

            wait_for(lambda: worker.poll() is not None or consuming_again(),
                     message="the worker to come back to Redis, or die")  # fmt: skip
            assert worker.poll() is None, "the worker died with Redis"

            def built() -> bool:
                sweep_dirty_maps()  # beat's part, every 5 s; a flag stops a second queueing
                return worker.poll() is not None or latest_version(thread.topic) == 1

            wait_for(built, message="the map, or the worker's death")
            assert worker.poll() is None and latest_version(thread.topic) == 1


def test_after_a_worker_dies_holding_a_build_the_map_is_fresh_15_s_after_a_new_one_is_up(
    settings, monkeypatch, tmp_path
):
    with redis_server(free_port()) as spare:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": spare.url}}
        broker = redis.Redis.from_url(spare.url)
        with pointed_at(spare.url):
            with celery_worker(spare.url) as doomed:
                thread = a_build_held_by_the_worker(broker, monkeypatch)
                doomed.kill()
                doomed.wait()
            assert MapDirtyMark.objects.filter(topic=thread.topic).exists()
            # Beat inside the new worker, as under `make serve`: nothing else sweeps.
            with celery_worker(spare.url, beat_schedule=tmp_path / "beat-schedule"):
                wait_for(lambda: latest_version(thread.topic) == 1, timeout=15,
                         message="the map, 15 s after the new worker was up")  # fmt: skip


@contextmanager
def gunicorn_with_a_stalling_write(folder: Path):
    """Two gunicorn workers on the test database serving STALLING_APP; yields the base URL
    and the file where a stalled write leaves its worker's pid."""
    (folder / "stalling.py").write_text(STALLING_APP)
    stalled, port = folder / "stalled", free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "PYTHONPATH": f"{folder}:{ROOT}",
        "STALLED_FILE": str(stalled),
    }
    with (folder / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "stalling:application", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or its workers still starting
            return server.poll() is not None

    try:
        wait_for(serving, message="gunicorn to serve")
        assert server.poll() is None, (folder / "gunicorn.log").read_text()
        yield base, stalled
    finally:
        server.terminate()
        server.wait(timeout=30)


def no_transaction_left_open() -> bool:
    """No other session of the test database is still inside a transaction."""
    with psycopg.connect(database_url(), autocommit=True) as admin:
        open_ones = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
        )
        return open_ones.fetchone()[0] == 0


def test_a_web_worker_killed_mid_write_leaves_nothing_half_written_and_is_replaced(tmp_path):
    author = UserFactory()
    thread = make_thread(author=author)
    token = Token.objects.create(user=author)
    with gunicorn_with_a_stalling_write(tmp_path) as (base, stalled):
        url, headers = f"{base}/api/threads/{thread.pk}/posts/", {"Authorization": f"Token {token}"}

        def reply(body: str) -> requests.Response:
            payload = {"parent": thread.opening_post.pk, "body": body}
            return requests.post(url, json=payload, headers=headers, timeout=60)

        with ThreadPoolExecutor(1) as client:
            killed = client.submit(reply, "stall here")
            wait_for(lambda: stalled.exists() and stalled.read_text(), message="the stalled write")
            os.kill(int(stalled.read_text()), signal.SIGKILL)
            with pytest.raises(requests.ConnectionError):
                killed.result()
        # Its connection went with it: PostgreSQL rolled the transaction back, row and all.
        wait_for(no_transaction_left_open, timeout=10, message="the killed write's rollback")
        assert reply("after the kill").status_code == 201  # its replacement, or the other one
    assert list(thread.posts.filter(depth=1).values_list("body", flat=True)) == ["after the kill"]
    thread.refresh_from_db()
    thread.opening_post.refresh_from_db()
    assert thread.reply_count == thread.opening_post.reply_count == 1
    assert check_trees().clean
