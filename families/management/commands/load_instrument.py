"""Load a development instrument (KKA item list) from a CSV file."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from families.instruments import instrument_activate, load_instrument
from families.kka import children_to_reassess
from families.models import Child


class Command(BaseCommand):
    help = "Muat instrumen perkembangan dari berkas CSV (kolom seperti families/data/milestones.csv)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", required=True, help="Nama instrumen")
        parser.add_argument("--source", default="", help="Sumber instrumen")
        parser.add_argument("--activate", action="store_true", help="Jadikan instrumen yang dipakai")
        parser.add_argument(
            "--yes", action="store_true", help="Pakai tanpa bertanya (anak menjadi belum dinilai sampai diperiksa)"
        )

    def handle(self, *args, file, name, source, activate, yes, **options):
        try:
            instrument = load_instrument(file, name=name, source=source)
        except FileNotFoundError as error:
            raise CommandError(f"Berkas tidak ditemukan: {file}") from error
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        if activate:
            # Switching changes every child's KKA: say what will happen first.
            today = timezone.localdate()
            waiting = children_to_reassess(instrument, today)
            total = Child.objects.in_programme_on(today).count()
            self.stdout.write(
                f"Bila dipakai, {waiting} dari {total} anak menjadi belum dinilai pada instrumen ini "
                "sampai kader melakukan pemeriksaan KKA pertama."
            )
            if yes or input("Pakai instrumen ini sekarang? [y/N] ").strip().lower() in ("y", "ya"):
                instrument_activate(instrument)
        count = instrument.milestones.count()
        state = "dipakai" if instrument.active else "belum dipakai"
        self.stdout.write(self.style.SUCCESS(f"Instrumen '{instrument.name}' dimuat: {count} tugas ({state})."))
