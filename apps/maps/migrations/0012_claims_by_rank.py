# Every claim of a version strongest first, a page at a time (the overview's "all claims").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0008_claim_words'),
        ('maps', '0011_version_statistics'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='mapclaim',
            index=models.Index(fields=['argument_map', 'rank'], name='map_claim_rank'),
        ),
    ]
