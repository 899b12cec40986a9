"""The moderators group and the permissions it carries, kept by data migrations."""

from django.contrib.auth.management import create_permissions

MODERATORS = "moderators"


def grant_to_moderators(apps, app_label: str, codenames: list[str]) -> None:
    """Give the moderators group these permissions of one app, creating what is missing."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # a migration's app stub lacks it; permissions need it
    create_permissions(app_config, verbosity=0, apps=apps)
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MODERATORS)
    permission = apps.get_model("auth", "Permission")
    group.permissions.add(
        *permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
