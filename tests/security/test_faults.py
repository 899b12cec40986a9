"""Faults: a build killed half-way, a database connection dropped mid-request."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from apps.claims.services import TagInput
from apps.forum import services as forum
from apps.forum.models import Post
from apps.maps.models import ArgumentMap, MapRequest
from apps.maps.services import map_build
from tests.factories import UserFactory, make_thread
from tests.workers import ROOT, wait_for

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


def database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def test_a_build_killed_half_way_leaves_the_previous_map_and_is_done_again(tmp_path):
    author = UserFactory()
    thread = make_thread(author=author)
    claim = forum.reply_create(
        parent=thread.opening_post, author=author, body="a", tags=[TagInput("Fair use", "supports")]
    )
    map_build(topic_id=thread.topic_id)
    forum.reply_create(
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
    assert MapRequest.objects.filter(topic=thread.topic).exists()  # still marked dirty
    outcome = map_build(topic_id=thread.topic_id)  # the killed build's lock died with it
    assert (outcome.built, outcome.version, outcome.still_dirty) == (True, 2, False)


def test_a_connection_dropped_mid_request_gives_a_clean_error_and_no_half_written_rows(monkeypatch):
    author = UserFactory()
    thread = make_thread(author=author)
    real_tags_write = forum.tags_write

    def drop_connection_then_write(**kwargs):
        with psycopg.connect(database_url(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
            )
        return real_tags_write(**kwargs)

    monkeypatch.setattr(forum, "tags_write", drop_connection_then_write)
    client = Client(raise_request_exception=False)
    client.force_login(author)
    url = f"/posts/{thread.opening_post.pk}/reply/"
    response = client.post(url, {"body": "lost in transit", "response": "neutral"})
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    monkeypatch.setattr(forum, "tags_write", real_tags_write)
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

    monkeypatch.setattr(forum, "tags_write", deadlocked)
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
