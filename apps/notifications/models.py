from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.claims.models import Claim
from apps.forum.models import Post, Thread


class Notification(models.Model):
    """One event a member should know about: a reply, a mention, new replies in a watched
    thread (one unread notification a thread, however many), a change to their claims, or a
    plain message (`text`). The post, thread or claim it is about is kept, so the list can
    say it well and hide what the reader may no longer see."""

    class Kind(models.TextChoices):
        REPLY = "reply", "reply to your post"
        MENTION = "mention", "mention of you"
        WATCHED = "watched", "reply in a thread you watch"
        CLAIM_MERGED = "merged", "claim merged"
        CLAIM_UNMERGED = "unmerged", "merge undone"
        MESSAGE = "message", "message"

    # Indexed by the (user, read, -created) index below, which a member's lookups all use.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MESSAGE)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Indexed where set alone (notification_claim): a reply's notifications have none.
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    # Never a post's words, which may be removed later. Usernames (150) and titles or claims
    # (200) always fit.
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)
    # The outbox: true until the member's email (immediate or digest) has gone, or is moot.
    email_pending = models.BooleanField(default=False)

    class Meta:
        db_table = "accounts_notification"  # moved from accounts with its rows
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "read", "-created"], name="accounts_no_user_id_1b05de_idx"
            ),
            models.Index(
                fields=["user"], condition=Q(email_pending=True), name="notification_outbox"
            ),
            models.Index(
                fields=["claim"], condition=Q(claim__isnull=False), name="notification_claim"
            ),
        ]
        constraints = [
            # A watched thread's replies gather under one unread notification (WATCHERS_SQL).
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(kind="watched", read=False),
                name="notification_watched_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"To {self.user_id}: {self.text}"


class Watch(models.Model):
    """A member follows a thread: each new reply in it notifies them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    # Indexed by watch_a_thread_once, which starts with the thread.
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="watches", db_index=False
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="watch_a_thread_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches thread {self.thread_id}"


class Preferences(models.Model):
    """A member's notification settings; a member without a row has the defaults."""

    class Email(models.TextChoices):
        NONE = "none", "no email"
        IMMEDIATELY = "immediately", "an email for each notification"
        DAILY = "daily", "one daily digest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
    )
    watch_by_default = models.BooleanField(
        default=True, help_text="Watch the threads you start or reply in."
    )
    email = models.CharField(max_length=11, choices=Email.choices, default=Email.NONE)
    last_digest = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"
