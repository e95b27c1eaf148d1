"""What an area view shows for a group's month, computed now: the one rule.

A group's month shows the figures frozen in its current submitted report
where there is one, and the live count where there is none. A report
returned for correction is not an official figure, so that month is counted
live until a corrected version is sent. Every row says which it shows
(`GroupMonth.source`).

reports.kept writes these into the kept rows; the pages read those
(reports.area), and verify_figures compares the two.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import JSONObject

from bkb.lib.months import Month
from reports import figures
from reports.models import MonthlyReport

REPORT = "report"
LIVE = "live"


@dataclass(frozen=True)
class GroupMonth:
    """One group's month as an area view shows it, and where its numbers come from.

    `report` is the month's current report whatever its status (the
    dashboard shows it); its figures are shown only if it stands. Read from
    the kept rows, `computed_at` says when they were counted and `stale`
    that a write has changed them since.
    """

    counts: dict[str, int]
    report: MonthlyReport | None = None
    computed_at: datetime.datetime | None = None
    stale: bool = False

    @property
    def source(self) -> str:
        return REPORT if stands(self.report) else LIVE

    @property
    def figures(self) -> figures.MonthFigures:
        return figures.MonthFigures(self.counts)


def stands(report: MonthlyReport | None) -> bool:
    """A current report stands for its month unless it was returned for correction."""
    return report is not None and report.status != MonthlyReport.Status.RETURNED


def live_group_months(
    groups: QuerySet, months: list[Month], *, group_ids=None, only: list[str] | None = None
) -> dict[Month, dict[int, GroupMonth]]:
    """{month: {group id: GroupMonth}} for every group of `groups` and every month, computed now.

    The one computation of what an area view shows; pages read it from the
    kept rows it writes (reports.kept), verify_figures compares the two.

    Queries: the group ids (unless given), the current reports of all months
    with their frozen counts, and one count (figures.counts) per month for
    the groups without a standing report: a number that depends on the
    months asked for, not on the groups. With `only`, just those counts are
    read from the reports (the others read 0 there): a year of a
    kabupaten's reports is then a small read.
    """
    if group_ids is None:
        group_ids = list(groups.order_by().values_list("pk", flat=True))
    frozen = KeyTransform("counts", "snapshot")
    if only is not None:
        frozen = JSONObject(**{key: KeyTransform(key, KeyTransform("counts", "snapshot")) for key in only})
    reports = (
        MonthlyReport.objects.current()
        .filter(group__in=groups.values("pk"), month__in=[month.first for month in months])
        .defer("snapshot")
        .annotate(frozen=frozen)
        .order_by()
    )
    current: dict[Month, dict[int, MonthlyReport]] = {month: {} for month in months}
    for report in reports:
        current[Month.of(report.month)][report.group_id] = report
    result: dict[Month, dict[int, GroupMonth]] = {}
    for month in months:
        found = {
            group_id: GroupMonth(figures.frozen_counts(_present(report.frozen)), report)
            for group_id, report in current[month].items()
            if stands(report)
        }
        if len(found) < len(group_ids):
            live = figures.counts(groups.exclude(pk__in=list(found)), month)
            for group_id in group_ids:
                if group_id not in found:
                    counts = {**figures.empty_counts(), **live.get(group_id, {})}
                    found[group_id] = GroupMonth(counts, current[month].get(group_id))
        result[month] = found
    return result


def _present(counts: dict | None) -> dict[str, int]:
    # A count a report was frozen without comes back null from the JSON read.
    return {key: value for key, value in (counts or {}).items() if value is not None}
