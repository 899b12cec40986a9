from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "apps.forum"
    default_auto_field = "django.db.models.BigAutoField"
