"""Load a development instrument (KKA item list) from a CSV file."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from families.instruments import load_instrument


class Command(BaseCommand):
    help = "Muat instrumen perkembangan dari berkas CSV (kolom seperti families/data/milestones.csv)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", required=True, help="Nama instrumen")
        parser.add_argument("--source", default="", help="Sumber instrumen")
        parser.add_argument("--activate", action="store_true", help="Jadikan instrumen yang dipakai")

    def handle(self, *args, file, name, source, activate, **options):
        try:
            instrument = load_instrument(file, name=name, source=source, activate=activate)
        except FileNotFoundError as error:
            raise CommandError(f"Berkas tidak ditemukan: {file}") from error
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        count = instrument.milestones.count()
        state = "dipakai" if instrument.active else "belum dipakai"
        self.stdout.write(self.style.SUCCESS(f"Instrumen '{instrument.name}' dimuat: {count} tugas ({state})."))
