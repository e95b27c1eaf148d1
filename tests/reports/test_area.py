"""One rule for every area view: a group's month shows its standing submitted report, else live figures."""

import datetime

import pytest
from django.urls import reverse

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import area, figures, shown
from reports.dashboard import INDICATORS, dashboard, trend_series
from reports.models import MonthlyReport
from reports.services import report_return, report_submit
from sessions.models import Attendance, CoachingSession, Topic
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
OCT, NOV = Month(2026, 10), Month(2026, 11)


def _submit(group, user, month=OCT):
    return report_submit(group=group, month=month, user=user, now=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC))


@pytest.fixture
def edited(october, world):
    """Melati sent October; then a late attendance was typed in for both groups."""
    _submit(october["group"], world["cadre_a"])
    session = CoachingSession.objects.get(date=D(2026, 10, 10))
    Attendance.objects.create(session=session, family=october["children"]["raka"].family)
    mawar = CoachingSession.objects.create(
        group=world["group_b"], date=D(2026, 10, 12), topic=Topic.objects.create(name="Gizi"), age_groups=[1]
    )
    Attendance.objects.create(session=mawar, family=world["group_b"].families.get())
    return BkbGroup.objects.filter(desa__path__startswith=world["kec_a"].path)


def test_recap_shows_the_submitted_figures_and_live_ones_each_marked(edited, october, world, login):
    rows, totals = area.area_figures(edited, OCT)
    by_name = {row.group.name: row for row in rows}
    melati, mawar = by_name["BKB Melati"], by_name["BKB Mawar"]
    assert (melati.source, mawar.source) == (shown.REPORT, shown.LIVE)
    assert figures.group_figures(october["group"], OCT)["families_present"] == 3  # live moved on
    assert melati.figures["families_present"] == 2  # the report did not
    assert mawar.figures["families_present"] == 1
    assert totals["families_present"] == 3 and totals["sessions_held"] == 2

    html = login(world["supervisor"]).get(reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)]))
    html = html.content.decode()
    row = lambda group: html[html.index(f'data-group="{group.pk}"') :].split("</tr>")[0]  # noqa: E731
    assert "laporan v1 terkirim" in row(october["group"])
    assert "langsung (belum dikirim)" in row(world["group_b"])
    assert 'id="source-legend"' in html


def test_recap_dashboard_and_trend_agree_cell_by_cell(edited, october, world, login):
    months = [Month(2026, 8), Month(2026, 9), OCT]
    recap = {month: area.area_figures(edited, month) for month in months}

    # The trend's points are the recap's totals, month by month, indicator by indicator.
    for indicator, points in trend_series(edited, OCT, months=3):
        assert [value for _label, value in points] == [indicator.value(recap[m][1]) for m in months], indicator.key

    # The dashboard's table for October is the recap's rows, group by group.
    data = dashboard(edited, world["kec_a"], OCT)
    rows, total_cells = data.rows, data.totals
    recap_rows = {row.group.pk: row for row in recap[OCT][0]}
    assert len(rows) == len(recap_rows) == 2
    for row in rows:
        expected = recap_rows[row.group.pk]
        assert row.source == expected.source
        assert [cell["value"] for cell in row.values] == [i.value(expected.figures) for i in INDICATORS]
    assert [cell["value"] for cell in total_cells] == [i.value(recap[OCT][1]) for i in INDICATORS]

    # And on the page: October on November's dashboard trend is what the October recap says.
    page = login(world["supervisor"]).get(reverse("reports:dashboard"), {"bulan": str(NOV)}).content.decode()
    for indicator in INDICATORS:
        value = indicator.value(recap[OCT][1])
        if value is not None:
            assert f"Oktober 2026: {value:g}{indicator.unit}</title>" in page, indicator.key
    assert recap[OCT][1].attendance_pct == 75.0  # Melati's frozen 2 of 3 plus Mawar's live 1 of 1


def test_a_returned_report_is_counted_live_and_says_so(edited, october, world, login):
    report_return(report=MonthlyReport.objects.get(), user=world["supervisor"], comment="Cek daftar hadir")
    rows, totals = area.area_figures(edited, OCT)
    melati = next(row for row in rows if row.group == october["group"])
    assert melati.source == shown.LIVE and melati.report.status == MonthlyReport.Status.RETURNED
    assert melati.figures["families_present"] == 3
    html = login(world["supervisor"]).get(reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)]))
    assert "langsung (laporan dikembalikan)" in html.content.decode()
    trend = dict(trend_series(edited, OCT, months=1))
    assert dict(trend[INDICATORS[1]])["Oktober 2026"] == totals.attendance_pct == 100.0


def test_a_cadre_serving_two_groups_is_one_person_in_the_area_total(october, world):
    oom = october["oom"]  # kader inti at Melati since March, trained
    f.cadre(world["group_b"], role="piket", age_group=0, date_joined=D(2026, 1, 1))
    from cadres.models import CadreRole

    CadreRole.objects.create(cadre=oom, group=world["group_b"], role="bantu", age_group=3, started_on=D(2026, 6, 1))
    groups = BkbGroup.objects.filter(desa__path__startswith=world["kec_a"].path)
    rows, totals = area.area_figures(groups, OCT)

    by_name = {row.group.name: row.figures for row in rows}
    assert (by_name["BKB Melati"]["cadres_active"], by_name["BKB Mawar"]["cadres_active"]) == (2, 2)
    assert totals.cadres_counted_once
    assert totals["cadres_active"] == 3  # Imas, Oom (both groups) and the new piket: not 4
    assert totals["cadres_trained"] == 1 and totals.trained_ratio.whole == 3
    assert totals["families_members"] == sum(f["families_members"] for f in by_name.values())  # others add up
    # Before Oom joined Mawar (June), she was one person in one group anyway.
    assert area.area_figures(groups, Month(2026, 5))[1]["cadres_active"] == 3


@pytest.mark.parametrize("n", [2, 6])
def test_recap_with_submitted_and_live_groups_runs_a_fixed_number_of_queries(
    october, world, login, django_assert_max_num_queries, n
):
    for i in range(n - 2):
        group = f.group(world["desa_a1"], f"BKB Uji {i}")
        chair = f.user(f"ketua{i}", "cadre")
        f.cadre(group, user=chair, role="ketua", date_joined=D(2020, 1, 1))
        f.child(f.family(group), D(2025, 1, 1))
        if i % 2:
            _submit(group, chair)
    _submit(october["group"], world["cadre_a"])
    client = login(world["supervisor"])
    url = reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)])
    client.get(url)  # the first view computes the missing kept rows
    # session, user, areas (twice), the area: 5; ensure: 2; the totals, the area's cadres, the kept
    # rows with their reports, the groups: 4.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count("<tr data-group=") == n
