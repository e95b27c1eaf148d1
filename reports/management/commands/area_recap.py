from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bkb.lib.months import Month
from groups.models import Area, BkbGroup
from reports.area import recap
from reports.rendering import area_recap_pdf


class Command(BaseCommand):
    help = (
        "Write an area's monthly recap as PDF: a row per group and totals; above kecamatan level "
        "a row per kecamatan, then each kecamatan's groups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", type=int, required=True, help="area id (desa, kecamatan or kabupaten)")
        parser.add_argument("--month", type=Month.argument, required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="PDF file to write")

    def handle(self, *args, area, month, out, **options):
        try:
            area = Area.objects.get(pk=area)
        except Area.DoesNotExist as error:
            raise CommandError(f"no area with id {area}") from error
        found = recap(area, BkbGroup.objects.in_area(area), month, sections=True)
        Path(out).write_bytes(area_recap_pdf(found))
        self.stdout.write(f"{out}: {area.name}, {month.label}, {found.groups} groups")
