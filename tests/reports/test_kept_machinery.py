"""How the kept figures stay current: marks, the queue, the worker, the nightly run."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from families.measurements import measurement_record
from families.models import Child, Referral
from families.services import family_save_with_children, referral_close, referral_record
from groups.models import BkbGroup
from reports import kept, verify
from reports.kept import figures_refresh
from reports.models import GroupMonthFigures
from sessions import kept as children_kept
from sessions.models import ChildStatus, CoachingSession, KeptState
from sessions.services import AttendanceEntry, home_visit_create, session_save
from tests import factories as f

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def families(world, today):
    """A family in Melati and one in Mawar, each with a child of a year and a half."""
    found = {}
    for key in ("group_a", "group_b"):
        family = f.family(world[key], joined_on=add_months(today, -24))
        found[key] = (family, f.child(family, add_months(today, -18)))
    return found


def rows(**lookups):
    return GroupMonthFigures.objects.filter(**lookups)


def stale_months(group) -> set[Month]:
    return {Month.of(day) for day in rows(group=group, stale=True).values_list("month", flat=True)}


def refresh_tasks():
    return DBTaskResult.objects.filter(task_path=figures_refresh.module_path)


def run_queued_tasks() -> int:
    """What the database worker does with each task it claims (db_worker's own run_task)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test")
        worker.run_task(result)
        result.refresh_from_db()
        assert result.status == "SUCCESSFUL", result.traceback
        ran += 1
    return ran


def assert_true(area, month, today):
    """The area's kept rows for `month` and its children's for `today` are current and equal live."""
    found = verify.compare(BkbGroup.objects.in_area(area), month, today)
    assert found.ok and found.rows and not found.stale_rows and not found.stale_groups, found


def test_a_burst_of_writes_before_the_worker_runs_queues_one_refresh(
    world, families, today, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    kept.nightly(today)
    family, child = families["group_a"]
    group = world["group_a"]
    topic = f.topic()
    # Four requests, each its own commit, before the worker picks anything up.
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(child=child, date=today, weight_kg="10.5", height_cm="80.0", position="lying")
    with django_capture_on_commit_callbacks(execute=True):
        home_visit_create(family=family, date=today, met="ibu", note="", user=None)
    with django_capture_on_commit_callbacks(execute=True):
        session = CoachingSession(group=group, topic=topic, date=today, age_groups=[1])
        session_save(session=session, cadres={}, attendance=[AttendanceEntry(family.pk, "ibu", child.pk)], user=None)
    with django_capture_on_commit_callbacks(execute=True):
        referral_record(child=child, user=None, date=today, referred_to="Puskesmas")

    assert refresh_tasks().count() == 1
    assert refresh_tasks().get().task_result.args == [[group.pk]]
    assert KeptState.objects.get(group=group).queued
    assert stale_months(group) == {Month.of(today)}
    assert not rows(stale=True).exclude(group=group).exists()  # Mawar, Dahlia: untouched

    assert run_queued_tasks() == 1
    assert not rows(stale=True).exists()
    assert not KeptState.objects.get(group=group).queued
    month = rows(group=group, month=Month.of(today).first).get()
    assert (month.measured, month.sessions_held, month.families_present, month.referrals_made) == (1, 1, 1, 1)
    assert ChildStatus.objects.get(child=child).seen_this_month
    assert_true(world["kab"], Month.of(today), today)

    # The next write after the refresh queues a new one.
    with django_capture_on_commit_callbacks(execute=True):
        referral_close(referral=Referral.objects.get(), closed_on=today, outcome="Sudah diperiksa")
    assert refresh_tasks().filter(status="READY").count() == 1


def test_a_session_moved_to_another_month_marks_both_months(world, families, today, django_capture_on_commit_callbacks):
    group = world["group_a"]
    family, child = families["group_a"]
    this, earlier = Month.of(today), Month.of(today).back(2)
    session = CoachingSession(group=group, topic=f.topic(), date=earlier.first, age_groups=[1])
    session_save(session=session, cadres={}, attendance=[AttendanceEntry(family.pk, "ibu", child.pk)], user=None)
    kept.nightly(today)
    assert rows(group=group, month=earlier.first).get().sessions_held == 1

    session.date = today
    session_save(session=session, cadres={}, attendance=[AttendanceEntry(family.pk, "ibu", child.pk)], user=None)
    # The month it left and the month it went to (and those between: marks run from a day on).
    assert stale_months(group) == {earlier, earlier.next(), this}
    assert not rows(group=group, month=earlier.previous().first, stale=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        session.date = earlier.first + datetime.timedelta(days=3)
        session_save(session=session, cadres={}, attendance=[AttendanceEntry(family.pk, "ibu", child.pk)], user=None)
    assert not rows(stale=True).exists()
    assert rows(group=group, month=earlier.first).get().sessions_held == 1
    assert rows(group=group, month=this.first).get().sessions_held == 0
    assert_true(world["kec_a"], earlier, today)
    assert_true(world["kec_a"], this, today)


def test_a_family_moved_to_another_group_marks_both_groups(
    world, families, today, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    family, child = families["group_a"]
    melati, mawar, dahlia = world["group_a"], world["group_b"], world["group_c"]
    kept.nightly(today)
    versions = dict(KeptState.objects.values_list("group_id", "version"))

    with django_capture_on_commit_callbacks(execute=True):
        family.group = mawar
        family_save_with_children(family=family, children=[])
    # Committed, queued, not yet refreshed: both groups' rows say so, from the month the family joined.
    for group in (melati, mawar):
        state = KeptState.objects.get(group=group)
        assert state.version > versions[group.pk] and state.queued
        assert not state.children_current(today)
        assert stale_months(group) == {Month.of(day) for day in rows(group=group).values_list("month", flat=True)}
    assert KeptState.objects.get(group=dahlia).version == versions[dahlia.pk]
    assert not rows(group=dahlia, stale=True).exists()

    assert run_queued_tasks() == 1
    assert not rows(stale=True).exists()
    assert ChildStatus.objects.get(child=child).group_id == mawar.pk
    this = rows(month=Month.of(today).first)
    assert (this.get(group=melati).children_total, this.get(group=mawar).children_total) == (0, 2)
    assert_true(world["kec_a"], Month.of(today), today)


def test_the_nightly_run_writes_the_new_months_rows_and_the_childrens_rows_for_the_new_day(world, families, today):
    first = Month.of(today).first  # the 1st of this month, the night after the last of the previous one
    eve = first - datetime.timedelta(days=1)
    family, child = families["group_a"]
    turning_six = f.child(family, add_months(first, -72))  # in the programme on the eve, six on the 1st
    measurement_record(child=child, date=eve, weight_kg="10.5", height_cm="80.0", position="lying")

    kept.nightly(eve)
    assert not rows(month=first).exists()
    assert ChildStatus.objects.get(child=child).seen_this_month  # measured that day
    assert ChildStatus.objects.filter(child=turning_six).exists()
    assert set(KeptState.objects.values_list("children_on", flat=True)) == {eve}

    kept.nightly(first)
    groups = BkbGroup.objects.all()
    assert rows(month=first).count() == groups.count()
    assert rows(month=first, stale=True).count() == 0
    assert not ChildStatus.objects.get(child=child).seen_this_month  # a new month: not seen yet
    assert not ChildStatus.objects.filter(child=turning_six).exists()
    assert set(KeptState.objects.values_list("children_on", flat=True)) == {first}
    # What it wrote is the live computation for that day and month.
    live = children_kept.child_status_live(Child.objects.all(), first)
    assert sorted(live.values_list("pk", flat=True)) == sorted(ChildStatus.objects.values_list("child_id", flat=True))
    for area in (world["kab"], world["desa_x"]):
        found = verify.compare(BkbGroup.objects.in_area(area), Month.of(first), first)
        assert found.ok and not found.stale_rows and not found.stale_groups, found


def test_a_refresh_that_cannot_be_queued_fails_no_write_and_claims_no_group(
    world, families, today, settings, django_capture_on_commit_callbacks, caplog
):
    family, child = families["group_a"]
    kept.nightly(today)
    # A task backend that refuses the refresh task (its queue is not served): enqueue raises.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["elsewhere"]}}
    with django_capture_on_commit_callbacks(execute=True):
        home_visit_create(family=family, date=today, met="ibu", note="", user=None)
    # The visit was committed: the request must not fail after it. The error is logged.
    assert "Queue 'default' is not valid" in caplog.text
    assert stale_months(world["group_a"]) == {Month.of(today)}
    # The group was not left claimed: once the backend works, the next write queues its refresh.
    assert not KeptState.objects.get(group=world["group_a"]).queued
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(child=child, date=today, weight_kg="10.5", height_cm="80.0", position="lying")
    assert refresh_tasks().count() == 1
    assert run_queued_tasks() == 1
    assert_true(world["kec_a"], Month.of(today), today)


def test_a_claim_whose_task_was_lost_is_released_by_the_nightly_run(
    world, families, today, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    family, child = families["group_a"]
    group = world["group_a"]
    kept.nightly(today)
    with django_capture_on_commit_callbacks(execute=True):
        home_visit_create(family=family, date=today, met="ibu", note="", user=None)
    assert refresh_tasks().count() == 1
    refresh_tasks().delete()  # lost: a worker killed as it took the task, a purge of the queue
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(child=child, date=today, weight_kg="10.5", height_cm="80.0", position="lying")
    assert refresh_tasks().count() == 0  # the group is still claimed by the lost task

    kept.nightly(today)
    assert not rows(stale=True).exists()
    assert not KeptState.objects.get(group=group).queued
    # From the next write on, the group's refreshes are queued again.
    with django_capture_on_commit_callbacks(execute=True):
        referral_record(child=child, user=None, date=today, referred_to="Puskesmas")
    assert refresh_tasks().count() == 1
