from django.db import migrations

from apps.accounts.roles import grant_to_moderators

MODERATION = ["remove_post", "lock_thread", "change_thread", "view_post", "view_thread"]


def grant(apps, schema_editor):
    grant_to_moderators(apps, "forum", MODERATION)


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_tree_id_sequence"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
