from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bkb.lib.months import Month
from groups.models import Area, BkbGroup
from reports.area import area_figures
from reports.rendering import area_recap_pdf


class Command(BaseCommand):
    help = "Write an area's monthly recap (a row per group and totals) as PDF."

    def add_arguments(self, parser):
        parser.add_argument("--area", type=int, required=True, help="area id (desa, kecamatan or kabupaten)")
        parser.add_argument("--month", type=Month.argument, required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="PDF file to write")

    def handle(self, *args, area, month, out, **options):
        try:
            area = Area.objects.get(pk=area)
        except Area.DoesNotExist as error:
            raise CommandError(f"no area with id {area}") from error
        rows, totals = area_figures(BkbGroup.objects.in_area(area), month)
        Path(out).write_bytes(area_recap_pdf(area, rows, totals, month))
        self.stdout.write(f"{out}: {area.name}, {month.label}, {len(rows)} groups")
