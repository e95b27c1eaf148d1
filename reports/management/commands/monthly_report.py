from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports.rendering import group_report_pdf


class Command(BaseCommand):
    help = "Write a group's monthly report (R/I/BKB) as PDF."

    def add_arguments(self, parser):
        parser.add_argument("--group", type=int, required=True, help="group id")
        parser.add_argument("--month", type=Month.argument, required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="PDF file to write")

    def handle(self, *args, group, month, out, **options):
        try:
            group = BkbGroup.objects.select_related("desa__parent__parent").get(pk=group)
        except BkbGroup.DoesNotExist as error:
            raise CommandError(f"no group with id {group}") from error
        Path(out).write_bytes(group_report_pdf(group, month))
        self.stdout.write(f"{out}: {group.name}, {month.label}")
