"""Issue 14, completeness and timeliness over 12 months: per group, the months with a session
(the kept figures' count) and each month's report on time, late, missing or not yet due (its
current version); the dashboard's grid of them, for the groups of the chosen area the user may
see, only for an area small enough to read; a fixed number of queries whatever the number of groups."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import services
from reports.completeness import ReportState, completeness
from reports.models import MonthlyReport
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 11, 10)
NOV, OCT, SEP, AUG = Month(2026, 11), Month(2026, 10), Month(2026, 9), Month(2026, 8)


def send(group, user, month, on, **kwargs) -> MonthlyReport:
    now = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
    return services.report_submit(group=group, month=month, user=user, now=now, **kwargs)


def kecamatan_a(world):
    return BkbGroup.objects.filter(pk__in=[world["group_a"].pk, world["group_b"].pk])


def by_name(found) -> dict:
    return {row.group.name: row for row in found}


def cell(row, month: Month):
    (found,) = [cell for cell in row.cells if cell.month == month]
    return found


def test_twelve_months_oldest_first_ending_at_the_month_asked(world):
    found = completeness(kecamatan_a(world), last_month=NOV, today=TODAY)
    assert [row.group.name for row in found] == ["BKB Melati", "BKB Mawar"]  # by kecamatan, desa, name
    assert [c.month for c in found[0].cells] == [NOV.back(back) for back in range(11, -1, -1)]


def test_a_month_with_a_session_and_one_without(world):
    f.coaching_session(world["group_a"], D(2026, 10, 31))
    f.coaching_session(world["group_a"], D(2026, 9, 1))
    f.coaching_session(world["group_a"], D(2026, 9, 15))  # two sessions: still one month
    rows = by_name(completeness(kecamatan_a(world), last_month=NOV, today=TODAY))
    melati, mawar = rows["BKB Melati"], rows["BKB Mawar"]
    assert [cell(melati, m).session for m in (AUG, SEP, OCT, NOV)] == [False, True, True, False]
    assert melati.sessions == 2
    assert mawar.sessions == 0 and not any(c.session for c in mawar.cells)


def test_sessions_are_the_kept_figures_count_a_standing_reports_for_its_month(world):
    """The figures' rule (reports.shown): a month whose report stands shows the report's count,
    so a session typed in after the report was sent shows once a correction is sent."""
    group = world["group_a"]
    send(group, world["admin"], SEP, SEP.due)
    f.coaching_session(group, D(2026, 9, 20))
    rows = kecamatan_a(world)
    assert not cell(by_name(completeness(rows, last_month=OCT, today=TODAY))["BKB Melati"], SEP).session
    send(group, world["admin"], SEP, TODAY, correction_confirmed=True)
    assert cell(by_name(completeness(rows, last_month=OCT, today=TODAY))["BKB Melati"], SEP).session


def test_report_on_time_late_missing_and_not_yet_due(world):
    group, admin = world["group_a"], world["admin"]
    send(group, admin, SEP, SEP.due)  # on the 3rd: on time
    send(group, admin, AUG, AUG.due + DAY)  # on the 4th: late
    melati = by_name(completeness(kecamatan_a(world), last_month=NOV, today=TODAY))["BKB Melati"]
    assert cell(melati, SEP).report == ReportState.ON_TIME
    assert cell(melati, AUG).report == ReportState.LATE
    assert cell(melati, OCT).report == ReportState.MISSING  # due 3 November, none sent by the 10th
    assert cell(melati, NOV).report == ReportState.NOT_DUE  # due 3 December
    assert (melati.on_time, melati.late, melati.not_due) == (1, 1, 1)
    assert melati.missing == 12 - 3


def test_not_yet_due_until_the_due_date_itself_missing_the_day_after(world):
    rows = kecamatan_a(world)
    on_due = by_name(completeness(rows, last_month=OCT, today=OCT.due))["BKB Melati"]
    after = by_name(completeness(rows, last_month=OCT, today=OCT.due + DAY))["BKB Melati"]
    assert cell(on_due, OCT).report == ReportState.NOT_DUE
    assert cell(after, OCT).report == ReportState.MISSING


def test_a_returned_then_corrected_report_counts_by_its_current_version(world):
    group = world["group_a"]
    first = send(group, world["admin"], SEP, SEP.due)  # on time
    services.report_return(report=first, user=world["supervisor"], comment="Daftar hadir kurang")
    returned = by_name(completeness(kecamatan_a(world), last_month=OCT, today=TODAY))["BKB Melati"]
    # Returned, not corrected yet: the version that stands was sent on time.
    assert cell(returned, SEP).report == ReportState.ON_TIME
    assert cell(returned, SEP).status == MonthlyReport.Status.RETURNED

    send(group, world["admin"], SEP, SEP.due + 5 * DAY, correction_confirmed=True)  # the correction, late
    corrected = by_name(completeness(kecamatan_a(world), last_month=OCT, today=TODAY))["BKB Melati"]
    assert cell(corrected, SEP).report == ReportState.LATE
    assert cell(corrected, SEP).status == MonthlyReport.Status.SUBMITTED
    assert (corrected.on_time, corrected.late) == (0, 1)  # one month, counted once


def _extra_groups(world, n):
    for index in range(n):
        group = f.group(world["desa_a1"], f"BKB Tambahan {index:02d}")
        f.coaching_session(group, D(2026, 10, 10))
        send(group, world["admin"], SEP, SEP.due + DAY * (index % 2))


def _queries(groups) -> int:
    completeness(groups, last_month=NOV, today=TODAY)  # the kept rows made first
    with CaptureQueriesContext(connection) as queries:
        found = completeness(groups, last_month=NOV, today=TODAY)
    assert len(found) == groups.count()
    return len(queries)


def test_a_fixed_number_of_queries_for_2_or_20_groups(world):
    two = _queries(kecamatan_a(world))
    _extra_groups(world, 18)
    twenty = BkbGroup.objects.in_area(world["kec_a"])
    assert twenty.count() == 20
    assert _queries(twenty) == two
