from django.db import migrations

# The planner's statistics of which version each row belongs to: map_build refreshes them
# for the version it writes (services.store_version), from a sample this small target keeps
# cheap. Without them the newest version looks empty, and a read of it chose plans that
# took seconds instead of milliseconds on a large topic (bench 10).
TABLES = ("maps_mapclaim", "maps_maprelation")


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0010_bears_on_arrays"),
    ]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {table} ALTER COLUMN argument_map_id SET STATISTICS 10",
            f"ALTER TABLE {table} ALTER COLUMN argument_map_id SET STATISTICS -1",
        )
        for table in TABLES
    ]
