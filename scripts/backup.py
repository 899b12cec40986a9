"""Back up the database named by DATABASE_URL to a pg_dump file, or restore one into it.

    python scripts/backup.py backup [--file PATH]   # default var/backups/agora-<UTC time>.dump
    python scripts/backup.py restore --file PATH    # replaces every table the dump holds

Only PostgreSQL is backed up. Redis holds nothing that is not made again: cached flags,
rate-limit counts, and the broker's queued map builds, which the map sweep queues again
from the dirty marks kept in the database.
"""

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/agora"  # as config/settings/base.py
BACKUPS = ROOT / "var" / "backups"


def libpq_environment(url: str) -> dict[str, str]:
    """The database's address as libpq's variables, so no password shows in `ps`."""
    config = dj_database_url.parse(url)
    variables = {
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGDATABASE": config.get("NAME"),
    }
    return {**os.environ, **{name: str(value) for name, value in variables.items() if value}}


def default_file() -> Path:
    return BACKUPS / f"agora-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dump"


def backup(url: str, file: Path) -> None:
    """Dump to a partial file and rename it once whole: a dump cut short (a full disk, a
    killed cron job) never sits under the name a restore would pick."""
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".partial")
    dump = subprocess.run(
        ["pg_dump", "--format=custom", f"--file={partial}"], env=libpq_environment(url)
    )
    if dump.returncode:
        partial.unlink(missing_ok=True)
        sys.exit(f"pg_dump failed (exit status {dump.returncode}); no backup was written.")
    partial.rename(file)
    print(f"Backed up to {file} ({file.stat().st_size:,} bytes).")


def restore(url: str, file: Path | None) -> None:
    """Drop and recreate every object the dump holds, in one transaction: a restore that
    fails part-way leaves the database as it was."""
    if file is None:
        sys.exit("Say which backup to restore: make restore BACKUP_FILE=var/backups/agora-….dump")
    if not file.is_file():
        sys.exit(f"No backup at {file}: nothing was restored.")
    environment = libpq_environment(url)
    restored = subprocess.run(
        [
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
            "--single-transaction", "--exit-on-error",
            f"--dbname={environment['PGDATABASE']}", str(file),
        ],
        env=environment,
    )  # fmt: skip
    if restored.returncode:
        sys.exit(f"pg_restore failed (exit status {restored.returncode}); nothing was changed.")
    print(f"Restored {file}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("--file", type=Path, help="the dump to write or to restore")
    arguments = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if arguments.action == "backup":
        backup(url, arguments.file or default_file())
    else:
        restore(url, arguments.file)


if __name__ == "__main__":
    main()
