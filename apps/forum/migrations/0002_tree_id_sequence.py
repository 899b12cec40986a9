from django.db import migrations


class Migration(migrations.Migration):
    """New MPTT tree ids come from a sequence: Max(tree_id) + 1 races."""

    dependencies = [("forum", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE forum_post_tree_id_seq OWNED BY forum_post.tree_id",
            "DROP SEQUENCE forum_post_tree_id_seq",
        ),
    ]
