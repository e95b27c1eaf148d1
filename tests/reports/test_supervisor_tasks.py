"""Issue 14, the supervisor's list (*Perlu ditindaklanjuti*): each list's rule at its edges,
the area's scope, the issue's must-show, and a fixed number of queries whatever the number
of groups and children."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bkb.lib.months import Month
from cadres.models import SupervisionVisit
from families.measurements import CONFIRM, measurement_record
from families.models import Child, Family, Measurement, Referral
from groups.models import BkbGroup
from reports import services
from reports.models import MonthlyReport
from reports.todo import FOLLOW_UP_AFTER_DAYS, supervisor_tasks
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 11, 10)
NOV = Month(2026, 11)
OCT = Month(2026, 10)


def kecamatan_a(world):
    return BkbGroup.objects.filter(pk__in=[world["group_a"].pk, world["group_b"].pk])


def names(task_group) -> list[str]:
    return [task.group.name for task in task_group]


def tasks_on(world, today=TODAY):
    return supervisor_tasks(kecamatan_a(world), today=today)


def send(group, user, month=OCT, on=TODAY, **kwargs) -> MonthlyReport:
    now = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
    return services.report_submit(group=group, month=month, user=user, now=now, **kwargs)


# --- no session this month so far -----------------------------------------------------------


def test_a_session_from_the_first_of_the_month_counts_one_on_the_last_day_before_does_not(world):
    f.coaching_session(world["group_a"], NOV.first)
    f.coaching_session(world["group_b"], OCT.last)
    found = tasks_on(world)
    assert names(found.no_session) == ["BKB Mawar"]
    assert found.no_session.items[0].url == reverse("sessions:list", args=[world["group_b"].pk])


def test_an_inactive_group_owes_nothing(world):
    BkbGroup.objects.filter(pk=world["group_b"].pk).update(active=False)
    found = supervisor_tasks(BkbGroup.objects.in_area(world["kec_a"]), today=TODAY)
    assert names(found.no_session) == ["BKB Melati"]


# --- last month's report not sent, or late ---------------------------------------------------


def test_report_not_sent_is_due_on_the_3rd_and_late_from_the_4th(world):
    on_due = tasks_on(world, OCT.due)
    assert names(on_due.report_not_sent) == ["BKB Mawar", "BKB Melati"]
    assert [(t.days_left, t.days_late) for t in on_due.report_not_sent] == [(0, None), (0, None)]
    before = tasks_on(world, OCT.due - DAY)
    assert [t.days_left for t in before.report_not_sent] == [1, 1]
    late = tasks_on(world, OCT.due + DAY)
    assert [(t.days_left, t.days_late) for t in late.report_not_sent] == [(None, 1), (None, 1)]
    task = late.report_not_sent.items[1]
    assert task.url == reverse("reports:group_month", args=[world["group_a"].pk, "2026-10"]) + "#report-status"


def test_a_sent_report_leaves_the_list_late_or_not(world):
    send(world["group_a"], world["admin"], on=OCT.due + DAY)  # late, but sent
    found = tasks_on(world, OCT.due + 2 * DAY)
    assert names(found.report_not_sent) == ["BKB Mawar"]
    assert not found.report_returned.items


def test_only_last_months_report_is_asked_for(world):
    send(world["group_a"], world["admin"])
    send(world["group_b"], world["admin"])
    # An older month never sent is the recap's business, not this list's.
    assert not tasks_on(world).report_not_sent.items


# --- returned and not corrected ----------------------------------------------------------


def test_a_returned_report_is_listed_until_the_correction_is_sent(world):
    report = send(world["group_a"], world["admin"])
    services.report_return(report=report, user=world["supervisor"], comment="Daftar hadir kurang")
    found = tasks_on(world)
    assert names(found.report_returned) == ["BKB Melati"]
    task = found.report_returned.items[0]
    assert task.returned and task.comment == "Daftar hadir kurang" and task.month == OCT
    assert "BKB Melati" not in names(found.report_not_sent)  # sent once: returned, not missing

    send(world["group_a"], world["admin"], correction_confirmed=True)
    assert not tasks_on(world).report_returned.items


def test_a_returned_report_of_an_older_month_is_listed_too(world):
    report = send(world["group_a"], world["admin"], month=OCT.previous(), on=OCT.first)
    services.report_return(report=report, user=world["supervisor"], comment="Cek lagi")
    assert [task.month for task in tasks_on(world).report_returned] == [OCT.previous()]


def test_a_verified_report_is_not_listed(world):
    report = send(world["group_a"], world["admin"])
    services.report_verify(report=report, user=world["supervisor"])
    found = tasks_on(world)
    assert not found.report_returned.items and "BKB Melati" not in names(found.report_not_sent)


# --- not visited in three months -------------------------------------------------------------


def visit(world, group, day):
    return SupervisionVisit.objects.create(group=group, supervisor=world["supervisor"], date=day, findings="Baik")


def test_a_visit_three_months_ago_to_the_day_counts_one_a_day_earlier_does_not(world):
    visit(world, world["group_a"], D(2026, 8, 10))
    visit(world, world["group_b"], D(2026, 8, 9))
    found = tasks_on(world)
    assert found.visited_since == D(2026, 8, 10)
    assert names(found.not_visited) == ["BKB Mawar"]
    task = found.not_visited.items[0]
    assert task.last_date == D(2026, 8, 9)
    assert task.url == reverse("groups:visit_create", args=[world["group_b"].pk])


def test_a_group_never_visited_is_listed_and_the_latest_visit_is_the_one_that_counts(world):
    visit(world, world["group_a"], D(2026, 1, 5))
    visit(world, world["group_a"], D(2026, 10, 20))
    found = tasks_on(world)
    assert names(found.not_visited) == ["BKB Mawar"]
    assert found.not_visited.items[0].last_date is None


# --- referrals with no outcome after four weeks -------------------------------------------


def referral(child, day, **fields):
    return Referral.objects.create(child=child, date=day, referred_to="Puskesmas", **fields)


def test_referrals_open_four_weeks_by_the_cadres_rule(world):
    family = f.family(world["group_b"], mother_name="Euis")
    due = referral(f.child(family, D(2025, 1, 1), name="Ani"), TODAY - datetime.timedelta(days=FOLLOW_UP_AFTER_DAYS))
    referral(f.child(family, D(2025, 1, 1), name="Budi"), TODAY - datetime.timedelta(days=FOLLOW_UP_AFTER_DAYS - 1))
    referral(
        f.child(family, D(2025, 1, 1), name="Cici"),
        TODAY - datetime.timedelta(days=60),
        closed_on=TODAY - DAY,
        outcome="Sudah ditangani",
    )
    elsewhere = f.family(world["group_c"])
    referral(f.child(elsewhere, D(2025, 1, 1), name="Dedi"), TODAY - datetime.timedelta(days=60))
    found = tasks_on(world)
    assert [task.referral for task in found.referrals_to_follow] == [due]
    task = found.referrals_to_follow.items[0]
    assert task.days_open == FOLLOW_UP_AFTER_DAYS and task.group == world["group_b"] and not task.whatsapp
    assert task.url == reverse("families:child_detail", args=[due.child_id])


def test_a_referral_of_a_family_that_left_is_not_followed(world):
    family = f.family(world["group_a"], left_on=TODAY - 5 * DAY)
    referral(f.child(family, D(2025, 1, 1)), TODAY - datetime.timedelta(days=40))
    assert not tasks_on(world).referrals_to_follow.items


# --- measurements confirmed although unlikely ----------------------------------------------


@pytest.fixture
def measured(world):
    """A child measured at 80 cm on 1 October: anything much shorter after is unlikely."""
    child = f.child(f.family(world["group_a"], mother_name="Euis"), D(2025, 1, 1), name="Ani")
    f.measurement(child, D(2026, 10, 1), weight_kg="10.0", height_cm="80.0")
    return child


def record(child, day, height_cm, *, confirmed=True):
    return measurement_record(
        child=child, date=day, weight_kg="10.0", height_cm=height_cm, position="lying", confirmed=confirmed
    )


def test_an_unlikely_value_is_refused_unless_confirmed_and_then_kept_marked(measured):
    with pytest.raises(ValidationError) as refused:
        record(measured, NOV.first, "78.0", confirmed=False)
    assert refused.value.code == CONFIRM
    assert record(measured, NOV.first, "78.0").confirmed_unlikely
    # Ticked, but nothing unlikely: not marked.
    assert not record(measured, NOV.first + DAY, "80.5").confirmed_unlikely


def test_this_months_confirmed_unlikely_measurements_are_listed_from_the_first(world, measured):
    on_first = record(measured, NOV.first, "78.0")
    record(measured, OCT.last, "77.0")  # last month's: not this list's
    record(measured, NOV.first + DAY, "80.5")  # confirmed, but likely enough
    found = tasks_on(world)
    assert [task.measurement for task in found.measurements_to_check] == [on_first]
    task = found.measurements_to_check.items[0]
    assert task.group == world["group_a"] and task.url == reverse("families:child_detail", args=[measured.pk])


def test_a_measurement_corrected_to_a_likely_value_leaves_the_list(world, measured):
    record(measured, NOV.first, "78.0")
    record(measured, NOV.first, "80.2", confirmed=False)  # the same day, measured again
    assert not Measurement.objects.filter(confirmed_unlikely=True).exists()
    assert not tasks_on(world).measurements_to_check.items


# --- scope and the page -----------------------------------------------------------------------


@pytest.fixture
def on_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


URL = reverse("reports:supervisor_tasks")


def test_the_kecamatan_supervisor_sees_her_kecamatan_only(world, login, on_today):
    html = login(world["supervisor"]).get(URL).content.decode()
    assert "BKB Melati" in html and "BKB Mawar" in html
    assert "BKB Dahlia" not in html and "BKB Garut" not in html
    other = login(world["supervisor"]).get(URL, {"wilayah": world["kec_b"].pk})
    assert other.status_code == 404


def test_the_admin_sees_her_kabupaten(world, login, on_today):
    html = login(world["admin"]).get(URL).content.decode()
    assert "BKB Melati" in html and "BKB Dahlia" in html and "BKB Garut" not in html
    html = login(world["admin"]).get(URL, {"wilayah": world["kec_b"].pk}).content.decode()
    assert "BKB Dahlia" in html and "BKB Melati" not in html


def test_a_cadre_is_turned_away(world, login):
    assert login(world["cadre_a"]).get(URL).status_code == 403


def test_the_list_shows_a_group_with_no_session_and_a_late_report(world, login, on_today):
    """The issue's must-show: a kecamatan with a group that held no session and a late report shows both."""
    f.coaching_session(world["group_b"], NOV.first)
    send(world["group_b"], world["admin"])
    response = login(world["supervisor"]).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    sections = {task_group.key: names(task_group) for task_group in response.context["task_groups"]}
    assert sections["no_session"] == ["BKB Melati"]
    assert sections["report_not_sent"] == ["BKB Melati"]
    assert "Belum ada pertemuan bulan ini" in html and "Laporan bulan lalu belum dikirim" in html
    assert "terlambat 7 hari" in html
    assert reverse("sessions:list", args=[world["group_a"].pk]) in html
    assert reverse("reports:group_month", args=[world["group_a"].pk, "2026-10"]) in html


def test_the_navigation_links_the_list_for_supervisors_not_for_cadres(world, login):
    dashboard = reverse("reports:dashboard")
    assert f'href="{URL}"' in login(world["supervisor"]).get(dashboard).content.decode()
    tasks = reverse("reports:tasks", args=[world["group_a"].pk])
    assert f'href="{URL}"' not in login(world["cadre_a"]).get(tasks).content.decode()


# --- a fixed number of queries ----------------------------------------------------------------


def area_in_bulk(world, groups: int) -> None:
    """`groups` more groups in kecamatan A, each in every state the list looks at."""
    made = BkbGroup.objects.bulk_create(
        BkbGroup(name=f"BKB {n:03d}", desa=world["desa_a1"], rw="01") for n in range(groups)
    )
    families = Family.objects.bulk_create(
        Family(group=group, mother_name=f"Ibu {n:03d}", joined_on=D(2024, 1, 1)) for n, group in enumerate(made)
    )
    kids = Child.objects.bulk_create(
        Child(family=family, name=f"Anak {n:03d}", sex="F", birth_date=D(2025, 1, 1))
        for n, family in enumerate(families)
    )
    Referral.objects.bulk_create(Referral(child=kid, date=TODAY - 40 * DAY, referred_to="Puskesmas") for kid in kids)
    Measurement.objects.bulk_create(
        Measurement(child=kid, date=TODAY, weight_kg=9, height_cm=75, position="lying", confirmed_unlikely=True)
        for kid in kids[::2]
    )
    SupervisionVisit.objects.bulk_create(
        SupervisionVisit(group=group, supervisor=world["supervisor"], date=D(2026, 1, 5), findings="-")
        for group in made[::2]
    )
    for group in made[::3]:
        f.coaching_session(group, NOV.first)
    for group in made[1::3]:
        report = send(group, world["admin"])
        if group.pk % 2:
            services.report_return(report=report, user=world["supervisor"], comment="Perbaiki")


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_rules_take_the_same_queries_for_2_groups_as_for_20(world):
    area = BkbGroup.objects.in_area(world["kec_a"])
    area_in_bulk(world, 0)
    few = count_queries(lambda: supervisor_tasks(area, today=TODAY))
    area_in_bulk(world, 18)
    found = supervisor_tasks(area, today=TODAY)
    assert found.referrals_to_follow.count == 18 and found.measurements_to_check.count == 9
    assert found.report_returned.count and found.no_session.count and found.not_visited.count
    many = count_queries(lambda: supervisor_tasks(area, today=TODAY))
    assert few == many <= 6


def test_the_page_takes_the_same_queries_for_2_groups_as_for_20(world, login, on_today):
    client = login(world["supervisor"])
    client.get(URL)  # the session and the user, once
    area_in_bulk(world, 0)
    few = count_queries(lambda: client.get(URL))
    area_in_bulk(world, 18)
    many = count_queries(lambda: client.get(URL))
    assert few == many
