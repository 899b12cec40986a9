import django.db.models.deletion
from django.db import migrations, models

# A post keeps its thread's topic, so a search in one topic walks that topic's posts alone.
# The checks of the new foreign key run at once, so that no pending check keeps the column
# from being made NOT NULL in the same transaction.
COPY_TOPICS = [
    "SET CONSTRAINTS ALL IMMEDIATE",
    """
    UPDATE forum_post post SET topic_id = thread.topic_id
    FROM forum_thread thread WHERE thread.id = post.thread_id
    """,
    "SET CONSTRAINTS ALL DEFERRED",
]


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0007_topic_archived'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='topic',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='forum.topic'),
        ),
        migrations.RunSQL(COPY_TOPICS, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='post',
            name='topic',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='forum.topic'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('state', 'visible')), fields=['topic', 'created', 'id'], name='post_visible_in_topic'),
        ),
    ]
