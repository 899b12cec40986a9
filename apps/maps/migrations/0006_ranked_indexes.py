"""Indexes in the order every list of claims follows (MapClaim.rank), in their own
transaction: PostgreSQL builds no index on a table whose rows the same transaction has just
updated under deferred foreign keys (0005)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0005_ranks_on_rows"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="mapclaim", name="map_claim_ranked"),
        migrations.AddIndex(
            model_name="mapclaim",
            index=models.Index(fields=["argument_map", "main", "rank"], name="map_claim_ranked"),
        ),
        migrations.RemoveIndex(model_name="maprelation", name="map_relation_by_target"),
        migrations.RemoveIndex(model_name="maprelation", name="map_relation_by_source"),
        migrations.AddIndex(
            model_name="maprelation",
            index=models.Index(
                fields=["argument_map", "target", "kind", "source_rank"], name="map_relation_into"
            ),
        ),
        migrations.AddIndex(
            model_name="maprelation",
            index=models.Index(
                fields=["argument_map", "source", "target_rank"], name="map_relation_out"
            ),
        ),
    ]
