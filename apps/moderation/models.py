from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.claims.models import Claim
from apps.core.text import MAX_REASON_LENGTH
from apps.forum.models import Post, Thread, Topic


class ClaimMerge(models.Model):
    """A moderator's merge of source claims into a target, with what undoing it needs:
    the tags, endorsements and claims as they were before, and the tags and endorsements
    as the merge left them."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="claim_merges")
    target = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="merges_into")
    sources = models.ManyToManyField(Claim, related_name="merged_away_in")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(max_length=MAX_REASON_LENGTH)
    created = models.DateTimeField(default=timezone.now)
    # {"tags": [[id, post, claim, stance]], "claims": [[id, status, merged_into]],
    #  "endorsements": [[id, user, claim, stance, created, updated]]} (none in older merges)
    before = models.JSONField()
    after = models.JSONField()  # {"tags": [...], "endorsements": [...]} of the same owners
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the merge told the authors of re-pointed posts: its undo withdraws or answers them.
    notifications = models.ManyToManyField(
        "notifications.Notification", related_name="+", blank=True
    )

    class Meta:
        ordering = ["-created", "-pk"]
        permissions = [("merge_claims", "Can merge claims and undo merges")]

    def __str__(self) -> str:
        return f"Merge {self.pk} into «{self.target}»"


class DuplicateDismissal(models.Model):
    """A pair of claims a moderator judged not to be duplicates; the queue skips it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="dismiss_a_pair_once"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="dismissed_pair_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Claims {self.first_id} and {self.second_id} are not duplicates"


class ModerationAction(models.Model):
    """One line of the public moderation log."""

    class Kind(models.TextChoices):
        MERGE = "merge", "merged claims"
        UNDO_MERGE = "undo_merge", "undid a merge"
        REMOVE_POST = "remove_post", "removed a post"
        RESTORE_POST = "restore_post", "restored a post"
        LOCK_THREAD = "lock_thread", "locked a thread"
        UNLOCK_THREAD = "unlock_thread", "unlocked a thread"
        DELETE_THREAD = "delete_thread", "deleted a thread"
        DELETE_TOPIC = "delete_topic", "deleted a topic"
        RESOLVE_REPORTS = "resolve_reports", "resolved reports"
        CREATE_TOPIC = "create_topic", "created a topic"
        EDIT_TOPIC = "edit_topic", "edited a topic"
        ARCHIVE_TOPIC = "archive_topic", "archived a topic"
        UNARCHIVE_TOPIC = "unarchive_topic", "unarchived a topic"

    # The log outlives what it records: a deleted topic leaves its entries, without a link.
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(max_length=MAX_REASON_LENGTH, blank=True)
    summary = models.CharField(max_length=500)
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merge = models.ForeignKey(
        ClaimMerge, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["topic", "-created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class Report(models.Model):
    """A member's report of a post or a claim to the moderators, with their reason. Open
    until a moderator resolves the item, which closes every open report on it at once."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        DISMISSED = "dismissed", "dismissed"
        REMOVED = "removed", "post removed"
        MERGED = "merged", "claim merged"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reports")
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.TextField(max_length=MAX_REASON_LENGTH)
    state = models.CharField(max_length=9, choices=State.choices, default=State.OPEN)
    created = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(max_length=MAX_REASON_LENGTH, blank=True)  # the moderator's

    class Meta:
        ordering = ["created", "pk"]
        permissions = [("handle_reports", "Can see and resolve reports")]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, claim__isnull=True)
                | Q(post__isnull=True, claim__isnull=False),
                name="report_names_a_post_or_a_claim",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=Q(state="open"),
                name="one_open_report_per_member_and_post",
            ),
            models.UniqueConstraint(
                fields=["reporter", "claim"],
                condition=Q(state="open"),
                name="one_open_report_per_member_and_claim",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created"], name="report_queue"),
            models.Index(fields=["topic", "state", "created"], name="report_topic_queue"),
        ]

    def __str__(self) -> str:
        item = f"post {self.post_id}" if self.post_id else f"claim {self.claim_id}"
        return f"Report {self.pk} on {item} ({self.state})"

    @property
    def item(self) -> Post | Claim:
        return self.post if self.post_id else self.claim
