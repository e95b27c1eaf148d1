"""Checks for the KKA work done before checks were recorded.

Before KkaCheck existed, a check left only its marks. Without this, every
child already assessed would read *belum dinilai* after the upgrade. Each day
a child's marks were entered becomes a check on that day, by whoever entered
them: the same day the app then counted as "checked" (recorded_at).
"""

from django.db import migrations
from django.db.models import Max
from django.db.models.functions import TruncDate

BATCH = 5000


def backfill(apps, schema_editor):
    MilestoneRecord = apps.get_model("families", "MilestoneRecord")
    KkaCheck = apps.get_model("families", "KkaCheck")
    days = (
        MilestoneRecord.objects.annotate(day=TruncDate("recorded_at"))
        .values("child_id", "milestone__instrument_id", "day")
        .annotate(by=Max("recorded_by_id"), session=Max("session_id"))
        .order_by()
    )
    batch = []
    for row in days.iterator(chunk_size=BATCH):
        batch.append(
            KkaCheck(
                child_id=row["child_id"],
                instrument_id=row["milestone__instrument_id"],
                date=row["day"],
                checked_by_id=row["by"],
                session_id=row["session"],
            )
        )
        if len(batch) >= BATCH:
            KkaCheck.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    KkaCheck.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("families", "0009_kka_checks_and_mark_history")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
