"""Every figure of the group report and the recap against hand-counted numbers."""

import datetime

import pytest

from bkb.lib.months import Month
from families.models import Referral
from groups.models import BkbGroup
from reports import area, figures
from tests import factories as f

pytestmark = pytest.mark.django_db
OCT = Month(2026, 10)

EXPECTED_GROUP_A = {
    "cadres_active": 2,
    "cadres_trained": 1,
    "cadres_new": 1,
    "cadres_role_ketua": 1,
    "cadres_role_inti": 1,
    "cadres_role_bantu": 0,
    "cadres_role_piket": 0,
    "families_members": 3,
    "families_joined": 1,
    "families_left": 1,
    "families_present": 2,
    "families_absent": 1,
    "families_absent_visited": 1,
    "families_pus": 2,
    "families_kb": 1,
    "families_kb_suntik": 1,
    "families_kb_pil": 0,
    "families_pkh": 1,
    "families_krs": 0,
    "children_total": 4,
    "children_age_0": 2,
    "children_age_1": 1,
    "children_age_2": 0,
    "children_age_5": 1,
    "children_present": 3,
    "children_present_age_0": 2,
    "children_present_age_1": 1,
    "children_present_age_5": 0,
    "kka_checked": 1,
    "kka_belum_dinilai": 0,
    "kka_sesuai": 2,
    "kka_terhutang": 1,
    "kka_rujukan": 1,
    "kka_rujukan_unreferred": 0,
    "referrals_open": 1,
    "referrals_made": 1,
    "referrals_closed": 0,
    "measured": 3,
    "measured_scored": 2,
    "stunted": 1,
    "underweight": 1,
    "wasted": 1,
    "sessions_held": 1,
    "sessions_with_ape": 1,
    "sessions_supervised": 0,
}


def test_group_month_figures_match_hand_counts(october):
    found = figures.group_figures(october["group"], OCT)
    assert {key: found[key] for key in EXPECTED_GROUP_A} == EXPECTED_GROUP_A
    assert found.attendance_pct == 66.7
    assert found.kka_checked_pct == 25.0
    assert found.stunted_pct == 50.0
    assert found.trained_pct == 50.0
    assert found.kb_pct == 50.0
    assert found.families_per_cadre == 1.5


def test_kka_states_add_up_and_a_child_never_checked_is_belum_dinilai(october):
    october["children"]["alya"].kka_checks.all().delete()
    found = figures.group_figures(october["group"], OCT)
    assert (found["kka_belum_dinilai"], found["kka_terhutang"]) == (1, 0)
    states = ("kka_belum_dinilai", "kka_sesuai", "kka_terhutang", "kka_rujukan")
    assert sum(found[key] for key in states) == found["children_total"]
    assert [str(c) for c in figures.rows_behind(october["group"], OCT, "kka_belum_dinilai")] == ["Alya"]


def test_kka_checked_counts_checks_once_per_child(october):
    zahra = october["children"]["zahra"]
    f.kka_check(zahra, datetime.date(2026, 10, 20))
    f.kka_check(october["children"]["raka"], datetime.date(2026, 11, 1))  # November: not October
    assert figures.group_figures(october["group"], OCT)["kka_checked"] == 1


def test_a_child_referred_in_september_and_closed_is_not_unreferred_in_october(october):
    bima = october["children"]["bima"]
    Referral.objects.filter(child=bima).delete()
    assert figures.group_figures(october["group"], OCT)["kka_rujukan_unreferred"] == 1
    Referral.objects.create(
        child=bima,
        date=datetime.date(2026, 9, 10),
        referred_to="Puskesmas",
        closed_on=datetime.date(2026, 9, 30),
        outcome="Stimulasi di rumah, kontrol 3 bulan",
    )
    found = figures.group_figures(october["group"], OCT)
    assert (found["kka_rujukan"], found["kka_rujukan_unreferred"], found["referrals_open"]) == (1, 0, 0)
    assert not figures.rows_behind(october["group"], OCT, "kka_rujukan_unreferred").exists()


def test_rows_behind_each_figure_are_the_rows_counted(october):
    group = october["group"]
    found = figures.group_figures(group, OCT)
    for key in figures.FIGURE_POPULATION:
        assert figures.rows_behind(group, OCT, key).count() == found[key], key
    names = lambda key: sorted(str(row) for row in figures.rows_behind(group, OCT, key))  # noqa: E731
    assert names("families_present") == ["Euis", "Rina"]
    assert names("stunted") == ["Bima"]
    assert names("kka_terhutang") == ["Alya"]
    assert names("cadres_new") == ["Oom"]


def test_recap_rows_and_totals(october, world):
    groups = BkbGroup.objects.filter(pk__in=[world["group_a"].pk, world["group_b"].pk, world["group_c"].pk])
    rows, totals = area.area_figures(groups, OCT)
    by_name = {row.group.name: row.figures for row in rows}
    assert list(by_name) == ["BKB Melati", "BKB Mawar", "BKB Dahlia"]  # Cikeruh, Hegarmanah, then Tanjungsari
    assert by_name["BKB Mawar"]["families_members"] == 1
    assert by_name["BKB Mawar"]["families_kb_pil"] == 1
    assert by_name["BKB Mawar"]["cadres_active"] == 0  # Oom of group B joined today, after October
    assert by_name["BKB Dahlia"]["families_members"] == 0
    assert totals["families_members"] == 4
    assert totals["children_total"] == 5
    assert totals["families_kb"] == 2
    assert totals["sessions_held"] == 1
    assert totals.attendance_pct == 50.0


def test_a_month_without_data_is_zero_not_missing(world):
    found = figures.group_figures(world["group_c"], OCT)
    assert found["sessions_held"] == 0
    assert found.attendance_pct is None


def test_trend_counts_the_submitted_figures_of_earlier_months(october, world):
    import datetime

    from reports.dashboard import trend_series
    from reports.services import report_submit
    from sessions.models import Attendance, CoachingSession

    groups = BkbGroup.objects.filter(pk__in=[world["group_a"].pk, world["group_b"].pk])
    report_submit(
        group=october["group"],
        month=OCT,
        user=world["cadre_a"],
        now=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
    )
    # After submitting, Tati's attendance is entered late: the live count moves, the report does not.
    session = CoachingSession.objects.get(date=datetime.date(2026, 10, 10))
    Attendance.objects.create(session=session, family=october["children"]["raka"].family)
    assert figures.group_figures(october["group"], OCT)["families_present"] == 3

    november = Month(2026, 11)
    series = dict((indicator.key, points) for indicator, points in trend_series(groups, november, months=3))
    assert [label for label, _value in series["attendance_pct"]] == ["September 2026", "Oktober 2026", "November 2026"]
    # October: Melati's frozen 2 of 3 plus Mawar's live 0 of 1.
    assert series["attendance_pct"][1][1] == 50.0
    assert series["sessions_held"][1][1] == 1

    # A report sent back for correction is not an official figure: Melati counts live again.
    from reports.models import MonthlyReport
    from reports.services import report_return

    report_return(report=MonthlyReport.objects.get(), user=world["supervisor"], comment="Cek daftar hadir")
    series = dict((indicator.key, points) for indicator, points in trend_series(groups, november, months=3))
    assert series["attendance_pct"][1][1] == 75.0  # 3 of 3 live plus 0 of 1


def test_kept_columns_are_the_figures_counted():
    """GroupMonthFigures has one typed column per figure the populations count, in their order."""
    from reports.models import FIGURE_KEYS, GroupMonthFigures

    assert FIGURE_KEYS == list(figures.FIGURE_POPULATION)
    columns = [field.name for field in GroupMonthFigures._meta.get_fields() if field.name in FIGURE_KEYS]
    assert columns == FIGURE_KEYS
    assert all(GroupMonthFigures._meta.get_field(key).get_internal_type() == "PositiveIntegerField" for key in columns)
