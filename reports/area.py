"""What an area view (recap, dashboard table, 12-month trend) shows for each group's month.

The one rule: a group's month shows the figures frozen in its current
submitted report where there is one, and the live count where there is
none. A report returned for correction is not an official figure, so that
month is counted live until a corrected version is sent. Every row says
which it shows (`GroupMonth.source`).

Totals add the group rows, except the cadre figures: a cadre serving two
groups is one person in an area total, so those count people across the
area from the role history (`figures.distinct_cadre_counts`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import JSONObject

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import figures, kept
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


def ordered_groups(groups: QuerySet) -> list[BkbGroup]:
    return list(groups.select_related("desa__parent").order_by("desa__parent__name", "desa__name", "name"))


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


def totals(by_group: dict[int, GroupMonth], cadres: dict[str, int]) -> figures.MonthFigures:
    """The area's totals row: the sum of the group rows, with the cadres counted once per person."""
    summed = figures.empty_counts()
    for found in by_group.values():
        for key, value in found.counts.items():
            summed[key] = summed.get(key, 0) + value
    summed.update(cadres)
    return figures.MonthFigures(summed, cadres_counted_once=True)


@dataclass
class AreaRow:
    group: BkbGroup
    month: GroupMonth

    @property
    def figures(self) -> figures.MonthFigures:
        return self.month.figures

    @property
    def source(self) -> str:
        return self.month.source

    @property
    def report(self) -> MonthlyReport | None:
        return self.month.report


def area_months(
    groups: QuerySet, months: list[Month], *, only: list[str] | None = None
) -> dict[Month, tuple[list[AreaRow], figures.MonthFigures]]:
    """Per month, a row per group (by kecamatan, desa, name) and the totals.

    The recap, the dashboard table and its trend all read this, so they
    agree cell by cell. Queries: the groups, the reports, one count per
    month, and the area's cadres for all months.
    """
    listed = ordered_groups(groups)
    by_month = group_months(groups, months, only=only)
    cadres = figures.distinct_cadre_counts(groups, months)
    return {
        month: (
            [AreaRow(group, by_month[month][group.pk]) for group in listed if group.pk in by_month[month]],
            totals(by_month[month], cadres[month]),
        )
        for month in months
    }


def group_months(groups: QuerySet, months: list[Month], *, only: list[str] | None = None):
    """{month: {group id: GroupMonth}} read from the kept rows (made current first where cheap)."""
    kept.ensure(groups, months)
    result: dict[Month, dict[int, GroupMonth]] = {month: {} for month in months}
    for row in kept.rows(groups, months, only=only):
        counts = {**figures.empty_counts(), **{key: getattr(row, key) for key in (only or figures.FIGURE_KEYS)}}
        result[Month.of(row.month)][row.group_id] = GroupMonth(counts, row.report, row.computed_at, row.stale)
    return result


def freshness(by_month: dict[Month, tuple[list[AreaRow], figures.MonthFigures]]) -> kept.Freshness:
    """When the rows shown were computed (the oldest), and how many are waiting for a refresh."""
    months = [row.month for rows, _totals in by_month.values() for row in rows]
    times = [month.computed_at for month in months if month.computed_at]
    return kept.Freshness(min(times) if times else None, sum(1 for month in months if month.stale))


def area_figures(groups: QuerySet, month: Month) -> tuple[list[AreaRow], figures.MonthFigures]:
    """One month's rows and totals: the recap."""
    return area_months(groups, [month])[month]
