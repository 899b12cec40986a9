import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A MapRequest was always a dirty mark: its name now says so."""

    dependencies = [
        ('forum', '0005_post_descendant_count'),
        ('maps', '0003_map_rows'),
    ]

    operations = [
        migrations.RenameModel(old_name='MapRequest', new_name='MapDirtyMark'),
        migrations.AlterField(
            model_name='mapdirtymark',
            name='topic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='map_dirty_marks', to='forum.topic'),
        ),
    ]
