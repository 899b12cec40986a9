from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "apps.maps"
    default_auto_field = "django.db.models.BigAutoField"
