"""The group's month against its kabupaten's targets (issue 14), under the cadre's task list.

The three actual shares are the figures' own (reports.figures: "families_present" of
"families_members", "kka_checked" and "measured" of "children_total"), read from the kept
rows of the current month as every other page reads them (reports.kept.live_counts); the
targets are the kabupaten's AreaTarget row, or NATIONAL_TARGETS where it has none.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bkb.lib.months import Month
from groups.models import Area, BkbGroup
from reports import figures, kept
from reports.models import NATIONAL_TARGETS, AreaTarget, Targets

# (the figure, which is also the target's field; its whole; the label; the unit counted)
BARS = [
    ("families_present", "families_members", _("Keluarga hadir"), pgettext_lazy("counted in a target bar", "keluarga")),
    ("kka_checked", "children_total", _("Anak diperiksa KKA"), pgettext_lazy("counted in a target bar", "anak")),
    ("measured", "children_total", _("Anak diukur"), pgettext_lazy("counted in a target bar", "anak")),
]


def targets_for(group: BkbGroup) -> Targets:
    """The targets of the group's kabupaten, or the national defaults: one query.

    The kabupaten is read off the desa's path (Area.path_at), so `group.desa` should be
    loaded (cadres.access.get_group_for loads it); otherwise reading it is one query more.
    """
    path = group.desa.path_at(Area.Level.KABUPATEN)
    found = AreaTarget.objects.filter(area__path=path).first()
    return found.targets if found is not None else NATIONAL_TARGETS


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    unit: str
    ratio: figures.Ratio
    target: Decimal

    @property
    def pct(self) -> float | None:
        return self.ratio.pct

    @property
    def met(self) -> bool:
        # Nobody to count (no members yet) is neither met nor missed: shown as not met, with no share.
        return self.pct is not None and Decimal(str(self.pct)) >= self.target

    @property
    def width(self) -> int:
        """The bar's width in whole percent, for data-percent."""
        return round(self.pct) if self.pct is not None else 0


def month_bars(group: BkbGroup, month: Month) -> list[Bar]:
    """The group's three shares of `month` (the current one) beside its targets.

    A fixed number of queries: the kept row (reports.kept.ensure, two when current) and the
    targets' one.
    """
    counts = kept.live_counts(BkbGroup.objects.filter(pk=group.pk), month).get(group.pk, {})
    month_figures = figures.MonthFigures({**figures.empty_counts(), **counts})
    targets = targets_for(group)
    return [
        Bar(
            key=part,
            label=str(label),
            unit=str(unit),
            ratio=month_figures.ratio(part, whole),
            target=getattr(targets, part),
        )
        for part, whole, label, unit in BARS
    ]
