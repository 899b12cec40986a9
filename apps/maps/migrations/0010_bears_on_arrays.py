import django.contrib.postgres.fields
from django.db import migrations, models

# Each claim row's relations out of it, from the relation rows; then the index of the
# relations by source, which the arrays replace, goes.
FILL = """
    UPDATE maps_mapclaim claim
    SET bears_on_ids = outgoing.ids, bears_on_ranks = outgoing.ranks,
        bears_on_supports = outgoing.supports
    FROM (
        SELECT argument_map_id, source_id,
               array_agg(target_id ORDER BY target_rank, kind) AS ids,
               array_agg(target_rank ORDER BY target_rank, kind) AS ranks,
               array_agg(kind = 'support' ORDER BY target_rank, kind) AS supports
        FROM maps_maprelation
        GROUP BY argument_map_id, source_id
    ) outgoing
    WHERE claim.argument_map_id = outgoing.argument_map_id
      AND claim.claim_id = outgoing.source_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0009_graph_without_edges"),
    ]

    operations = [
        migrations.AddField(
            model_name="mapclaim",
            name=name,
            field=django.contrib.postgres.fields.ArrayField(
                base_field=base_field, default=list, size=None
            ),
            preserve_default=False,
        )
        for name, base_field in (
            ("bears_on_ids", models.BigIntegerField()),
            ("bears_on_ranks", models.PositiveIntegerField()),
            ("bears_on_supports", models.BooleanField()),
        )
    ] + [
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
        migrations.RemoveIndex(model_name="maprelation", name="map_relation_out"),
    ]
