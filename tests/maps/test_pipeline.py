"""The map pipeline end to end: real PostgreSQL, real Redis, real Celery workers."""

import pytest
from kombu import pools

from apps.claims.models import ClaimTag
from apps.claims.services.tags import TagInput, post_tags_set
from apps.forum.services.posting import reply_create
from apps.maps.builder import build_graph
from apps.maps.exports import stored_graph
from apps.maps.models import ArgumentMap, MapDirtyMark
from apps.maps.tasks import sweep_dirty_maps
from config.celery import app as celery_app
from tests.factories import UserFactory, make_thread
from tests.workers import celery_worker, free_port, redis_server, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def broker(settings):
    """A Redis of the test's own as broker and cache: no task or flag of another test, of
    another xdist worker or of another run sharing the Redis of REDIS_URL reaches its worker."""
    with redis_server(free_port()) as server:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
        with pointed_at(server.url):
            yield server.url


def latest_version(topic) -> int:
    latest = ArgumentMap.objects.filter(topic=topic).order_by("-version").first()
    return latest.version if latest else 0


def debate():
    """A thread where bob's reply disagrees with alice's claim: one attack edge."""
    alice, bob = UserFactory(), UserFactory()
    thread = make_thread(author=alice)
    claim = reply_create(
        parent=thread.opening_post, author=alice, body="Training is fair use.",
        tags=[TagInput("Training is fair use", "supports")],
    )  # fmt: skip
    return thread, claim, bob


def test_a_tagged_reply_reaches_the_map_through_a_real_worker(broker):
    with celery_worker(broker):
        thread, claim, bob = debate()
        topic = thread.topic
        wait_for(lambda: latest_version(topic) == 1, message="the first map")
        reply = reply_create(
            parent=claim, author=bob, body="Models store copies.", response="disagree",
            tags=[TagInput("Models store copies of their training images", "supports")],
        )  # fmt: skip
        wait_for(lambda: latest_version(topic) == 2, message="the map with the reply")
        wait_for(
            lambda: not MapDirtyMark.objects.filter(topic=topic).exists(), message="a clean topic"
        )
    graph = stored_graph(ArgumentMap.objects.get(topic=topic, version=2))
    assert [(e["kind"], e["evidence"]) for e in graph["edges"]] == [("attack", [reply.pk])]
    assert {node["text"]: node["standing"] for node in graph["nodes"]} == {
        "Models store copies of their training images": "IN",
        "Training is fair use": "OUT",
    }


def test_a_hundred_rapid_tag_changes_coalesce_into_a_handful_of_builds(broker):
    thread, claim, bob = debate()
    topic = thread.topic
    reply = reply_create(
        parent=claim, author=bob, body="Not so.", tags=[TagInput("Copies", "supports")]
    )
    with celery_worker(broker):
        for change in range(100):
            stance = ClaimTag.Stance.OPPOSES if change % 2 == 0 else ClaimTag.Stance.SUPPORTS
            post_tags_set(
                post=reply,
                actor=bob,
                tags=[TagInput("Copies", "supports"), TagInput(claim_text(claim), stance)],
            )
        wait_for(
            lambda: not MapDirtyMark.objects.filter(topic=topic).exists(), message="the last build"
        )
    builds = ArgumentMap.objects.filter(topic=topic).count()
    assert 1 <= builds <= 10, f"{builds} builds for 100 changes"
    final = ArgumentMap.objects.filter(topic=topic).order_by("-version").first()
    assert stored_graph(final) == build_graph(topic)
    assert [edge["kind"] for edge in stored_graph(final)["edges"]] == [
        "support"
    ]  # the 100th change supports


def claim_text(post) -> str:
    return post.tags.get().claim.text


def test_posting_works_while_the_broker_is_down_and_the_sweep_catches_up(settings):
    with redis_server(free_port()) as spare:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": spare.url}}
        with pointed_at(spare.url), celery_worker(spare.url):
            spare.stop()
            thread, claim, bob = debate()
            assert MapDirtyMark.objects.filter(topic=thread.topic).exists()
            assert not ArgumentMap.objects.filter(topic=thread.topic).exists()

            spare.start()
            assert sweep_dirty_maps() == 1
            wait_for(lambda: latest_version(thread.topic) == 1, message="the swept build")
    assert (
        stored_graph(ArgumentMap.objects.get(topic=thread.topic))["nodes"][0]["text"]
        == "Training is fair use"
    )


class pointed_at:
    """Point this process's Celery producer at another broker for the duration."""

    def __init__(self, url: str):
        self.url = url

    def __enter__(self):
        self.previous = celery_app.conf.broker_url
        self._switch(self.url)

    def __exit__(self, *exc):
        self._switch(self.previous)

    @staticmethod
    def _switch(url: str) -> None:
        pools.reset()  # closes and forgets every pool: a closed one left behind would be reused
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        # The key the app was configured by (namespace CELERY): celery 5.6 reads it before
        # broker_url, so setting broker_url alone would leave the producer on the old broker.
        celery_app.conf["CELERY_BROKER_URL"] = url
