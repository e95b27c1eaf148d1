"""seed_scale (the bench's kabupaten) freezes what submitting would freeze."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count

from bkb.lib.months import Month
from cadres.models import Cadre
from devdata.scale import seed_scale
from reports.documents import group_report_data
from reports.models import GroupMonthFigures, MonthlyReport

# Transactional: seed_scale commits, then ANALYZEs, then computes the reports.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale loads with PostgreSQL's COPY")
def test_scale_reports_freeze_the_apps_own_figures(settings, reference_data):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One process: forking a pytest-xdist worker (it runs I/O threads) broke the children's
    # connections in CI. The bench's seed runs the parallel path (one process per core).
    seed_scale(groups=3, months=4, seed=5, today=datetime.date(2026, 11, 23), out=lambda *args: None, workers=1)

    reports = list(MonthlyReport.objects.select_related("group").order_by("group", "month"))
    assert len(reports) >= 6
    for report in reports:
        live = group_report_data(report.group, Month.of(report.month))
        assert report.snapshot == live, (report.group_id, report.month)
    # Real data, not placeholders: children checked, someone to refer, people on the lists.
    totals = {key: sum(r.snapshot["counts"][key] for r in reports) for key in ("kka_checked", "measured")}
    assert all(totals.values()), totals
    assert any(r.snapshot["attendance"] and r.snapshot["cadres"] and r.snapshot["chair"] for r in reports)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale loads with PostgreSQL's COPY")
def test_scale_seed_ends_current_with_two_phone_logins_a_group(settings, reference_data):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = datetime.date(2026, 11, 23)
    seed_scale(groups=3, months=3, seed=7, today=today, out=lambda *args: None, workers=1)

    logins = Cadre.objects.filter(user__isnull=False).values("roles__group").annotate(n=Count("user", distinct=True))
    assert sorted(row["n"] for row in logins) == [2, 2, 2]
    # The kept rows are current, and the months with a report say so.
    rows = GroupMonthFigures.objects.all()
    assert rows.exists() and not rows.filter(stale=True).exists()
    reported = set(MonthlyReport.objects.values_list("group_id", "month"))
    assert reported == set(rows.filter(source="report").values_list("group_id", "month"))
