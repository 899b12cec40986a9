from django.db import models
from django.utils import timezone

from apps.forum.models import Topic


class WholeJSONField(models.JSONField):
    """JSON stored as PostgreSQL json, the text as sent, for a document only ever written
    and read whole: jsonb would parse it into a tree on every write (a third of a second
    for a 12 MB map) and print it back as text on every read."""

    def db_type(self, connection) -> str:
        return "json"

    def from_db_value(self, value, expression, connection):
        if not isinstance(value, str):  # psycopg parses json; Django has it pass jsonb as text
            return value
        return super().from_db_value(value, expression, connection)


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
    graph = WholeJSONField()
    # SHA-256 of the graph's canonical JSON (services.graph_document): a build compares
    # digests, so it never loads the latest graph, megabytes in a large topic, to compare.
    digest = models.CharField(max_length=64)
    stats = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "version"], name="one_map_per_topic_version")
        ]
        ordering = ["topic", "-version"]

    def __str__(self) -> str:
        return f"Map of {self.topic_id}, version {self.version}"
