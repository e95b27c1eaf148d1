"""Completeness and timeliness of an area over 12 months (issue 14): per group, the months with a
session and each month's report on time, late, missing or not yet due, with the group's totals;
the dashboard shows them as a grid (month x group).

No rule is defined here a second time:
- a session held: the kept figures' "sessions_held" (reports.kept, reports.shown's rule: a
  standing report's count for its month, else the live count);
- the report: its current version (MonthlyReport.objects.current()), late as it was marked when
  sent (MonthlyReport.is_late, reports.services.sent_late); none sent is missing once the due date
  (Month.due, the 3rd of the next month) has passed (sent_late of today), not yet due until then.
  A returned then corrected report counts by the correction, the version that stands.

Its own module: reports.services imports the tasks, which import reports.area.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from bkb.lib.db import one_snapshot
from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import kept
from reports.area import ordered_groups
from reports.models import MonthlyReport
from reports.services import sent_late


class ReportState:
    """A month's report as the completeness grid shows it, from its current version
    (MonthlyReport.objects.current()): sent on time or late (MonthlyReport.is_late, set by
    reports.services.sent_late when the version was sent), or not sent: missing once its due
    date (Month.due) has passed, not yet due until then."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_DUE = "not_due"


@dataclass(frozen=True)
class CompletenessCell:
    month: Month
    # The kept figures' "sessions_held" (reports.shown's rule: the standing report's count, else the live one).
    session: bool
    report: str  # a ReportState value
    # The current version's status (submitted, verified, returned), None when none was sent.
    status: str | None = None


@dataclass
class GroupCompleteness:
    group: BkbGroup
    cells: list[CompletenessCell]

    def _count(self, state: str) -> int:
        return sum(cell.report == state for cell in self.cells)

    @property
    def sessions(self) -> int:
        """Months with a session."""
        return sum(cell.session for cell in self.cells)

    @property
    def on_time(self) -> int:
        return self._count(ReportState.ON_TIME)

    @property
    def late(self) -> int:
        return self._count(ReportState.LATE)

    @property
    def missing(self) -> int:
        return self._count(ReportState.MISSING)

    @property
    def not_due(self) -> int:
        return self._count(ReportState.NOT_DUE)


def report_state(month: Month, is_late: bool | None, today: datetime.date) -> str:
    """The grid's state of `month`'s report: is_late of its current version, None when none was sent."""
    if is_late is None:
        return ReportState.MISSING if sent_late(month, today) else ReportState.NOT_DUE
    return ReportState.LATE if is_late else ReportState.ON_TIME


def completeness(
    groups: QuerySet, *, last_month: Month, months: int = 12, today: datetime.date | None = None
) -> list[GroupCompleteness]:
    """Per group of `groups` (by kecamatan, desa, name), the `months` months ending at `last_month`
    (oldest first): whether a session was held and the report's state, with the group's totals.

    Sessions are the kept figures' "sessions_held"; reports the current versions. Queries: the
    groups, `kept.ensure` (two when the rows are current), the kept rows' session counts and the
    current reports' lateness, each one query for every group and month: the same for 2 groups
    or 60. The caller bounds the groups (the dashboard shows the grid up to GRID_MAX_GROUPS).
    """
    today = today or timezone.localdate()
    shown = [last_month.back(back) for back in range(months - 1, -1, -1)]
    listed = ordered_groups(groups)
    kept.ensure(groups, shown)
    firsts = [month.first for month in shown]
    with one_snapshot():
        held = {
            (group_id, first)
            for group_id, first in kept.rows(groups, shown, only=["sessions_held"])
            .filter(sessions_held__gt=0)
            .values_list("group_id", "month")
        }
        sent = {
            (group_id, first): (is_late, status)
            for group_id, first, is_late, status in MonthlyReport.objects.current()
            .filter(group__in=groups.values("pk"), month__in=firsts)
            .values_list("group_id", "month", "is_late", "status")
        }

    def cell(group: BkbGroup, month: Month) -> CompletenessCell:
        is_late, status = sent.get((group.pk, month.first), (None, None))
        return CompletenessCell(month, (group.pk, month.first) in held, report_state(month, is_late, today), status)

    return [GroupCompleteness(group, [cell(group, month) for month in shown]) for group in listed]
