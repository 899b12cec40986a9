from django.contrib.auth.models import AbstractUser
from django.urls import reverse


class User(AbstractUser):
    """A forum member. Deleting one keeps their posts, shown as by "deleted user"."""

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})
