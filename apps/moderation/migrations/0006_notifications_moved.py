"""Notification moved to the notifications app, table and all: only Django's state changes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0005_merge_notifications"),
        ("notifications", "0001_notification_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="claimmerge",
                    name="notifications",
                    field=models.ManyToManyField(blank=True, related_name="+", to="notifications.notification"),
                ),
            ],
        ),
    ]
