from django.db import models
from django.utils import timezone

from apps.forum.models import Topic


class MapRequest(models.Model):
    """A dirty mark: something that can change the topic's map was committed with it.
    A build deletes the marks it saw, so one that arrives meanwhile keeps the topic dirty."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="map_requests")
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Map of {self.topic_id} requested at {self.created:%Y-%m-%d %H:%M:%S}"


class ArgumentMap(models.Model):
    """One built version of a topic's argument map; a new version only when the graph changed."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="argument_maps")
    version = models.PositiveIntegerField()
    built_at = models.DateTimeField(default=timezone.now)
    graph = models.JSONField()
    stats = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "version"], name="one_map_per_topic_version")
        ]
        ordering = ["topic", "-version"]

    def __str__(self) -> str:
        return f"Map of {self.topic_id}, version {self.version}"
