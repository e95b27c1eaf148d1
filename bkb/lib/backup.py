"""Backups of the whole site: the database and the media folder (batch PDFs), and their restore.

A backup is two files with one date-time stamp, side by side in the chosen folder:

- `bkb-2026-11-24T0315.dump`: `pg_dump --format=custom` of the PostgreSQL database
  (`bkb-2026-11-24T0315.sqlite3`, a consistent copy made with SQLite's backup API, on SQLite);
- `bkb-2026-11-24T0315-media.tar.gz`: MEDIA_ROOT, paths relative to it.

Two files rather than one tar: the dump is what pg_restore reads directly, and a database
restored without its media still works (a batch whose file is missing says so).
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone


class BackupError(Exception):
    """A backup or restore that cannot be made, with the reason in words."""


@dataclass(frozen=True)
class Backup:
    database: Path
    media: Path


def stamp(now=None) -> str:
    return timezone.localtime(now).strftime("%Y-%m-%dT%H%M")


def _major(version: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    if not found:
        raise BackupError(f"cannot read a version from {version!r}")
    return int(found.group(1))


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]  # not on the command line, where `ps` would show it
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return path


def check_pg_dump(alias: str = "default") -> str:
    """The pg_dump to use; BackupError if it is missing or older than the server (it would refuse)."""
    pg_dump = _tool("pg_dump")
    client = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=True).stdout
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)": the number after the name.
    if _major(client.partition(")")[2]) < _major(server):
        raise BackupError(
            f"{client.strip()} cannot dump a PostgreSQL {server} server: install a pg_dump of version "
            f"{_major(server)} or later"
        )
    return pg_dump


def _dump_postgres(db: dict, target: Path, alias: str) -> None:
    pg_dump = check_pg_dump(alias)
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", "--file", str(target), *_pg_args(db), "--dbname", db["NAME"]],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")


def _copy_sqlite(db: dict, target: Path) -> None:
    # The backup API copies a consistent state even while the app writes.
    source = sqlite3.connect(str(db["NAME"]))
    try:
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()


def _tar_media(target: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as bundle:
        if media.is_dir():
            for entry in sorted(media.iterdir()):
                bundle.add(entry, arcname=entry.name)


def backup(out: Path, *, alias: str = "default", now=None) -> Backup:
    """Write the database and the media folder into `out`; the two files made."""
    out.mkdir(parents=True, exist_ok=True)
    db = connections[alias].settings_dict
    name = f"bkb-{stamp(now)}"
    if connections[alias].vendor == "postgresql":
        database = out / f"{name}.dump"
        _dump_postgres(db, database, alias)
    elif connections[alias].vendor == "sqlite":
        database = out / f"{name}.sqlite3"
        _copy_sqlite(db, database)
    else:
        raise BackupError(f"no backup for a {connections[alias].vendor} database")
    media = out / f"{name}-media.tar.gz"
    _tar_media(media)
    return Backup(database, media)


def media_beside(database: Path) -> Path:
    return database.with_name(f"{database.name.rsplit('.', 1)[0]}-media.tar.gz")


def restore_postgres(dump: Path, db: dict) -> None:
    """pg_restore `dump` into the database `db` (settings_dict), replacing what it holds."""
    pg_restore = _tool("pg_restore")
    done = subprocess.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *_pg_args(db),
            "--dbname",
            db["NAME"],
            str(dump),
        ],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def restore_media(bundle: Path) -> int:
    """Unpack a media tar into MEDIA_ROOT (files of the same name are replaced); files written."""
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(bundle, "r:gz") as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        archive.extractall(media, members=members, filter="data")
    return len(members)
