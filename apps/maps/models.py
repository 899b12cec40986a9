from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
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


class MapDirtyMark(models.Model):
    """A dirty mark: something that can change the topic's map was committed with it.
    A build deletes the marks it saw, so one that arrives meanwhile keeps the topic dirty."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="map_dirty_marks")
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Map of {self.topic_id} marked dirty at {self.created:%Y-%m-%d %H:%M:%S}"


class ArgumentMap(models.Model):
    """One built version of a topic's argument map; a new version only when the graph changed."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="argument_maps")
    version = models.PositiveIntegerField()
    built_at = models.DateTimeField(default=timezone.now)
    # The graph but its edges: the rules, the nodes, the aliases and how the strengths were
    # computed. The edges are the version's MapRelation rows; the exports join the two
    # (exports.stored_graph). Edges stored twice were a fifth of a large build (bench 4).
    graph_without_edges = WholeJSONField()
    # SHA-256 of the whole graph's canonical JSON (services.graph_document): a build compares
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


class MapClaimManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("bears_on_ids", "bears_on_ranks", "bears_on_supports")


class MapClaim(models.Model):
    """A claim's node in one built version, as a row: what claim pages, the claim API and
    the map views read, so that showing one claim never parses the whole graph."""

    # No database constraints, and no index of one column: map_build writes a version's rows
    # by COPY in the version's own transaction, and every read and delete names the version,
    # which the indexes below lead with; each constraint and index is work per row (bench 4).
    argument_map = models.ForeignKey(
        ArgumentMap,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="claims",
    )
    # A version is a record of what was, and outlives nothing.
    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    text = models.CharField(max_length=200)
    strength = models.FloatField()
    base = models.FloatField()
    standing = models.CharField(max_length=9)
    reason = models.TextField()
    supporters = models.PositiveIntegerField()
    opposers = models.PositiveIntegerField()
    endorsed_supporting = models.PositiveIntegerField()
    endorsed_opposing = models.PositiveIntegerField()
    supported_by = models.PositiveIntegerField()  # claims with a support edge into this one
    attacked_by = models.PositiveIntegerField()
    main = models.BooleanField()  # supports and attacks no other claim: a thesis of the topic
    bears_on = models.PositiveIntegerField()  # claims it supports or attacks
    # Its place in the version's claims, strongest first (services.claim_ranks): every list
    # of claims is in this order, and the relations carry it so that an index serves it.
    rank = models.PositiveIntegerField()
    # The relations out of it, strongest target first (then attacks before supports): each
    # target, its rank and whether it supports it. Read by unnest in SQL, never by the ORM
    # (the manager defers them): an index of the relations by source cost a third of
    # writing them (bench 4).
    bears_on_ids = ArrayField(models.BigIntegerField())
    bears_on_ranks = ArrayField(models.PositiveIntegerField())
    bears_on_supports = ArrayField(models.BooleanField())

    objects = MapClaimManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["argument_map", "claim"], name="one_row_per_claim")
        ]
        indexes = [
            # the main claims strongest first, and every claim strongest first: a page of
            # either is read from its index, not sorted out of the whole version
            models.Index(fields=["argument_map", "main", "rank"], name="map_claim_ranked"),
            models.Index(fields=["argument_map", "rank"], name="map_claim_rank"),
            GistIndex(fields=["text"], opclasses=["gist_trgm_ops"], name="map_claim_text_trgm"),
        ]

    def __str__(self) -> str:
        return f"«{self.text}» in map {self.argument_map_id}"


class MapRelation(models.Model):
    """An edge of one built version, as a row: `source` supports or attacks `target`."""

    # As MapClaim's: no database constraints, no index of one column (56,771 relations
    # on the benchmark topic; the indexes below serve every read).
    argument_map = models.ForeignKey(
        ArgumentMap,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="relations",
    )
    source = models.ForeignKey(
        "claims.Claim",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    target = models.ForeignKey(
        "claims.Claim",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    kind = models.CharField(max_length=7)  # "support" or "attack"
    weight = models.PositiveIntegerField()  # distinct authors of the evidence posts
    share = models.FloatField()  # its weight in the strength (docs/map-rules.md)
    evidence = ArrayField(models.BigIntegerField())  # the posts that drew it, in id order
    source_rank = models.PositiveIntegerField()  # MapClaim.rank of each end
    target_rank = models.PositiveIntegerField()

    class Meta:
        # A claim's strongest supporters or attackers read a page at a time from the index,
        # however many it has. The claims it bears on are its MapClaim's bears_on arrays.
        indexes = [
            models.Index(
                fields=["argument_map", "target", "kind", "source_rank"],
                name="map_relation_into",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind}s {self.target_id} in map {self.argument_map_id}"
