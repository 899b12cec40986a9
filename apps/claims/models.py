import re
import unicodedata

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core.text import MAX_CLAIM_LENGTH
from apps.forum.models import Post, Topic

MAX_TAGS_PER_POST = 5


def claim_key(text: str) -> str:
    """What makes two claims the same: their words, whatever the case, spacing or punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


class ClaimQuerySet(models.QuerySet):
    def active(self) -> "ClaimQuerySet":
        return self.filter(status=Claim.Status.ACTIVE)

    def in_topic(self, topic: Topic) -> "ClaimQuerySet":
        return self.filter(topic=topic)


class Claim(models.Model):
    """A short proposition argued in a topic. A merged claim is an alias of `merged_into`."""

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        MERGED = "merged", "merged"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="claims")
    text = models.CharField(max_length=MAX_CLAIM_LENGTH)
    key = models.CharField(max_length=MAX_CLAIM_LENGTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="aliases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    # What search matches besides the spelling (apps/search/selectors.py), kept by PostgreSQL.
    search_vector = models.GeneratedField(
        expression=SearchVector("text", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "key"],
                condition=Q(status="active"),
                name="claim_key_unique_among_active_claims_of_topic",
            ),
            models.CheckConstraint(
                condition=Q(status="active", merged_into__isnull=True)
                | Q(status="merged", merged_into__isnull=False),
                name="claim_merged_exactly_when_it_has_a_target",
            ),
        ]
        # GiST, not GIN: autocomplete reads the nearest claims first and stops at its limit,
        # where GIN must score every claim sharing a common word. A 256-byte signature keeps
        # the index's distance bounds tight enough for that (bench figure 7).
        indexes = [
            GistIndex(
                fields=["text"], opclasses=["gist_trgm_ops(siglen=256)"], name="claim_text_trgm"
            ),
            GinIndex(fields=["search_vector"], name="claim_search"),
            models.Index(fields=["created", "id"], name="claim_by_created"),  # as posts
        ]
        permissions = [("tag_any_post", "Can change the claim tags of any post")]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return reverse("claims:claim", kwargs={"pk": self.pk})

    @property
    def canonical(self) -> "Claim":
        """The claim this one stands for: itself, or the target it was merged into."""
        return self.merged_into if self.merged_into_id else self


class ClaimTag(models.Model):
    """A post makes (supports) or disputes (opposes) a claim."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "supports"
        OPPOSES = "opposes", "opposes"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tags")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="tags")
    stance = models.CharField(max_length=8, choices=Stance.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "claim"], name="one_tag_per_claim_per_post")
        ]
        # A claim page's posts of one stance, a page at a time in the order written.
        indexes = [models.Index(fields=["claim", "stance", "post"], name="claim_tag_stance_post")]

    def __str__(self) -> str:
        return f"Post {self.post_id} {self.stance} «{self.claim}»"


class Endorsement(models.Model):
    """A member supports or opposes a claim without posting: one per member per claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="endorsements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    stance = models.CharField(max_length=8, choices=ClaimTag.Stance.choices)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "user"], name="one_endorsement_per_member_per_claim"
            )
        ]
        indexes = [models.Index(fields=["claim", "stance"])]

    def __str__(self) -> str:
        return f"Member {self.user_id} {self.stance} «{self.claim}»"


class ClaimNeighbour(models.Model):
    """A likely duplicate, found when `claim` was created: one of the older active claims of
    its topic whose words are most alike. The moderators' duplicate queue reads these, where
    comparing every pair of a topic's claims would grow with the square of their number."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    neighbour = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField()  # pg_trgm's similarity of the two texts

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "neighbour"], name="claim_neighbour_once"),
            models.CheckConstraint(
                condition=Q(neighbour__lt=models.F("claim")), name="claim_neighbour_is_older"
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_id} is like claim {self.neighbour_id} ({self.similarity:.2f})"


class ClaimWord(models.Model):
    """A word of the claims (as PostgreSQL's 'simple' text search splits them, lower case):
    the vocabulary search corrects a misspelled word against. A few thousand words where a
    large forum has a hundred thousand claims, so the nearest spelling is one index probe
    (bench figure 11), not a trigram scan of every claim's text."""

    word = models.CharField(max_length=200, primary_key=True)

    class Meta:
        indexes = [GistIndex(fields=["word"], opclasses=["gist_trgm_ops"], name="claim_word_trgm")]

    def __str__(self) -> str:
        return self.word
