from celery import shared_task
from django.db import OperationalError

from apps.maps.services import (
    dirty_topic_ids,
    enqueue_map_build,
    map_build,
    map_versions_prune,
)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def build_map(topic_id: int) -> int | None:
    """Build one topic's map; queue another build if changes arrived meanwhile."""
    outcome = map_build(topic_id=topic_id)
    if outcome.still_dirty and outcome.built:
        enqueue_map_build(topic_id)
    return outcome.version


@shared_task
def sweep_dirty_maps() -> int:
    """Queue builds for topics left dirty, e.g. while the broker or the worker was down."""
    topic_ids = dirty_topic_ids()
    for topic_id in topic_ids:
        enqueue_map_build(topic_id)
    return len(topic_ids)


@shared_task
def prune_map_versions() -> int:
    """Delete old map versions (services.map_versions_prune)."""
    return map_versions_prune()
