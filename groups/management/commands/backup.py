from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bkb.lib import backup


class Command(BaseCommand):
    help = (
        "Back up the whole site: the database (pg_dump --format=custom on PostgreSQL, a copy on SQLite) "
        "and the media folder (batch PDFs) as a .tar.gz beside it, both named with the date and time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=Path("backups"), help="folder for the files (default backups/)")

    def handle(self, *args, out, **options):
        try:
            made = backup.backup(out)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(made.database))
        self.stdout.write(str(made.media))
