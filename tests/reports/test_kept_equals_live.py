"""The proof: after any sequence of writes through the services, the kept figures are the live ones.

Each test draws a world and a sequence of writes from random.Random(seed)
(tests/reports/writes.py). With the worker running (the commit's callbacks
run, ImmediateBackend runs the refresh task at once) every kept row equals
the live computation afterwards and none is left stale. With the worker
down, every kept row that no longer equals live says it is stale, so a page
that shows it can say so. A rolled-back write marks nothing.
"""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bkb.lib.months import Month
from families.measurements import measurement_record
from families.models import Child
from groups.models import BkbGroup
from reports import kept, verify
from reports.figures import FIGURE_KEYS
from reports.models import GroupMonthFigures
from reports.shown import live_group_months
from sessions import kept as children_kept
from sessions import services as session_services
from sessions.models import ChildStatus, CoachingSession, KeptState
from tests.reports.writes import SPREAD_DAYS, Writer

pytestmark = pytest.mark.django_db
SEEDS = [3, 11, 2026]
SEQUENCES, WRITES = 2, 10  # per seed: two sequences of ten writes, all the figures checked after each


def kept_months(today: datetime.date) -> list[Month]:
    return [Month.of(today).back(back) for back in range(kept.KEPT_MONTHS)]


def window(today: datetime.date) -> list[Month]:
    """The months most writes are dated in: checked after every commit (all kept months after a sequence)."""
    return [month for month in kept_months(today) if month.last >= today - datetime.timedelta(days=SPREAD_DAYS)]


def month_differences(
    today: datetime.date, months: list[Month] | None = None, *, skip_stale: bool = False
) -> dict[tuple[int, Month], dict]:
    """{(group, month): {what: (kept, live)}} where a kept month row is not the live one; a missing row too.

    `months`: the kept months unless given. With `skip_stale`, rows that say they are stale are not
    computed (they may differ)."""
    rows = {(row.group_id, Month.of(row.month)): row for row in GroupMonthFigures.objects.all()}
    found = {}
    for month in months or kept_months(today):
        groups = BkbGroup.objects.all()
        if skip_stale:
            groups = groups.exclude(pk__in=[g for (g, m), row in rows.items() if m == month and row.stale])
        group_ids = list(groups.values_list("pk", flat=True))
        if not group_ids:
            continue
        for group_id, shown in live_group_months(groups, [month], group_ids=group_ids)[month].items():
            row = rows.get((group_id, month))
            if row is None:
                found[group_id, month] = {"row": (None, "live")}
                continue
            now = {"source": shown.source, "report": shown.report.pk if shown.report else None}
            now.update({key: shown.counts[key] for key in FIGURE_KEYS})
            was = {"source": row.source, "report": row.report_id, **row.counts()}
            if diff := {key: (was[key], now[key]) for key in now if was[key] != now[key]}:
                found[group_id, month] = diff
    return found


def child_differences(today: datetime.date) -> dict[int, set[int]]:
    """{group: children whose kept status is not the live one today (or has no row, or should have none)}."""
    columns = ["group_id", *children_kept.FIELDS]
    live = {
        row.pop("pk"): {"group_id": row.pop("kept_group"), **row}
        for row in children_kept.child_status_live(Child.objects.all(), today).values(
            "pk", "kept_group", *children_kept.FIELDS
        )
    }
    rows = {row.pop("child_id"): row for row in ChildStatus.objects.values("child_id", *columns)}
    found: dict[int, set[int]] = {}
    for child_id in live.keys() | rows.keys():
        now, was = live.get(child_id), rows.get(child_id)
        if now != was:
            for row in (now, was):
                if row is not None:
                    found.setdefault(row["group_id"], set()).add(child_id)
    return found


def assert_kept_equals_live(today, history):
    assert month_differences(today) == {}, history
    assert child_differences(today) == {}, history
    assert not GroupMonthFigures.objects.filter(stale=True).exists(), history
    states = KeptState.objects.all()
    assert len(states) == BkbGroup.objects.count()
    assert all(state.children_current(today) for state in states), history
    assert not any(state.queued for state in states)


def start(rng, world) -> Writer:
    writer = Writer(rng, world)
    writer.build()
    # Every group's rows for the kept months and its children, current before the writes.
    kept.nightly(writer.today)
    assert_kept_equals_live(writer.today, ["before the writes"])
    return writer


@pytest.mark.parametrize("seed", SEEDS)
def test_kept_figures_equal_live_after_random_writes(world, seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    writer = start(rng, world)
    before = {(row.group_id, row.month): row.counts() for row in GroupMonthFigures.objects.all()}
    for sequence in range(1, SEQUENCES + 1):
        while len(writer.done) < sequence * WRITES:
            # One write a commit, or a burst of a few before the worker runs.
            with django_capture_on_commit_callbacks(execute=True):
                for _ in range(rng.choice([1, 1, 1, 2, 3])):
                    writer.run()
            # After every commit, the months most writes fall in: nothing left stale, queued or untrue.
            assert not GroupMonthFigures.objects.filter(stale=True).exists(), writer.done
            assert not KeptState.objects.filter(queued=True).exists(), writer.done
            assert month_differences(writer.today, window(writer.today)) == {}, writer.done
            assert child_differences(writer.today) == {}, writer.done
        assert_kept_equals_live(writer.today, writer.done)
    # The writes did change figures (most were accepted, not refused), and the rows followed.
    accepted = [what for what in writer.done if "refused" not in what and "nothing" not in what]
    assert len(accepted) >= len(writer.done) // 2, writer.done
    after = {(row.group_id, row.month): row.counts() for row in GroupMonthFigures.objects.all()}
    assert sum(after[key] != before[key] for key in before) >= 3, writer.done
    # verify_figures' comparison finds the same: nothing.
    for area in (world["kab"], world["desa_x"]):
        found = verify.compare(BkbGroup.objects.in_area(area), Month.of(writer.today), writer.today)
        assert found.ok and not found.month_differences and not found.child_differences, found


@pytest.mark.parametrize("seed", SEEDS)
def test_with_the_worker_down_every_changed_row_says_it_is_stale(world, seed):
    # No on_commit callback runs in this test: no refresh, as when the worker is down.
    rng = random.Random(seed)
    writer = start(rng, world)
    today, caught_up = writer.today, 0
    for written in range(1, SEQUENCES * WRITES + 1):
        writer.run()
        # Every row that differs from live says it is stale (all months after a sequence, else the window).
        months = None if written % WRITES == 0 else window(today)
        assert month_differences(today, months, skip_stale=True) == {}, writer.done
        current = {state.group_id for state in KeptState.objects.all() if state.children_current(today)}
        assert not set(child_differences(today)) & current, writer.done
        if written % 3 == 0:
            # The worker catches up now and then, so later writes find rows that are not stale yet.
            caught_up += GroupMonthFigures.objects.filter(stale=True).count()
            kept.figures_refresh.call(list(BkbGroup.objects.values_list("pk", flat=True)))
            assert not GroupMonthFigures.objects.filter(stale=True).exists()
    assert caught_up, writer.done  # the writes did mark rows
    kept.figures_refresh.call(list(BkbGroup.objects.values_list("pk", flat=True)))
    assert_kept_equals_live(today, writer.done)


def test_a_rolled_back_or_refused_write_marks_nothing(world, django_capture_on_commit_callbacks):
    writer = start(random.Random(7), world)
    today = writer.today
    session = CoachingSession(group=world["group_a"], topic=writer.topic, date=today, age_groups=[0])
    with django_capture_on_commit_callbacks(execute=True):
        session_services.session_save(session=session, cadres={}, attendance=[], user=None)
    child = Child.objects.in_programme_on(today).order_by("pk").first()

    def marks():
        return (
            list(GroupMonthFigures.objects.order_by("pk").values_list("pk", "stale", "version")),
            list(KeptState.objects.order_by("pk").values_list("pk", "version", "queued")),
        )

    before = marks()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            assert "refused" not in writer.measurement()
            assert "refused" not in writer.family()
            assert "refused" not in writer.kka_check()
            assert GroupMonthFigures.objects.filter(stale=True).exists()  # marked inside the transaction...
            raise RuntimeError("the request failed after its writes")
        # A session on the day and age groups of another: refused, whole.
        twin = CoachingSession(group=session.group, topic=writer.topic, date=session.date, age_groups=[0])
        with pytest.raises(ValidationError):
            session_services.session_save(session=twin, cadres={}, attendance=[], user=None)
        # A measurement in the future: refused before it writes.
        with pytest.raises(ValidationError):
            measurement_record(
                child=child, date=today + datetime.timedelta(days=3), weight_kg="9", height_cm="75", position="lying"
            )
    assert callbacks == []  # ...and nothing queued after it
    assert marks() == before
    assert_kept_equals_live(today, ["rolled back"])
