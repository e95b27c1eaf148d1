from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bkb.lib.months import Month
from groups.models import Area, BkbGroup
from reports import kept, verify


class Command(BaseCommand):
    help = (
        "Recompute an area's figures live (the month's figures, the children's status today) and compare "
        "them with the kept rows. Exits 1 if a kept row that does not say it is stale differs, or one is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", type=int, required=True, help="area id (desa, kecamatan or kabupaten)")
        parser.add_argument("--month", type=Month.argument, required=True, help="YYYY-MM")
        parser.add_argument("--refresh", action="store_true", help="refresh the kept rows first")

    def handle(self, *args, area, month, refresh, **options):
        try:
            area = Area.objects.get(pk=area)
        except Area.DoesNotExist as error:
            raise CommandError(f"no area with id {area}", returncode=2) from error
        groups = BkbGroup.objects.in_area(area)
        today = timezone.localdate()
        if refresh:
            ids = sorted(groups.values_list("pk", flat=True))
            for start in range(0, len(ids), kept.CHUNK):
                kept.refresh(ids[start : start + kept.CHUNK], [month], on=today)
        found = verify.compare(groups, month, today)
        names = dict(groups.values_list("pk", "name"))
        write = self.stdout.write
        write(f"{area.get_level_display()} {area.name} (id {area.pk}), {month}; children's status on {today}")
        write(f"groups: {found.groups}")
        write(
            f"month rows: {found.rows} compared, {found.stale_rows} stale, {len(found.missing_rows)} missing, "
            f"{sum(not d.stale for d in found.month_differences)} mismatches"
        )
        write(
            f"children: {found.children} compared, {len(found.stale_groups)} groups stale, "
            f"{sum(not d.stale for d in found.child_differences)} mismatches"
        )
        for group_id in found.missing_rows:
            write(f"MISSING  {names.get(group_id, '?')} (group {group_id}) {month}: no kept row")
        for difference in [*found.mismatches, *found.stale_differences]:
            label = "STALE   " if difference.stale else "MISMATCH"
            place = f"{names.get(difference.group_id, '?')} (group {difference.group_id}) {difference.where}"
            if difference.key == "row":
                text = "kept row for a child not in the programme" if difference.kept else "no kept row"
                write(f"{label} {place}: {text}")
            else:
                write(f"{label} {place} {difference.key}: kept {difference.kept}, live {difference.live}")
        if not found.ok:
            raise CommandError(
                f"{len(found.mismatches)} kept values differ from live, {len(found.missing_rows)} month rows missing",
                returncode=1,
            )
        write(self.style.SUCCESS("kept figures equal live"))
