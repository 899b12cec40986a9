"""A version's MapClaim and MapRelation rows without foreign-key constraints or indexes of
one column: map_build writes them by COPY in the version's transaction, and every read and
delete names the version, which the composite indexes lead with. The constraints' checks
and the redundant indexes were about half of the rows' COPY (bench 4)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_claim_words"),
        ("maps", "0007_graph_lz4"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mapclaim",
            name="argument_map",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claims",
                to="maps.argumentmap",
            ),
        ),
        migrations.AlterField(
            model_name="mapclaim",
            name="claim",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
        migrations.AlterField(
            model_name="maprelation",
            name="argument_map",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="relations",
                to="maps.argumentmap",
            ),
        ),
        migrations.AlterField(
            model_name="maprelation",
            name="source",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
        migrations.AlterField(
            model_name="maprelation",
            name="target",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
    ]
