"""Each version's claims get their rank (strongest first) and the count of claims they bear
on, and each relation the ranks of its ends: indexes then serve a claim's strongest
neighbours a page at a time. The rows already written are ranked here as the build ranks."""

from django.db import migrations, models

RANK_EXISTING = """
    UPDATE maps_mapclaim claim SET rank = ranked.rank
    FROM (
        SELECT id, row_number() OVER (
            PARTITION BY argument_map_id ORDER BY strength DESC, supporters DESC, claim_id
        ) AS rank
        FROM maps_mapclaim
    ) ranked
    WHERE claim.id = ranked.id;
    UPDATE maps_mapclaim claim SET bears_on = (
        SELECT count(*) FROM maps_maprelation relation
        WHERE relation.argument_map_id = claim.argument_map_id
            AND relation.source_id = claim.claim_id
    );
    UPDATE maps_maprelation relation
    SET source_rank = source.rank, target_rank = target.rank
    FROM maps_mapclaim source, maps_mapclaim target
    WHERE source.argument_map_id = relation.argument_map_id
        AND source.claim_id = relation.source_id
        AND target.argument_map_id = relation.argument_map_id
        AND target.claim_id = relation.target_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0004_rename_maprequest_to_mapdirtymark"),
    ]

    operations = [
        migrations.AddField(
            model_name="mapclaim",
            name="bears_on",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="mapclaim",
            name="rank",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="maprelation",
            name="source_rank",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="maprelation",
            name="target_rank",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunSQL(RANK_EXISTING, migrations.RunSQL.noop),
    ]
