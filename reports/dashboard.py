"""The supervisor dashboard: headline indicators per group, lagging ones marked, and
the area's 12-month trend. Both read reports.area, the same rule as the recap."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bkb.lib.months import Month
from reports import area, figures
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


@dataclass
class DashboardRow:
    group: object
    figures: figures.MonthFigures
    values: list
    report: MonthlyReport | None
    no_session: bool
    source: str

    @property
    def report_status(self) -> str:
        return self.report.status if self.report else "missing"


def _rows(area_rows: list[area.AreaRow], sort: str) -> list[DashboardRow]:
    rows = [
        DashboardRow(
            row.group,
            row.figures,
            [indicator.cell(row.figures) for indicator in INDICATORS],
            row.report,
            row.figures["sessions_held"] == 0,
            row.source,
        )
        for row in area_rows
    ]
    keys = [indicator.key for indicator in INDICATORS]
    descending = sort.startswith("-")
    if sort.lstrip("-") in keys:
        index = keys.index(sort.lstrip("-"))
        # Missing values sort last whichever way.
        present = [r for r in rows if r.values[index]["value"] is not None]
        missing = [r for r in rows if r.values[index]["value"] is None]
        present.sort(key=lambda r: r.values[index]["value"], reverse=descending)
        rows = present + missing
    return rows


def _series(by_month: dict) -> list:
    return [
        (indicator, [(month.label, indicator.value(totals)) for month, (_rows, totals) in by_month.items()])
        for indicator in INDICATORS
    ]


def dashboard_data(groups, month: Month, *, sort: str = "", months: int = 12):
    """The table for `month` (rows and total cells) and the trend of the `months` up to it.

    One read of the area (reports.area.area_months) for all months, so the
    table, the trend and the recap show the same numbers.
    """
    shown = [month.back(back) for back in range(months - 1, -1, -1)]
    by_month = area.area_months(groups, shown, only=INDICATOR_COUNTS)
    area_rows, totals = by_month[month]
    total_values = [indicator.cell(totals, mark_lag=False) for indicator in INDICATORS]
    return _rows(area_rows, sort), total_values, _series(by_month)


def trend_series(groups, month: Month, months: int = 12):
    """Area totals per indicator over the last `months` months (oldest first)."""
    shown = [month.back(back) for back in range(months - 1, -1, -1)]
    return _series(area.area_months(groups, shown, only=INDICATOR_COUNTS))
