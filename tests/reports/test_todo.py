"""Issue 14, *Tugas bulan ini*: each task list at its edges, each task gone once done
(through the real services), the lists agreeing with the month's figures, and a fixed
number of queries whatever the number of children."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from families import kka
from families.measurements import measurement_record
from families.models import Child, Referral
from families.services import referral_close, referral_record
from reports import figures, services
from reports.todo import FOLLOW_UP_AFTER_DAYS, cadre_tasks
from sessions.models import Attendance, CoachingSession, HomeVisit
from sessions.services import home_visit_create, kka_check_save
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 10, 15)
OCT = Month(2026, 10)


def children_of(task_group) -> list[str]:
    return [task.child.name for task in task_group]


@pytest.fixture
def task(world):
    """An active instrument with one task expected by the end of month 3: owed from 6 months,
    to refer from 9 months (and three months after the first check)."""
    return f.kka_instrument([("A1", 0, 3, "motorik_kasar")]).milestones.get()


@pytest.fixture
def family(world):
    return f.family(world["group_a"], mother_name="Euis", joined_on=D(2024, 1, 1))


def check_save(child, task, *, marks=None, user=None):
    return kka_check_save(child=child, instrument=task.instrument, on=TODAY, marks=marks or {}, user=user)


# --- 1. not checked on the KKA this month -------------------------------------------------


def test_kka_due_counts_a_check_from_the_first_of_the_month_and_lists_unassessed_first(world, task, family):
    first_day = f.child(family, D(2025, 1, 1), name="Ani")
    f.kka_check(first_day, OCT.first)
    last_month = f.child(family, D(2025, 1, 1), name="Budi")
    f.kka_check(last_month, OCT.first - DAY)
    f.child(family, D(2025, 1, 1), name="Zaki")  # never checked: belum dinilai
    f.kka_check(f.child(family, D(2025, 2, 1), name="Dewi"), D(2026, 9, 1))
    elsewhere = f.family(world["group_b"], joined_on=D(2024, 1, 1))
    f.child(elsewhere, D(2025, 1, 1), name="Lain")
    gone = f.family(world["group_a"], joined_on=D(2024, 1, 1), left_on=D(2026, 10, 1))
    f.child(gone, D(2025, 1, 1), name="Pergi")

    due = cadre_tasks(world["group_a"], today=TODAY).kka_due
    assert children_of(due) == ["Zaki", "Budi", "Dewi"]
    assert due.count == 3
    assert due.items[0].child.kka_status == kka.KkaStatus.BELUM_DINILAI
    assert due.items[1].url == reverse("sessions:child_kka", args=[last_month.pk])


def test_saving_a_check_takes_the_child_off_kka_due(world, task, family):
    child = f.child(family, D(2025, 1, 1), name="Budi")
    assert children_of(cadre_tasks(world["group_a"], today=TODAY).kka_due) == ["Budi"]
    check_save(child, task, user=world["cadre_a"])  # nothing new to mark: still a check
    assert children_of(cadre_tasks(world["group_a"], today=TODAY).kka_due) == []


# --- 2. an owed task's watch ends this month ------------------------------------------------


def test_watch_ending_on_the_months_last_day_is_in_on_the_first_of_next_month_out(world, task, family):
    # By age: band end 3 + 6 months. Checked at birth, so the first check does not hold it back.
    on_last_day = f.child(family, add_months(OCT.last, -9), name="Tepat")
    next_month = f.child(family, add_months(OCT.next().first, -9), name="Lewat")
    # By the first check: three months after it, the child being old enough long before.
    check_last_day = f.child(family, D(2024, 1, 1), name="Cek Juli")
    check_next_month = f.child(family, D(2024, 1, 1), name="Cek Agustus")
    for child in (on_last_day, next_month):
        f.kka_check(child, child.birth_date)
    f.kka_check(check_last_day, D(2026, 7, 31))
    f.kka_check(check_next_month, D(2026, 8, 1))
    refer_now = f.child(family, D(2025, 1, 1), name="Sudah perlu rujukan")
    f.kka_check(refer_now, refer_now.birth_date)

    def status(child, on):
        return kka.annotate_kka_status(Child.objects.filter(pk=child.pk), on).get().kka_status

    # The edges are where the rule puts them.
    for child in (on_last_day, check_last_day):
        assert (status(child, TODAY), status(child, OCT.last)) == ("terhutang", "perlu_rujukan")
    for child in (next_month, check_next_month):
        assert (status(child, OCT.last), status(child, OCT.next().first)) == ("terhutang", "perlu_rujukan")

    tasks = cadre_tasks(world["group_a"], today=TODAY)
    assert children_of(tasks.watch_ending) == ["Cek Juli", "Tepat"]
    assert children_of(tasks.to_refer) == ["Sudah perlu rujukan"]
    assert tasks.watch_ending.items[1].url == reverse("sessions:child_kka", args=[on_last_day.pk])


def test_marking_the_owed_task_ends_the_watch(world, task, family):
    child = f.child(family, add_months(OCT.last, -9), name="Tepat")
    f.kka_check(child, child.birth_date)
    assert children_of(cadre_tasks(world["group_a"], today=TODAY).watch_ending) == ["Tepat"]
    # A check that finds the task still not done leaves it on the list.
    check_save(child, task)
    assert children_of(cadre_tasks(world["group_a"], today=TODAY).watch_ending) == ["Tepat"]
    check_save(child, task, marks={task.pk: TODAY})
    assert children_of(cadre_tasks(world["group_a"], today=TODAY).watch_ending) == []


# --- 3. needs referral, not referred -------------------------------------------------------


def test_to_refer_until_a_referral_is_recorded(world, task, family):
    child = f.child(family, D(2025, 1, 1), name="Rujuk")
    f.kka_check(child, child.birth_date)
    referred = f.child(family, D(2025, 1, 1), name="Dirujuk")
    f.kka_check(referred, referred.birth_date)
    Referral.objects.create(child=referred, date=D(2026, 10, 1), referred_to="Puskesmas")

    to_refer = cadre_tasks(world["group_a"], today=TODAY).to_refer
    assert children_of(to_refer) == ["Rujuk"]
    assert to_refer.items[0].url == reverse("families:referral_add", args=[child.pk])

    referral_record(child=child, user=world["cadre_a"], date=TODAY, referred_to="Puskesmas Jatinangor")
    tasks = cadre_tasks(world["group_a"], today=TODAY)
    assert children_of(tasks.to_refer) == []
    assert tasks.referrals_to_follow.count == 0  # made today: not yet four weeks


# --- 4. referrals open four weeks without an outcome ---------------------------------------


def test_a_referral_shows_from_its_28th_day_and_goes_when_closed(world, family):
    child = f.child(family, D(2025, 1, 1), name="Rujuk")
    day_27 = referral_record(child=child, user=None, date=TODAY - 27 * DAY, referred_to="Bidan desa")
    day_28 = referral_record(child=child, user=None, date=TODAY - FOLLOW_UP_AFTER_DAYS * DAY, referred_to="Puskesmas")
    closed = referral_record(child=child, user=None, date=TODAY - 60 * DAY, referred_to="RSUD")
    referral_close(referral=closed, closed_on=TODAY - 30 * DAY, outcome="Sudah diperiksa")
    other = f.child(f.family(world["group_b"], joined_on=D(2024, 1, 1)), D(2025, 1, 1))
    referral_record(child=other, user=None, date=TODAY - 40 * DAY, referred_to="Puskesmas")

    follow = cadre_tasks(world["group_a"], today=TODAY).referrals_to_follow
    assert [(task.referral, task.days_open) for task in follow] == [(day_28, 28)]
    assert follow.items[0].url == reverse("families:referral_close", args=[day_28.pk])
    assert [t.referral for t in cadre_tasks(world["group_a"], today=TODAY + DAY).referrals_to_follow] == [
        day_28,
        day_27,
    ]

    referral_close(referral=day_28, closed_on=TODAY, outcome="Stimulasi di rumah, kontrol 3 bulan")
    assert cadre_tasks(world["group_a"], today=TODAY).referrals_to_follow.count == 0


# --- 5. absent from the month's sessions, not visited ----------------------------------------


def test_nobody_is_absent_before_the_months_first_session(world, family):
    rina = f.family(world["group_a"], mother_name="Rina", joined_on=D(2024, 1, 1))
    september = f.coaching_session(world["group_a"], D(2026, 9, 20))
    Attendance.objects.create(session=september, family=family)
    f.coaching_session(world["group_b"], D(2026, 10, 10))  # another group's session
    assert cadre_tasks(world["group_a"], today=TODAY).absent_not_visited.count == 0

    held = f.coaching_session(world["group_a"], OCT.first)
    Attendance.objects.create(session=held, family=family)
    absent = cadre_tasks(world["group_a"], today=TODAY).absent_not_visited
    assert [task.family for task in absent] == [rina]
    assert absent.items[0].url == reverse("sessions:home_visit_create", args=[rina.pk]) + "?bulan=2026-10"


def test_a_visit_this_month_takes_an_absent_family_off(world, family):
    rina = f.family(world["group_a"], mother_name="Rina", joined_on=D(2024, 1, 1))
    f.family(world["group_a"], mother_name="Keluar", joined_on=D(2024, 1, 1), left_on=D(2026, 10, 5))
    f.coaching_session(world["group_a"], D(2026, 10, 10))
    HomeVisit.objects.create(family=rina, date=OCT.first - DAY)  # last month's visit
    assert [t.family for t in cadre_tasks(world["group_a"], today=TODAY).absent_not_visited] == [family, rina]

    home_visit_create(family=rina, date=TODAY, met="ibu", note="", user=world["cadre_a"])
    assert [t.family for t in cadre_tasks(world["group_a"], today=TODAY).absent_not_visited] == [family]


# --- 6. not measured this month -----------------------------------------------------------------


def test_a_measurement_from_the_first_of_the_month_counts(world, family):
    first_day = f.child(family, D(2025, 10, 1), name="Ani")
    f.measurement(first_day, OCT.first)
    last_month = f.child(family, D(2025, 10, 1), name="Budi")
    f.measurement(last_month, OCT.first - DAY)
    f.child(family, D(2025, 10, 1), name="Citra")

    not_measured = cadre_tasks(world["group_a"], today=TODAY).not_measured
    assert children_of(not_measured) == ["Budi", "Citra"]
    assert not_measured.items[0].url == reverse("families:measurement_add", args=[last_month.pk])

    measurement_record(
        child=last_month, date=TODAY, weight_kg="9.4", height_cm="75.5", position="lying", confirmed=True
    )
    assert children_of(cadre_tasks(world["group_a"], today=TODAY).not_measured) == ["Citra"]


# --- 7. last month's report -----------------------------------------------------------------------

ON_TIME = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def report_task(world, today):
    found = cadre_tasks(world["group_a"], today=today).report
    assert found.count <= 1
    return found.items[0] if found.count else None


@pytest.mark.parametrize(
    ("today", "left", "late"),
    [(D(2026, 11, 1), 2, None), (D(2026, 11, 3), 0, None), (D(2026, 11, 4), None, 1), (D(2026, 11, 30), None, 27)],
)
def test_an_unsent_report_counts_down_to_the_third_then_counts_days_late(world, today, left, late):
    found = report_task(world, today)
    assert (found.month, found.due, found.days_left, found.days_late) == (OCT, D(2026, 11, 3), left, late)
    assert not found.returned and found.comment == ""
    assert found.url == reverse("reports:group_month", args=[world["group_a"].pk, "2026-10"]) + "#report-status"


def test_a_sent_report_goes_a_returned_one_comes_back_with_its_comment(world, django_assert_num_queries):
    report = services.report_submit(group=world["group_a"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    assert report_task(world, D(2026, 11, 4)) is None
    services.report_return(report=report, user=world["supervisor"], comment="Daftar hadir 10 Okt kurang satu")

    found = report_task(world, D(2026, 11, 4))
    assert found.returned and found.comment == "Daftar hadir 10 Okt kurang satu"
    assert (found.days_left, found.days_late) == (None, None)
    with django_assert_num_queries(0):
        assert found.report.reviewed_by == world["supervisor"]

    corrected = services.report_submit(
        group=world["group_a"], month=OCT, user=world["cadre_a"], now=ON_TIME + 3 * DAY, correction_confirmed=True
    )
    assert report_task(world, D(2026, 11, 5)) is None
    services.report_verify(report=corrected, user=world["supervisor"])
    assert report_task(world, D(2026, 11, 5)) is None


def test_the_total_counts_every_list(world, family):
    f.child(family, D(2025, 10, 1), name="Ani")  # not checked, not measured
    tasks = cadre_tasks(world["group_a"], today=TODAY)
    assert {group.key: group.count for group in tasks.groups} == {
        "kka_due": 1,
        "watch_ending": 0,
        "to_refer": 0,
        "referrals_to_follow": 0,
        "absent_not_visited": 0,
        "not_measured": 1,
        "report": 1,  # September's report, not sent
    }
    assert tasks.count == 3
    assert tasks.groups[0].label == "Belum diperiksa KKA bulan ini"
    with translation.override("en"):
        assert tasks.groups[0].label == "Not checked on the KKA this month"


# --- the same rules as the figures --------------------------------------------------------------


def test_on_the_months_last_day_the_lists_are_the_figures_rows(october):
    group = october["group"]
    f.family(group, mother_name="Baru", joined_on=D(2026, 10, 30))  # came to no session, not visited
    tasks = cadre_tasks(group, today=OCT.last)

    def rows(key):
        return set(figures.rows_behind(group, OCT, key).values_list("pk", flat=True))

    def pks(task_group, name):
        return {getattr(task, name).pk for task in task_group}

    assert pks(tasks.kka_due, "child") == rows("children_total") - rows("kka_checked") != set()
    assert pks(tasks.not_measured, "child") == rows("children_total") - rows("measured") != set()
    assert pks(tasks.to_refer, "child") == rows("kka_rujukan_unreferred")
    assert pks(tasks.absent_not_visited, "family") == rows("families_absent") - rows("families_absent_visited") != set()


# --- a fixed number of queries ----------------------------------------------------------------------


def populate(group, children: int, instrument) -> None:
    # The second child's watch ends on 31 October.
    f.month_in_bulk(
        group,
        children,
        instrument=instrument,
        today=TODAY,
        checked_on=TODAY,
        session_on=OCT.first,
        born={1: add_months(OCT.last, -9)},
    )


def queries_for(group) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        tasks = cadre_tasks(group, today=TODAY)
        counts = {task_group.key: task_group.count for task_group in tasks.groups}
        for task_group in tasks.groups:
            for item in task_group:
                # What a page shows of each task, already loaded.
                for name in ("child", "family", "referral"):
                    obj = getattr(item, name, None)
                    if isinstance(obj, Child):
                        str(obj.family)
                    elif isinstance(obj, Referral):
                        str(obj.child.family)
    return len(queries), counts


def test_the_same_queries_for_10_children_as_for_200(world):
    instrument = f.kka_instrument([("A1", 0, 3, "motorik_kasar"), ("B1", 12, 18, "kecerdasan")])
    populate(world["group_a"], 10, instrument)
    populate(world["group_b"], 200, instrument)
    few, few_counts = queries_for(world["group_a"])
    many, many_counts = queries_for(world["group_b"])
    assert few == many == 7
    # Every list has rows in both, so no query was skipped for an empty one.
    for counts in (few_counts, many_counts):
        assert all(counts.values()), counts
    assert many_counts["kka_due"] > few_counts["kka_due"]
    assert CoachingSession.objects.count() == 2
