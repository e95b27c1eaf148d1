"""Shaped reads for family pages: the group roster with its flags, and the child page."""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from bkb.lib.ages import AgeGroup, add_months
from families import kka, measurements
from families.charts import growth_chart_svg
from families.models import Child, Family, Measurement
from families.services import search_families
from groups.models import BkbGroup


@dataclass
class AgeBand:
    value: int
    label: str
    children: list = field(default_factory=list)


def month_bounds(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First day of `on`'s month and of the next month."""
    start = on.replace(day=1)
    return start, add_months(start, 1)


def annotate_seen_this_month(children: QuerySet, on: datetime.date) -> QuerySet:
    """Add `seen_this_month`: by `on`, in `on`'s month, the child came to a session
    (or its family came without naming a child), was measured, was checked on
    the KKA, or its family had a home visit."""
    from sessions.models import Attendance, HomeVisit  # coaching depends on families

    start, _next_month = month_bounds(on)
    attended = Attendance.objects.filter(session__date__gte=start, session__date__lte=on).filter(
        Q(child=OuterRef("pk")) | Q(child__isnull=True, family=OuterRef("family_id"))
    )
    measured = Measurement.objects.filter(child=OuterRef("pk"), date__gte=start, date__lte=on)
    visited = HomeVisit.objects.filter(family=OuterRef("family_id"), date__gte=start, date__lte=on)
    seen = Q(Exists(attended)) | Q(Exists(measured)) | Q(kka.checked_between(start, on)) | Q(Exists(visited))
    return children.annotate(seen_this_month=ExpressionWrapper(seen, output_field=BooleanField()))


def attention_q() -> Q:
    """ "Perlu perhatian": owed or to refer on the KKA, a growth problem, or not seen this month."""
    return (
        Q(kka_status__in=[kka.KkaStatus.TERHUTANG, kka.KkaStatus.PERLU_RUJUKAN])
        | measurements.growth_problem_q()
        | Q(seen_this_month=False)
    )


def roster(group: BkbGroup, *, on: datetime.date, query: str = "", attention: bool = False) -> list[AgeBand]:
    """The group's children in the programme on `on`, by age group, with their flags (one query)."""
    families = search_families(Family.objects.filter(group=group), query)
    children = Child.objects.filter(family__in=families).in_programme_on(on)
    children = kka.annotate_kka_status(children, on)
    children = measurements.annotate_latest_growth(children, on)
    children = annotate_seen_this_month(children, on)
    if attention:
        children = children.filter(attention_q())
    children = children.select_related("family").order_by("-birth_date", "name")
    bands = [AgeBand(value, label) for value, label in AgeGroup.choices]
    for child in children:
        child.months = child.age_months(on)
        shown = kka.KkaStatus.shown(child.kka_status, child.kka_referred)
        child.kka_label = kka.KkaStatus.LABELS[shown]
        child.kka_colour = kka.KkaStatus.COLOURS[shown]
        child.growth_flags = [
            measurements.FLAG_LABELS[code]
            for code in measurements.growth_flags(child.latest_haz, child.latest_waz, child.latest_whz)
        ]
        bands[child.months // 12].children.append(child)
    return bands


def _chart(indicator: str, child: Child, rows: list[Measurement], attribute: str, title: str) -> str:
    points = [((m.date - child.birth_date).days, float(getattr(m, attribute))) for m in rows]
    # The chart module escapes everything it puts in the markup.
    return mark_safe(growth_chart_svg(indicator, child.sex, points, title=title))


def child_page(child: Child, *, on: datetime.date) -> dict:
    """Everything the child page shows, in a fixed number of queries."""
    card = kka.child_card(child, on)
    rows = list(child.measurements.filter(date__lte=on).order_by("date"))
    latest = rows[-1] if rows else None
    referrals = list(child.referrals.order_by("-date", "-pk"))
    open_referrals = [r for r in referrals if r.closed_on is None]
    return {
        "card": card,
        "measurements": rows[::-1],
        "latest": latest,
        "categories": measurements.Categories.of(latest) if latest else None,
        "flags": [
            measurements.FLAG_LABELS[code] for code in measurements.growth_flags(latest.haz, latest.waz, latest.whz)
        ]
        if latest
        else [],
        "hfa_chart": _chart("hfa", child, rows, "height_cm", _("Panjang/tinggi badan menurut umur")) if rows else "",
        "wfa_chart": _chart("wfa", child, rows, "weight_kg", _("Berat badan menurut umur")) if rows else "",
        "open_referrals": open_referrals,
        "closed_referrals": [r for r in referrals if r.closed_on is not None],
        "needs_referral": card.needs_referral,
    }
