"""Shaped reads for family pages: the group roster with its flags, and the child page."""

import datetime

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from bkb.lib import history
from families import kka, measurements
from families.charts import growth_chart_svg
from families.models import Child, Family, KkaCheck, Measurement, MilestoneRecord, Referral


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


def family_history(family: Family, *, limit: int = history.LIMIT) -> list[history.Entry]:
    """The newest changes of a family, its children and their measurements, KKA marks and
    checks, referrals and attendance (deleted children included), in a fixed number of queries."""
    child_ids = Child.history.filter(family_id=family.pk).values("id")

    def child(row) -> str:
        return row.child.name if row.child else ""  # a deleted child's rows go unnamed

    def dated(row) -> str:
        return f"{child(row)} {row.date:%d-%m-%Y}"

    return history.entries(
        [
            (Family.history.filter(id=family.pk), lambda row: row.mother_name),
            (Child.history.filter(family_id=family.pk), lambda row: row.name),
            (Measurement.history.filter(child_id__in=child_ids).select_related("child"), dated),
            (
                MilestoneRecord.history.filter(child_id__in=child_ids).select_related("child", "milestone"),
                lambda row: f"{child(row)}: {row.milestone.code if row.milestone else ''}",
            ),
            (KkaCheck.history.filter(child_id__in=child_ids).select_related("child"), dated),
            (Referral.history.filter(child_id__in=child_ids).select_related("child"), dated),
        ],
        limit=limit,
    )
