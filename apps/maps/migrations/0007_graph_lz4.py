"""A version's whole graph (12 MB of JSON on a large topic) is compressed by lz4 rather than
PostgreSQL's default pglz when it is stored: the same write in half the time (bench 4). A
server built without lz4 keeps pglz."""

from django.db import migrations

USE_LZ4 = """
DO $$
BEGIN
    ALTER TABLE maps_argumentmap ALTER COLUMN graph SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'This PostgreSQL has no lz4: the map graph stays compressed by pglz.';
END
$$;
"""
USE_DEFAULT = "ALTER TABLE maps_argumentmap ALTER COLUMN graph SET COMPRESSION default"


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0006_ranked_indexes"),
    ]

    operations = [migrations.RunSQL(USE_LZ4, USE_DEFAULT)]
