"""Notification moves here from accounts with its table (accounts_notification) and rows:
this migration only tells Django's state; accounts 0003 forgets the model there."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_notification"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("text", models.CharField(max_length=500)),
                        ("url", models.CharField(blank=True, max_length=500)),
                        ("created", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read", models.BooleanField(default=False)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "accounts_notification",
                        "ordering": ["-created", "-pk"],
                        "indexes": [models.Index(fields=["user", "read", "-created"], name="accounts_no_user_id_1b05de_idx")],
                    },
                ),
            ],
        ),
    ]
