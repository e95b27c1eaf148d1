"""The supervisor dashboard: headline indicators per group, lagging ones marked."""

from dataclasses import dataclass

from django.db.models import Exists, IntegerField, OuterRef, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from reports import figures
from reports.models import MonthlyReport
from reports.periods import Month


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    # A group "lags" when the value is below `low` (or above `high`).
    low: float | None = None
    high: float | None = None

    def value(self, f: figures.MonthFigures):
        return getattr(f, self.key) if hasattr(f, self.key) else f[self.key]

    def lags(self, value) -> bool:
        if value is None:
            return False
        return (self.low is not None and value < self.low) or (self.high is not None and value > self.high)


# Thresholds: the national 2023 figures were 64.3% for both attendance and
# KKA checks, so a group under half of its members is clearly behind; a
# stunting share above 20% is WHO's "high" public-health level.
INDICATORS = [
    Indicator("sessions_held", _("Pertemuan"), "", low=1),
    Indicator("attendance_pct", _("% keluarga hadir"), "%", low=50),
    Indicator("kka_checked_pct", _("% anak dipantau KKA"), "%", low=50),
    Indicator("kka_rujukan_unreferred", _("Perlu rujukan"), "", high=0),
    Indicator("stunted_pct", _("% stunting (dari yang diukur)"), "%", high=20),
    Indicator("trained_pct", _("% kader terlatih"), "%", low=50),
]


@dataclass
class DashboardRow:
    group: object
    figures: figures.MonthFigures
    values: list
    report: MonthlyReport | None
    no_session: bool

    @property
    def report_status(self) -> str:
        return self.report.status if self.report else "missing"


def dashboard_rows(groups, month: Month, *, sort: str = ""):
    area_rows, totals = figures.area_figures(groups, month)
    reports = {
        report.group_id: report
        for report in MonthlyReport.objects.current().filter(group__in=groups.values("pk"), month=month.first)
    }
    rows = []
    for row in area_rows:
        values = []
        for indicator in INDICATORS:
            value = indicator.value(row.figures)
            values.append({"value": value, "lags": indicator.lags(value), "key": indicator.key})
        rows.append(
            DashboardRow(row.group, row.figures, values, reports.get(row.group.pk), row.figures["sessions_held"] == 0)
        )
    keys = [indicator.key for indicator in INDICATORS]
    descending = sort.startswith("-")
    if sort.lstrip("-") in keys:
        index = keys.index(sort.lstrip("-"))
        # Missing values sort last whichever way.
        present = [r for r in rows if r.values[index]["value"] is not None]
        missing = [r for r in rows if r.values[index]["value"] is None]
        present.sort(key=lambda r: r.values[index]["value"], reverse=descending)
        rows = present + missing
    total_values = [{"value": i.value(totals), "lags": False, "key": i.key} for i in INDICATORS]
    return rows, total_values, totals


# The counts an indicator needs; the trend sums just these from frozen reports.
TREND_COUNTS = [
    "sessions_held", "families_present", "families_members", "kka_checked", "children_total",
    "kka_rujukan_unreferred", "stunted", "measured", "measured_scored", "cadres_trained", "cadres_active",
]  # fmt: skip


def _frozen_totals(groups, months: list[Month]) -> dict[Month, dict[str, int]]:
    """Per month, the sums of the counts in the groups' current submitted reports (one query)."""
    sums = {
        key: Sum(Coalesce(Cast(KeyTextTransform(key, KeyTransform("counts", "snapshot")), IntegerField()), 0))
        for key in TREND_COUNTS
    }
    rows = (
        MonthlyReport.objects.current()
        .exclude(status=MonthlyReport.Status.RETURNED)
        .filter(group__in=groups.values("pk"), month__in=[m.first for m in months])
        .order_by()
        .values("month")
        .annotate(**sums)
    )
    return {Month.of(row.pop("month")): row for row in rows}


def trend_series(groups, month: Month, month_totals: figures.MonthFigures, months: int = 12):
    """Area totals per indicator over the last `months` months (oldest first).

    An earlier month counts what the groups submitted (the frozen figure;
    a report returned for correction is not one) and computes live only for groups that sent no report: at a
    kabupaten that is a read of the reports instead of eleven full counts.
    The number of queries depends on the months shown, not on the groups.
    """
    earlier = [month.back(back) for back in range(months - 1, 0, -1)]
    frozen = _frozen_totals(groups, earlier)
    series = {indicator.key: [] for indicator in INDICATORS}
    for current in [*earlier, month]:
        if current == month:
            totals = month_totals
        else:
            unreported = groups.exclude(
                Exists(
                    MonthlyReport.objects.current()
                    .exclude(status=MonthlyReport.Status.RETURNED)
                    .filter(group=OuterRef("pk"), month=current.first)
                )
            )
            live = figures.area_totals(unreported, current).counts
            totals = figures.MonthFigures(
                {**live, **{key: live[key] + (frozen.get(current, {}).get(key) or 0) for key in TREND_COUNTS}}
            )
        for indicator in INDICATORS:
            series[indicator.key].append((current.label, indicator.value(totals)))
    return [(indicator, series[indicator.key]) for indicator in INDICATORS]
