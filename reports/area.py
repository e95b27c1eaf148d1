"""An area view's rows (recap, dashboard table, 12-month trend), read from the kept rows.

What a group's month shows (its standing report, else the live count) is
reports.shown's rule; reports.kept keeps it per group and month.

Totals add the group rows, except the cadre figures: a cadre serving two
groups is one person in an area total, so those count people across the
area from the role history (`figures.distinct_cadre_counts`).
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from bkb.lib.db import one_snapshot
from bkb.lib.months import Month
from groups.models import Area, BkbGroup
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
    return _read_group_months(groups, months, only=only)


def _read_group_months(groups: QuerySet, months: list[Month], *, only: list[str] | None = None):
    result: dict[Month, dict[int, GroupMonth]] = {month: {} for month in months}
    for row in kept.rows(groups, months, only=only):
        counts = {**figures.empty_counts(), **{key: getattr(row, key) for key in (only or figures.FIGURE_KEYS)}}
        result[Month.of(row.month)][row.group_id] = GroupMonth(counts, row.report, row.computed_at, row.stale)
    return result


def area_figures(groups: QuerySet, month: Month) -> tuple[list[AreaRow], figures.MonthFigures]:
    """One month's rows and totals, added up here from the rows (the recap page sums them in the database)."""
    return area_months(groups, [month])[month]


# --- The recap --------------------------------------------------------------------------

# The counts the recap's table shows, with the denominators of its shares.
RECAP_COUNTS = [
    "cadres_active", "cadres_trained", "families_members", "children_total", "sessions_held",
    "families_present", "kka_checked", "kka_terhutang", "kka_rujukan", "measured", "measured_scored",
    "stunted", "underweight", "wasted", "families_pus", "families_kb",
]  # fmt: skip
# A group's kecamatan: the parent of its desa.
KECAMATAN = "desa__parent"
CADRE_KEYS = [key for key, pop in figures.FIGURE_POPULATION.items() if pop.key == "cadres"]


def by_kecamatan(area: Area) -> bool:
    """Above kecamatan level (a kabupaten has about a thousand groups) a recap shows a row per kecamatan."""
    return area.level < Area.Level.KECAMATAN


@dataclass
class KecamatanRow:
    """A kecamatan's line in a recap: its groups' rows summed, its cadres counted once within it."""

    area: Area
    figures: figures.MonthFigures
    groups: int
    reported: int
    freshness: kept.Freshness

    @property
    def live(self) -> int:
        return self.groups - self.reported


@dataclass
class Recap:
    area: Area
    month: Month
    totals: figures.MonthFigures
    groups: int
    freshness: kept.Freshness
    # A row per group, at kecamatan level and below.
    rows: list[AreaRow]
    # A row per kecamatan, above kecamatan level.
    kecamatans: list[KecamatanRow]
    # Above kecamatan level, when asked for (the PDF): each kecamatan with its group rows.
    sections: list[tuple[KecamatanRow, list[AreaRow]]]

    @property
    def by_kecamatan(self) -> bool:
        return by_kecamatan(self.area)

    @property
    def across_kabupaten(self) -> bool:
        """A province's recap: its kecamatan rows say which kabupaten they are in."""
        return self.area.level < Area.Level.KABUPATEN


def recap(area: Area, groups: QuerySet, month: Month, *, sections: bool = False, every_figure: bool = False) -> Recap:
    """The recap of `groups` (the area's) for `month`, from the kept rows.

    The totals are summed in the database, the cadres counted once per
    person. At kecamatan level and below a row per group; above it a row per
    kecamatan (summed in the database by the group's desa's parent) and, with
    `sections`, each kecamatan's group rows (the PDF). Read in one snapshot,
    so the rows add up to the totals even while the worker refreshes them.

    Queries: `kept.ensure` (two when the rows are current), the totals and
    the area's cadres; per group the rows and the groups; per kecamatan the
    sums, their cadres and the kecamatans. The same for 5 groups or 1,000.
    """
    kept.ensure(groups, [month])
    summarise = by_kecamatan(area)
    with one_snapshot():
        total = kept.sums(groups, month, only=None if every_figure else RECAP_COUNTS)[None]
        cadres = figures.distinct_cadre_counts(groups, [month])[month]
        kecamatans = _kecamatan_rows(groups, month) if summarise else []
        rows = _group_rows(groups, month) if sections or not summarise else []
    parts = []
    if summarise and sections:
        by_parent: dict[int, list[AreaRow]] = {}
        for row in rows:
            by_parent.setdefault(row.group.desa.parent_id, []).append(row)
        parts = [(kecamatan, by_parent.get(kecamatan.area.pk, [])) for kecamatan in kecamatans]
        rows = []  # held once, in the sections
    return Recap(
        area=area,
        month=month,
        totals=counted_once(total.counts, cadres),
        groups=total.groups,
        freshness=total.freshness,
        rows=rows,
        kecamatans=kecamatans,
        sections=parts,
    )


def counted_once(summed: dict[str, int], cadres: dict[str, int]) -> figures.MonthFigures:
    """An area's figures from its group rows summed and its cadres counted once per person
    (figures.distinct_cadre_counts): the recap's and the dashboard's totals and kecamatan rows."""
    # A place without any cadre role has no row in the cadre count: none, not the summed group rows.
    return figures.MonthFigures(
        {**figures.empty_counts(), **summed, **dict.fromkeys(CADRE_KEYS, 0), **cadres}, cadres_counted_once=True
    )


def _group_rows(groups: QuerySet, month: Month) -> list[AreaRow]:
    by_group = _read_group_months(groups, [month], only=RECAP_COUNTS)[month]
    return [AreaRow(group, by_group[group.pk]) for group in ordered_groups(groups) if group.pk in by_group]


def _kecamatan_rows(groups: QuerySet, month: Month) -> list[KecamatanRow]:
    summed = kept.sums(groups, month, by=KECAMATAN, only=RECAP_COUNTS)
    cadres = figures.distinct_cadre_counts_by(groups, [month], KECAMATAN)[month]
    kecamatans = Area.objects.filter(pk__in=list(summed)).select_related("parent").order_by("parent__name", "name")
    return [
        KecamatanRow(
            kecamatan,
            counted_once(summed[kecamatan.pk].counts, cadres.get(kecamatan.pk, {})),
            summed[kecamatan.pk].groups,
            summed[kecamatan.pk].reported,
            summed[kecamatan.pk].freshness,
        )
        for kecamatan in kecamatans
    ]
