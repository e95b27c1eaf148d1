from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from bkb.lib import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the database of DATABASE_URL (PostgreSQL: pg_restore --clean "
        "--if-exists, replacing what it holds) and unpack its media tar, if one lies beside it, into MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .dump file")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the database")

    def handle(self, *args, file, yes, **options):
        connection = connections["default"]
        if connection.vendor != "postgresql" or file.suffix != ".dump":
            raise CommandError("restore reads a PostgreSQL .dump; a SQLite backup is restored by copying the file back")
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        name = connection.settings_dict["NAME"]
        if not yes and input(f"Replace everything in database {name!r} with {file}? [y/N] ").lower() not in ("y", "ya"):
            raise CommandError("nothing restored")
        connection.close()
        try:
            backup.restore_postgres(file, connection.settings_dict)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"database {name} restored from {file}")
        media = backup.media_beside(file)
        if media.is_file():
            self.stdout.write(f"{backup.restore_media(media)} media files restored from {media}")
        else:
            self.stdout.write(f"no {media.name} beside it: media not restored")
