"""Proof that the kept figures are the live ones: compare the two, row by row.

The kept rows (reports.models.GroupMonthFigures, sessions.models.ChildStatus)
are written from the one live computation (reports.shown.live_group_months,
sessions.kept.child_status_live); this recomputes it now and says where a
kept value differs. A row that says it is stale may differ (a refresh is on
its way); one that does not, or a row that is missing, is a fault. Used by
the verify_figures command and the tests that prove the kept figures true.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from bkb.lib.months import Month
from families.models import Child
from reports import figures
from reports.models import GroupMonthFigures
from reports.shown import live_group_months
from sessions import kept as children_kept
from sessions.models import ChildStatus, KeptState


@dataclass(frozen=True)
class Difference:
    """One kept value that is not the live one. `where` is "2026-10" for a month row,
    "child 12" for a child's status; `key` the figure or column."""

    group_id: int
    where: str
    key: str
    kept: object
    live: object
    stale: bool


@dataclass
class Comparison:
    groups: int = 0
    rows: int = 0  # month rows compared
    stale_rows: int = 0
    missing_rows: list[int] = field(default_factory=list)  # groups without a kept row for the month
    month_differences: list[Difference] = field(default_factory=list)
    children: int = 0  # children's status rows compared
    stale_groups: list[int] = field(default_factory=list)  # groups whose children's rows are not current
    # Key "row": a child in the programme without a kept row (kept False, live True), or a
    # kept row for a child no longer in it (kept True, live False).
    child_differences: list[Difference] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Difference]:
        """Differences in rows that do not say they are stale: faults."""
        return [d for d in (*self.month_differences, *self.child_differences) if not d.stale]

    @property
    def stale_differences(self) -> list[Difference]:
        """Differences in rows that say they are stale: a refresh is on its way."""
        return [d for d in (*self.month_differences, *self.child_differences) if d.stale]

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.missing_rows)


def compare(groups: QuerySet, month: Month, on: datetime.date) -> Comparison:
    """Compare the kept rows of `groups` with a live computation: `month`'s figures and the
    children's status on `on`. A fixed number of queries whatever the number of groups."""
    group_ids = sorted(groups.order_by().values_list("pk", flat=True))
    result = Comparison(groups=len(group_ids))
    _compare_month(result, groups, group_ids, month)
    _compare_children(result, group_ids, on)
    return result


def _compare_month(result: Comparison, groups: QuerySet, group_ids: list[int], month: Month) -> None:
    live = live_group_months(groups, [month], group_ids=group_ids)[month]
    kept = {
        row["group_id"]: row
        for row in GroupMonthFigures.objects.filter(group_id__in=group_ids, month=month.first).values(
            "group_id", "source", "report_id", "stale", *figures.FIGURE_KEYS
        )
    }
    for group_id in group_ids:
        row = kept.get(group_id)
        if row is None:
            result.missing_rows.append(group_id)
            continue
        result.rows += 1
        result.stale_rows += row["stale"]
        shown = live[group_id]
        now = {"source": shown.source, "report": shown.report.pk if shown.report else None}
        now.update({key: shown.counts.get(key, 0) for key in figures.FIGURE_KEYS})
        was = {"source": row["source"], "report": row["report_id"], **{key: row[key] for key in figures.FIGURE_KEYS}}
        result.month_differences.extend(
            Difference(group_id, str(month), key, was[key], now[key], row["stale"])
            for key in now
            if was[key] != now[key]
        )


def _compare_children(result: Comparison, group_ids: list[int], on: datetime.date) -> None:
    columns = ["group_id", *children_kept.FIELDS]
    live = {
        row.pop("pk"): {"group_id": row.pop("kept_group"), **row}
        for row in children_kept.child_status_live(Child.objects.filter(family__group_id__in=group_ids), on).values(
            "pk", "kept_group", *children_kept.FIELDS
        )
    }
    kept = {
        row.pop("child_id"): row
        for row in ChildStatus.objects.filter(group_id__in=group_ids).values("child_id", *columns)
    }
    current = {
        state.group_id for state in KeptState.objects.filter(group_id__in=group_ids) if state.children_current(on)
    }
    # A group without a state has never had its children's rows written: stale too.
    result.stale_groups = sorted(set(group_ids) - current)
    for child_id in sorted(live.keys() | kept.keys()):
        now, was = live.get(child_id), kept.get(child_id)
        groups = {row["group_id"] for row in (now, was) if row is not None}
        stale = not groups <= current
        group_id = (now or was)["group_id"]
        if was is None or now is None:
            result.child_differences.append(
                Difference(group_id, f"child {child_id}", "row", was is not None, now is not None, stale)
            )
            continue
        result.children += 1
        result.child_differences.extend(
            Difference(group_id, f"child {child_id}", key, was[key], now[key], stale)
            for key in columns
            if was[key] != now[key]
        )
