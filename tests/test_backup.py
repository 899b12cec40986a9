"""make backup and make restore (scripts/backup.py): the demo plus a change round-trips,
every table and sequence as it was, after later changes and after a wipe."""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.workers import ROOT

# The change made before the backup, in the backup database, by its own process: a tagged
# reply, an edit, and an endorsement.
BEFORE_BACKUP = """
import django
django.setup()
from apps.forum.models import Thread
from apps.accounts.models import User
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.forum.services.editing import post_edit
from apps.forum.services.posting import reply_create
thread = Thread.objects.get()
member = User.objects.get(username="demo_member")
reply = reply_create(
    parent=thread.opening_post, author=member, body="Backed up: a reply with a tag.",
    response="disagree", tags=[TagInput("Backups keep every reply", "supports")],
)
post_edit(post=reply, editor=member, body="Backed up: a reply with a tag, edited.")
endorsement_set(claim=reply.tags.get().claim, member=member, stance="opposes")
"""
# A change after the backup, which the restore must undo.
AFTER_BACKUP = """
import django
django.setup()
from apps.forum.models import Post, Thread
from apps.accounts.models import User
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.forum.services.editing import post_edit
from apps.forum.services.post_state import post_delete
from apps.forum.services.posting import reply_create
thread = Thread.objects.get()
member = User.objects.get(username="demo_member")
reply_create(
    parent=thread.opening_post, author=member, body="Not in the backup.",
    tags=[TagInput("Nobody backed this up", "opposes")],
)
post_delete(post=Post.objects.get(body__startswith="Backed up"), actor=member)
"""


def server(dbname: str = "postgres") -> psycopg.Connection:
    database = settings.DATABASES["default"]
    return psycopg.connect(
        host=database["HOST"] or None, port=database["PORT"] or None,
        user=database["USER"] or None, password=database["PASSWORD"] or None,
        dbname=dbname, autocommit=True,
    )  # fmt: skip


def database_url(name: str) -> str:
    database = settings.DATABASES["default"]
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{name}"


def run(arguments: list[str], name: str) -> subprocess.CompletedProcess:
    """A process of this project on the backup database. Its Redis is a port where nothing
    listens: what the app would queue there is not part of a backup."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(name),
        "REDIS_URL": "redis://127.0.0.1:9/0",
    }
    done = subprocess.run(arguments, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def python(code: str, name: str) -> None:
    run([sys.executable, "-c", code], name)


def backup_script(name: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/backup.py", *arguments],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(name)},
        capture_output=True,
        text=True,
    )


def snapshot(name: str) -> dict[str, list[str]]:
    """Every row of every table of the schema, as text, in order; every sequence's state."""
    with server(name) as database:
        tables = database.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        sequences = database.execute(
            "SELECT sequence_name FROM information_schema.sequences"
            " WHERE sequence_schema = 'public' ORDER BY 1"
        ).fetchall()
        rows = {
            table: [
                row[0]
                for row in database.execute(
                    sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(sql.Identifier(table))
                )
            ]
            for (table,) in tables
        }
        for (sequence,) in sequences:
            state = sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence))
            rows[f"sequence {sequence}"] = [str(database.execute(state).fetchone())]
    return rows


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """A database of its own with the demo and a change, its backup file, and its rows as
    they were when backed up."""
    name = f"agora_backup_test_{uuid.uuid4().hex[:8]}"
    with server() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], name)
        run([sys.executable, "manage.py", "load_demo"], name)
        python(BEFORE_BACKUP, name)
        file = tmp_path_factory.mktemp("backups") / "agora.dump"
        done = backup_script(name, "backup", "--file", str(file))
        assert done.returncode == 0, done.stderr
        yield name, file, snapshot(name)
    finally:
        with server() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_the_backup_holds_the_demo_and_the_change(backed_up):
    _, file, rows = backed_up
    assert file.stat().st_size > 0 and not file.with_name(file.name + ".partial").exists()
    posts = rows["forum_post"]
    assert len(posts) > 30 and sum("Backed up: a reply with a tag, edited." in p for p in posts)
    assert any("Backups keep every reply" in claim for claim in rows["claims_claim"])
    assert rows["maps_argumentmap"] and rows["forum_postrevision"]
    if "claims_endorsement" in rows:
        assert len(rows["claims_endorsement"]) >= 1


def test_a_restore_undoes_later_changes_table_by_table(backed_up):
    name, file, rows = backed_up
    python(AFTER_BACKUP, name)
    assert snapshot(name)["forum_post"] != rows["forum_post"]
    done = backup_script(name, "restore", "--file", str(file))
    assert done.returncode == 0, done.stderr
    assert snapshot(name) == rows


def test_a_restore_rebuilds_a_wiped_database(backed_up):
    name, file, rows = backed_up
    with server(name) as database:
        database.execute("DROP SCHEMA public CASCADE")
        database.execute("CREATE SCHEMA public")
    done = backup_script(name, "restore", "--file", str(file))
    assert done.returncode == 0, done.stderr
    assert snapshot(name) == rows


def test_restore_refuses_without_a_file_or_a_missing_one(backed_up, tmp_path):
    name, _, rows = backed_up
    without = backup_script(name, "restore")
    assert without.returncode != 0 and "make restore BACKUP_FILE=" in without.stderr
    missing = backup_script(name, "restore", "--file", str(tmp_path / "nothing.dump"))
    assert missing.returncode != 0 and "No backup at" in missing.stderr
    assert snapshot(name) == rows
