from django.db import migrations

from apps.accounts.roles import grant_to_moderators


def grant(apps, schema_editor):
    grant_to_moderators(apps, "moderation", ["merge_claims", "view_claimmerge", "view_moderationaction"])


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial"), ("claims", "0002_moderators")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
