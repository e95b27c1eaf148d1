"""Issue 14, completeness and timeliness over 12 months: per group, the months with a session
(the kept figures' count) and each month's report on time, late, missing or not yet due (its
current version); the dashboard's grid of them, for the groups of the chosen area the user may
see, only for an area small enough to read; a fixed number of queries whatever the number of groups."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import services
from reports import views as report_views
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


def _page_queries(client, area) -> int:
    _page(client, area)  # the kept rows made first
    with CaptureQueriesContext(connection) as queries:
        response = _page(client, area)
    assert len(response.context["grid"]) == BkbGroup.objects.in_area(area).count()
    return len(queries)


def test_the_dashboard_with_its_grid_runs_the_same_queries_for_2_or_20_groups(world, login):
    client = login(world["supervisor"])
    two = _page_queries(client, world["kec_a"])
    _extra_groups(world, 18)
    assert _page_queries(client, world["kec_a"]) == two


# --- the dashboard's grid --------------------------------------------------------------------


def _page(client, area, month=OCT):
    response = client.get(reverse("reports:dashboard") + f"?wilayah={area.pk}&bulan={month}")
    assert response.status_code == 200
    return response


def test_the_dashboard_shows_the_grid_with_a_cell_per_group_and_month(world, login):
    f.coaching_session(world["group_a"], D(2026, 9, 12))
    send(world["group_a"], world["admin"], SEP, SEP.due + DAY)
    response = _page(login(world["supervisor"]), world["kec_a"])
    html = response.content.decode()
    assert 'id="completeness"' in html and 'id="completeness-legend"' in html
    grid = html[html.index('id="completeness"') :].split("</table>")[0]
    for group in (world["group_a"], world["group_b"]):
        row = grid[grid.index(f'data-grid-group="{group.pk}"') :].split("</tr>")[0]
        assert row.count("<td class=") == 12 + 4  # the months, then the totals
    melati = grid[grid.index(f'data-grid-group="{world["group_a"].pk}"') :].split("</tr>")[0]
    assert 'data-month="2026-09" data-report="late" data-session="1"' in melati
    assert "laporan terlambat" in melati  # the cell says it in words, not by colour alone
    assert '<td class="text-end" data-total="late">1</td>' in melati
    assert '<td class="text-end" data-total="sessions">1</td>' in melati
    assert response.context["grid"][0].cells[-1].month == OCT


def test_the_grid_shows_only_the_areas_groups_the_user_may_see(world, login):
    supervisor = _page(login(world["supervisor"]), world["kec_a"])
    assert [row.group for row in supervisor.context["grid"]] == [world["group_a"], world["group_b"]]
    admin = _page(login(world["admin"]), world["kab"])
    shown = {row.group for row in admin.context["grid"]}
    assert shown == {world["group_a"], world["group_b"], world["group_c"]}  # not Garut, another kabupaten
    html = admin.content.decode()
    assert f'data-grid-group="{world["group_x"].pk}"' not in html


def test_an_area_with_too_many_groups_asks_for_a_smaller_one(world, login, monkeypatch):
    monkeypatch.setattr(report_views, "GRID_MAX_GROUPS", 1)
    response = _page(login(world["supervisor"]), world["kec_a"])
    html = response.content.decode()
    assert response.context["grid"] is None
    assert 'id="completeness-too-many"' in html and 'id="completeness"' not in html
