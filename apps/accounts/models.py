from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone


class User(AbstractUser):
    """A forum member. Deleting one keeps their posts, shown as by "deleted user"."""

    bio = models.TextField(blank=True)  # Markdown, at most services.MAX_BIO_LENGTH
    bio_html = models.TextField(blank=True)  # rendered and sanitized like a post body

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})


class Notification(models.Model):
    """Something a member should know about, e.g. that a moderator re-pointed a post's tags."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "read", "-created"])]

    def __str__(self) -> str:
        return f"To {self.user_id}: {self.text}"
