from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "apps.claims"
    default_auto_field = "django.db.models.BigAutoField"
