"""The supervisor dashboard: headline indicators per group (or per kecamatan above it),
lagging ones marked, and the area's 12-month trend.

Everything is read from the kept rows (reports.kept), which hold reports.shown's
rule (a standing report's figures, else the live count), so the dashboard and
the recap agree. The database adds the rows up: the trend is one query over
the typed columns for all months, the area's cadres one more; a kabupaten's
table is one grouped query (a row per kecamatan, as the recap), a kecamatan's
one page of its groups. None of it grows with the number of groups.
"""

import math
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Q
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext_lazy as _

from bkb.lib.db import one_snapshot
from bkb.lib.months import Month
from groups.models import Area
from reports import area as areas
from reports import figures, kept
from reports.models import MonthlyReport


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    # A group "lags" when the value is below `low` (or above `high`).
    low: float | None = None
    high: float | None = None
    # The MonthFigures ratio a percentage comes from, printed with it.
    ratio: str = ""
    # Read from the cadre figures: an area total counts each cadre once, marked "*".
    of_cadres: bool = False

    def value(self, f: figures.MonthFigures):
        return getattr(f, self.key) if hasattr(f, self.key) else f[self.key]

    def lags(self, value) -> bool:
        if value is None:
            return False
        return (self.low is not None and value < self.low) or (self.high is not None and value > self.high)

    def cell(self, f: figures.MonthFigures, *, mark_lag: bool = True) -> dict:
        value = self.value(f)
        return {
            "value": value,
            "lags": mark_lag and self.lags(value),
            "key": self.key,
            "ratio": getattr(f, self.ratio) if self.ratio else None,
            "counted_once": self.of_cadres and f.cadres_counted_once,
        }


# Thresholds: the national 2023 figures were 64.3% for both attendance and
# KKA checks, so a group under half of its members is clearly behind; a
# stunting share above 20% is WHO's "high" public-health level.
INDICATORS = [
    Indicator("sessions_held", _("Pertemuan"), "", low=1),
    Indicator("attendance_pct", _("% keluarga hadir"), "%", low=50, ratio="attendance_ratio"),
    Indicator("kka_checked_pct", _("% anak dipantau KKA"), "%", low=50, ratio="kka_checked_ratio"),
    Indicator("kka_rujukan_unreferred", _("Perlu rujukan"), "", high=0),
    Indicator("stunted_pct", _("% stunting (dari yang diukur)"), "%", high=20, ratio="stunted_ratio"),
    Indicator("trained_pct", _("% kader terlatih"), "%", low=50, ratio="trained_ratio", of_cadres=True),
]

# The counts the indicators read (with their ratios): all a submitted report
# needs to give the dashboard and its trend.
INDICATOR_COUNTS = [
    "sessions_held", "families_present", "families_members", "kka_checked", "children_total",
    "kka_rujukan_unreferred", "stunted", "measured", "measured_scored", "cadres_trained", "cadres_active",
]  # fmt: skip


# A kecamatan or desa lists its groups this many to a page.
PAGE_SIZE = 100

# The 12-month completeness grid (reports.area.completeness) is shown for an area of at most this
# many groups, else a line asks for a smaller one. A grid is read by eye, a row per group: 60 rows of
# 12 months is a kecamatan's worth (about 720 cells), and what a supervisor follows up group by group;
# a kabupaten's thousand rows would be a long page nobody reads (and 12,000 cells), while its
# kecamatan rows above already say where reports are missing. Paging the grid was the other choice;
# it would page apart from the table above (sorted by an indicator), so one area's pages would not line up.
GRID_MAX_GROUPS = 60


@dataclass
class DashboardRow:
    """One group's month in the table."""

    group: object
    figures: figures.MonthFigures
    values: list
    report: MonthlyReport | None
    no_session: bool
    source: str
    stale: bool = False

    @property
    def report_status(self) -> str:
        return self.report.status if self.report else "missing"


@dataclass
class KecamatanRow:
    """A kecamatan's line above kecamatan level: its groups' rows summed, its cadres counted once."""

    area: Area
    figures: figures.MonthFigures
    values: list
    groups: int
    no_session: int
    reports: dict[str, int]
    stale: int = 0


@dataclass
class Dashboard:
    rows: list
    totals: list
    series: list
    freshness: kept.Freshness
    groups: int
    # Above kecamatan level the rows are kecamatans (KecamatanRow), else groups (DashboardRow).
    by_kecamatan: bool = False
    # A province's kecamatan rows say which kabupaten they are in.
    across_kabupaten: bool = False
    page: int = 1
    pages: int = 1

    @property
    def paged(self) -> bool:
        return self.pages > 1

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)


def _months(month: Month, months: int) -> list[Month]:
    return [month.back(back) for back in range(months - 1, -1, -1)]


def _figures(counts: dict, *, counted_once: bool = False) -> figures.MonthFigures:
    return figures.MonthFigures({**figures.empty_counts(), **counts}, cadres_counted_once=counted_once)


def area_totals(groups, months: list[Month]) -> dict[Month, figures.MonthFigures]:
    """Per month, the area's totals: the kept columns summed in one query, the cadres counted once
    per person in another. Read after kept.ensure."""
    sums = kept.totals_by_month(groups, months, only=INDICATOR_COUNTS)
    cadres = figures.distinct_cadre_counts(groups, months, only=INDICATOR_COUNTS)
    return {month: areas.counted_once(sums[month], cadres[month]) for month in months}


def _series(by_month: dict[Month, figures.MonthFigures]) -> list:
    return [
        (indicator, [(month.label, indicator.value(totals)) for month, totals in by_month.items()])
        for indicator in INDICATORS
    ]


def trend_series(groups, month: Month, months: int = 12):
    """Area totals per indicator over the last `months` months (oldest first)."""
    shown = _months(month, months)
    kept.ensure(groups, shown)
    return _series(area_totals(groups, shown))


def _sorted(rows: list, sort: str) -> list:
    """Rows sorted by an indicator's value (missing values last whichever way), else as given.

    The kecamatan rows are sorted here, a few dozen; a page of groups in the database (_group_order)."""
    keys = [indicator.key for indicator in INDICATORS]
    if sort.lstrip("-") not in keys:
        return rows
    index = keys.index(sort.lstrip("-"))
    present = [r for r in rows if r.values[index]["value"] is not None]
    missing = [r for r in rows if r.values[index]["value"] is None]
    present.sort(key=lambda r: r.values[index]["value"], reverse=sort.startswith("-"))
    return present + missing


def _sort_expression(indicator: Indicator):
    """The indicator's value in SQL, for ordering a page of groups in the database.

    A share is ordered by its exact fraction (the page prints it rounded); no
    whole gives NULL, which sorts last like the missing value it prints.
    """
    if not indicator.ratio:
        return F(indicator.key)
    share = getattr(_figures({}), indicator.ratio)
    return Cast(share.part_key, FloatField()) / NullIf(F(share.whole_key), 0)


def _group_order(sort: str) -> list:
    order = []
    by_key = {indicator.key: indicator for indicator in INDICATORS}
    indicator = by_key.get(sort.lstrip("-"))
    if indicator is not None:
        expression = _sort_expression(indicator)
        order.append(expression.desc(nulls_last=True) if sort.startswith("-") else expression.asc(nulls_last=True))
    return [*order, "group__desa__parent__name", "group__desa__name", "group__name", "group_id"]


def group_rows(groups, month: Month, *, sort: str = "", start: int = 0, size: int = PAGE_SIZE) -> list[DashboardRow]:
    """One page of the groups' rows for `month`, sorted in the database: one query."""
    found = (
        kept.rows(groups, [month], only=INDICATOR_COUNTS)
        .select_related("group__desa")
        .order_by(*_group_order(sort))[start : start + size]
    )
    rows = []
    for row in found:
        month_figures = _figures({key: getattr(row, key) for key in INDICATOR_COUNTS})
        rows.append(
            DashboardRow(
                row.group,
                month_figures,
                [indicator.cell(month_figures) for indicator in INDICATORS],
                row.report,
                month_figures["sessions_held"] == 0,
                row.source,
                row.stale,
            )
        )
    return rows


def kecamatan_rows(groups, month: Month, *, sort: str = "") -> list[KecamatanRow]:
    """A row per kecamatan of `groups`, each the sum of its groups' kept rows with its cadres
    counted once within it: three queries (the sums, the cadres, the kecamatans), any number of groups."""
    statuses = MonthlyReport.Status
    summed = kept.sums(
        groups,
        month,
        by=areas.KECAMATAN,
        only=INDICATOR_COUNTS,
        extra={
            "no_session": Count("pk", filter=Q(sessions_held=0)),
            **{status: Count("pk", filter=Q(report__status=status)) for status in statuses.values},
        },
    )
    cadres = figures.distinct_cadre_counts_by(groups, [month], areas.KECAMATAN, only=INDICATOR_COUNTS)[month]
    kecamatans = Area.objects.filter(pk__in=list(summed)).select_related("parent").order_by("parent__name", "name")
    rows = []
    for kecamatan in kecamatans:
        found = summed[kecamatan.pk]
        month_figures = areas.counted_once(found.counts, cadres.get(kecamatan.pk, {}))
        reports = {status: found.extra[status] for status in statuses.values}
        reports["missing"] = found.groups - sum(reports.values())
        rows.append(
            KecamatanRow(
                kecamatan,
                month_figures,
                [indicator.cell(month_figures) for indicator in INDICATORS],
                found.groups,
                found.extra["no_session"],
                reports,
                found.freshness.stale,
            )
        )
    return _sorted(rows, sort)


def dashboard(groups, area: Area, month: Month, *, sort: str = "", page: int = 1, months: int = 12) -> Dashboard:
    """The dashboard of `area` (its `groups`) for `month`: the table, the totals, the trend of the
    `months` up to it, and how current it all is.

    Above kecamatan level the table has a row per kecamatan (as the recap);
    at kecamatan and desa level a row per group, PAGE_SIZE to a page. Read in
    one snapshot, so the rows add up to the totals while the worker refreshes.
    """
    shown = _months(month, months)
    freshness = kept.ensure(groups, shown)
    summarise = areas.by_kecamatan(area)
    with one_snapshot():
        by_month = area_totals(groups, shown)
        if summarise:
            rows = kecamatan_rows(groups, month, sort=sort)
            count, pages = sum(row.groups for row in rows), 1
        else:
            count = groups.count()
            pages = max(1, math.ceil(count / PAGE_SIZE))
            page = min(max(page, 1), pages)
            rows = group_rows(groups, month, sort=sort, start=(page - 1) * PAGE_SIZE, size=PAGE_SIZE)
    totals = [indicator.cell(by_month[month], mark_lag=False) for indicator in INDICATORS]
    return Dashboard(
        rows,
        totals,
        _series(by_month),
        freshness,
        count,
        by_kecamatan=summarise,
        across_kabupaten=area.level < Area.Level.KABUPATEN,
        page=min(page, pages),
        pages=pages,
    )
