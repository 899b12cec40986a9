"""The benchmark's own database: created fresh, migrated, dropped at the end."""

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from psycopg import sql


def _server():
    config = settings.DATABASES["default"]
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def create() -> None:
    with _server() as server:
        _drop(server)
        server.execute(sql.SQL("CREATE DATABASE {}").format(_name()))
    call_command("migrate", verbosity=0, interactive=False)


def vacuum(*tables: str) -> None:
    """What autovacuum does between bursts (it is off in this machine's PostgreSQL): clear
    the dead rows the tree shifts leave and refresh the planner's statistics; of the whole
    database, or of the tables a bulk load wrote."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def drop() -> None:
    connections.close_all()
    with _server() as server:
        _drop(server)


def _drop(server) -> None:
    server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_name()))


def _name() -> sql.Identifier:
    return sql.Identifier(settings.BENCH_DATABASE)
