from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    """A forum member. Deleting one keeps their posts, shown as by "deleted user"."""

    bio = models.TextField(blank=True)  # Markdown, at most core.text.MAX_BIO_LENGTH
    bio_html = models.TextField(blank=True)  # rendered and sanitized like a post body

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})
