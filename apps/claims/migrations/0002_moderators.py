from django.db import migrations

from apps.accounts.roles import grant_to_moderators


def grant(apps, schema_editor):
    grant_to_moderators(apps, "claims", ["tag_any_post"])


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial"), ("forum", "0003_moderators")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
