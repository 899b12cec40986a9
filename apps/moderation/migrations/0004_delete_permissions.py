from django.db import migrations

from apps.accounts.roles import grant_to_moderators


def grant(apps, schema_editor):
    grant_to_moderators(apps, "forum", ["delete_thread", "delete_topic"])


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_log_outlives_topics")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
