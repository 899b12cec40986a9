from collections import defaultdict

from django.db import migrations, models


def count_descendants(apps, schema_editor):
    """Each reply's count of every post below it, bottom-up, one thread at a time."""
    Post = apps.get_model("forum", "Post")
    Thread = apps.get_model("forum", "Thread")
    for thread_id in Thread.objects.values_list("pk", flat=True).iterator():
        rows = Post.objects.filter(thread_id=thread_id).order_by("-depth")
        counts = defaultdict(int)
        for pk, parent_id, depth in rows.values_list("pk", "parent_id", "depth"):
            if depth > 1:  # the opening post counts no descendants: the thread counts replies
                counts[parent_id] += counts.get(pk, 0) + 1
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE forum_post post SET descendant_count = counted.n
                FROM unnest(%s::bigint[], %s::int[]) AS counted(id, n)
                WHERE post.id = counted.id
                """,
                [list(counts), list(counts.values())],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0004_removal_reason_holds_any_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="descendant_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_descendants, migrations.RunPython.noop),
    ]
