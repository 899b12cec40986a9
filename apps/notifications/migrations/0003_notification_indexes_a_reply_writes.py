"""A reply writes a notification row for each watcher of its thread (300 in the benchmark's
busiest): drop the indexes those rows kept for nothing. The user index is the composite's
first column, the claim index holds only the rows with a claim (merges), and a watch's thread
index is the unique (thread, user) constraint's first column."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0008_claim_words'),
        ('forum', '0007_topic_archived'),
        ('notifications', '0002_thread_watches_and_preferences'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='claim',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.claim'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='user',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='watch',
            name='thread',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='watches', to='forum.thread'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('claim__isnull', False)), fields=['claim'], name='notification_claim'),
        ),
    ]
