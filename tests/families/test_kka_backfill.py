"""Upgrading keeps every assessed child assessed: marks entered before checks existed become checks."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from families.kka import KkaStatus, annotate_kka_status
from families.models import Child, KkaCheck, MilestoneRecord
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_each_day_marks_were_entered_becomes_one_check_by_who_entered_them(world):
    instrument = f.instrument_with_milestones(bands=((0, 3), (3, 6), (6, 9)))
    first, second, third = instrument.milestones.order_by("band_start_month")
    family = f.family(world["group_a"])
    marked = f.child(family, datetime.date(2025, 1, 10))
    new = f.child(family, datetime.date(2026, 10, 1))
    for milestone, entered in ((first, (2025, 6, 3)), (second, (2025, 6, 3)), (third, (2025, 9, 8))):
        record = f.milestone_record(marked, milestone, datetime.date(2025, 5, 1), recorded_by=world["cadre_a"])
        at = datetime.datetime(*entered, 10, tzinfo=timezone.get_current_timezone())
        MilestoneRecord.objects.filter(pk=record.pk).update(recorded_at=at)

    importlib.import_module("families.migrations.0010_backfill_kka_checks").backfill(apps, None)

    checks = list(KkaCheck.objects.order_by("date").values_list("child", "instrument", "date", "checked_by"))
    assert checks == [
        (marked.pk, instrument.pk, datetime.date(2025, 6, 3), world["cadre_a"].pk),
        (marked.pk, instrument.pk, datetime.date(2025, 9, 8), world["cadre_a"].pk),
    ]
    statuses = dict(
        annotate_kka_status(Child.objects.all(), datetime.date(2026, 11, 1)).values_list("pk", "kka_status")
    )
    assert statuses[new.pk] == KkaStatus.BELUM_DINILAI
    assert statuses[marked.pk] != KkaStatus.BELUM_DINILAI
    # Running it again (a re-applied migration) adds nothing.
    importlib.import_module("families.migrations.0010_backfill_kka_checks").backfill(apps, None)
    assert KkaCheck.objects.count() == 2
