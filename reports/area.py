"""An area view's rows (recap, dashboard table, 12-month trend), read from the kept rows.

What a group's month shows (its standing report, else the live count) is
reports.shown's rule; reports.kept keeps it per group and month.

Totals add the group rows, except the cadre figures: a cadre serving two
groups is one person in an area total, so those count people across the
area from the role history (`figures.distinct_cadre_counts`).
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import figures, kept
from reports.models import MonthlyReport
from reports.shown import GroupMonth


def ordered_groups(groups: QuerySet) -> list[BkbGroup]:
    return list(groups.select_related("desa__parent").order_by("desa__parent__name", "desa__name", "name"))


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
