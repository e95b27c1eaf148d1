"""Recording weight and length/height, and reading a child's latest growth.

`measurement_record()` is the one way a measurement is written: the child page
form and the session back-entry grid both call it. It refuses impossible or
WHO-implausible values outright (ValidationError keyed by field), and asks the
cadre to confirm unlikely ones (ValidationError with code "confirm"): a child
who got shorter, or a weight jump beyond what the days between allow. A value
saved so, confirmed, is marked `Measurement.confirmed_unlikely`: data for the
supervisor to check (reports.todo.supervisor_tasks).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields import DateField
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bkb.lib.ages import age_in_months
from families import growth
from families.models import Child, Measurement

CONFIRM = "confirm"

# Hard limits, matching the table's check constraints.
WEIGHT_RANGE_KG = (Decimal("0.5"), Decimal("40"))
HEIGHT_RANGE_CM = (Decimal("35"), Decimal("140"))
HEAD_RANGE_CM = (Decimal("25"), Decimal("60"))
ARM_RANGE_CM = (Decimal("5"), Decimal("30"))
# A real child does not shrink; allow for a wriggling toddler on the board.
HEIGHT_DROP_TOLERANCE_CM = 0.5
# Catch-up growth rarely exceeds 1 kg a month; a loss of 15% is a crisis or a typo.
MAX_GAIN_KG_PER_30_DAYS = 1.0
MAX_LOSS_FRACTION = 0.15
LYING_UNTIL_MONTHS = 24


def default_position(child: Child, on: datetime.date) -> str:
    """Lying below 24 months, standing from 24 months (WHO)."""
    return position_for_age(child.birth_date, on)


def position_for_age(born: datetime.date, on: datetime.date) -> str:
    """default_position from a birth date alone (the bench's planned children have no row yet)."""
    if age_in_months(born, on) < LYING_UNTIL_MONTHS:
        return Measurement.Position.LYING
    return Measurement.Position.STANDING


def _decimal(value, places: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal(places))
    except (InvalidOperation, ValueError):
        return None


def _fmt(value) -> str:
    """A number as the cadre typed it, Indonesian style: 300 stays "300", 8.50 is "8,5"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return number_format(Decimal(text))


def _lying_equivalent(height_cm: float, position: str) -> float:
    # Compare lengths in one position: standing height reads 0.7 cm lower.
    if position == Measurement.Position.STANDING:
        return height_cm + growth.POSITION_CORRECTION_CM
    return height_cm


def zscores(child: Child, date: datetime.date, weight_kg: float, height_cm: float, position: str) -> dict:
    """The four WHO z-scores, rounded to 2 decimals once (shown and categorised alike)."""
    return zscores_for(child.sex, child.birth_date, date, weight_kg, height_cm, position)


def zscores_for(
    sex: str, born: datetime.date, date: datetime.date, weight_kg: float, height_cm: float, position: str
) -> dict:
    """zscores from the sex and birth date alone (the bench writes rows with COPY, not through a Child)."""
    age_days = (date - born).days

    def z(indicator, value, **kwargs):
        score = growth.zscore(indicator, sex, age_days, value, measured=position, **kwargs)
        return None if score is None else round(score, 2)

    return {
        "haz": z("hfa", height_cm),
        "waz": z("wfa", weight_kg),
        "whz": z("wfh", weight_kg, length_cm=height_cm),
        "baz": z("bfa", weight_kg, length_cm=height_cm),
    }


def _hard_errors(*, child, date, weight, height, position, head, arm, session) -> dict:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if date is None:
        errors["date"] = _("Isi tanggal ukur.")
    elif date > today:
        errors["date"] = _("Tanggal ukur %(d)s di masa depan: periksa lagi.") % {"d": date.strftime("%d-%m-%Y")}
    elif date < child.birth_date:
        errors["date"] = _("Tanggal ukur %(d)s sebelum tanggal lahir anak (%(b)s): periksa lagi.") % {
            "d": date.strftime("%d-%m-%Y"),
            "b": child.birth_date.strftime("%d-%m-%Y"),
        }
    low, high = WEIGHT_RANGE_KG
    if weight is None:
        errors["weight_kg"] = _("Isi berat badan dalam kg, misalnya 8,5.")
    elif not low < weight < high:
        errors["weight_kg"] = _(
            "Berat %(v)s kg tidak mungkin untuk balita: periksa lagi (antara %(a)s dan %(b)s kg)."
        ) % {
            "v": _fmt(weight),
            "a": _fmt(low),
            "b": _fmt(high),
        }
    low, high = HEIGHT_RANGE_CM
    if height is None:
        errors["height_cm"] = _("Isi panjang/tinggi badan dalam cm, misalnya 72,5.")
    elif not low < height < high:
        errors["height_cm"] = _(
            "Panjang/tinggi %(v)s cm tidak mungkin untuk balita: periksa lagi (antara %(a)s dan %(b)s cm)."
        ) % {"v": _fmt(height), "a": _fmt(low), "b": _fmt(high)}
    if position not in Measurement.Position.values:
        errors["position"] = _("Pilih cara ukur: berbaring atau berdiri.")
    for name, value, (low, high), label in (
        ("head_cm", head, HEAD_RANGE_CM, _("Lingkar kepala")),
        ("arm_cm", arm, ARM_RANGE_CM, _("Lingkar lengan atas")),
    ):
        if value is not None and not low <= value <= high:
            errors[name] = _("%(what)s %(v)s cm tidak wajar: periksa lagi (%(a)s-%(b)s cm).") % {
                "what": label,
                "v": _fmt(value),
                "a": _fmt(low),
                "b": _fmt(high),
            }
    if session is not None and session.group_id != child.family.group_id:
        errors["session"] = _("Pertemuan ini milik kelompok lain.")
    return errors


def _implausible_errors(scores: dict, weight, height) -> dict:
    # WHO flags these z-scores as almost surely a measuring or typing error.
    errors: dict[str, list[str]] = {}
    checks = (
        ("haz", "hfa", "height_cm", _("Panjang/tinggi %(v)s cm tidak wajar untuk umur anak (z = %(z)s): ukur ulang.")),
        ("waz", "wfa", "weight_kg", _("Berat %(v)s kg tidak wajar untuk umur anak (z = %(z)s): timbang ulang.")),
        (
            "whz",
            "wfh",
            "weight_kg",
            _("Berat %(v)s kg tidak wajar untuk panjang/tinggi %(h)s cm (z = %(z)s): periksa kedua angka."),
        ),
    )
    for key, indicator, field, message in checks:
        z = scores[key]
        if z is not None and growth.implausible(indicator, z):
            value = height if field == "height_cm" else weight
            errors.setdefault(field, []).append(message % {"v": _fmt(value), "h": _fmt(height), "z": _fmt(z)})
    return errors


def _confirm_reasons(*, child, date, weight, height, position) -> list[str]:
    """Why the new values look unlikely next to the measurements around them."""
    reasons = []
    others = Measurement.objects.filter(child=child).exclude(date=date)
    previous = others.filter(date__lt=date).order_by("-date").first()
    following = others.filter(date__gt=date).order_by("date").first()
    new_length = _lying_equivalent(float(height), position)
    if previous is not None:
        old_length = _lying_equivalent(float(previous.height_cm), previous.position)
        if new_length < old_length - HEIGHT_DROP_TOLERANCE_CM:
            reasons.append(
                _("Panjang/tinggi %(v)s cm lebih rendah dari pengukuran %(d)s (%(old)s cm).")
                % {"v": _fmt(height), "d": previous.date.strftime("%d-%m-%Y"), "old": _fmt(previous.height_cm)}
            )
        days = (date - previous.date).days
        change = float(weight) - float(previous.weight_kg)
        if change > MAX_GAIN_KG_PER_30_DAYS * max(days, 30) / 30:
            reasons.append(
                _("Berat naik %(c)s kg sejak %(d)s (%(old)s kg): lebih dari yang biasa dalam %(n)s hari.")
                % {
                    "c": _fmt(round(change, 2)),
                    "d": previous.date.strftime("%d-%m-%Y"),
                    "old": _fmt(previous.weight_kg),
                    "n": days,
                }
            )
        elif -change > MAX_LOSS_FRACTION * float(previous.weight_kg):
            reasons.append(
                _("Berat turun %(c)s kg sejak %(d)s (%(old)s kg): lebih dari 15%%.")
                % {
                    "c": _fmt(round(-change, 2)),
                    "d": previous.date.strftime("%d-%m-%Y"),
                    "old": _fmt(previous.weight_kg),
                }
            )
    if following is not None:
        later_length = _lying_equivalent(float(following.height_cm), following.position)
        if new_length > later_length + HEIGHT_DROP_TOLERANCE_CM:
            reasons.append(
                _("Panjang/tinggi %(v)s cm lebih tinggi dari pengukuran sesudahnya, %(d)s (%(later)s cm).")
                % {"v": _fmt(height), "d": following.date.strftime("%d-%m-%Y"), "later": _fmt(following.height_cm)}
            )
    return reasons


def measurement_check(
    *,
    child: Child,
    date: datetime.date,
    weight_kg,
    height_cm,
    position: str,
    head_cm=None,
    arm_cm=None,
    session=None,
    confirmed: bool = False,
) -> dict:
    """Validate a measurement without writing it: the values to store (with z-scores).

    Raises ValidationError({field: message}) for impossible or implausible
    values (fields: date, weight_kg, height_cm, position, head_cm, arm_cm,
    session), and ValidationError(message, code="confirm") when the values are
    possible but unlikely and `confirmed` is False. The back-entry grid calls
    it on every row first, so all its errors come back in one round.
    """
    weight = _decimal(weight_kg, "0.01")
    height = _decimal(height_cm, "0.1")
    head = _decimal(head_cm, "0.1")
    arm = _decimal(arm_cm, "0.1")
    errors = _hard_errors(
        child=child, date=date, weight=weight, height=height, position=position, head=head, arm=arm, session=session
    )
    if errors:
        raise ValidationError(errors)
    scores = zscores(child, date, float(weight), float(height), position)
    if errors := _implausible_errors(scores, weight, height):
        raise ValidationError(errors)
    reasons = _confirm_reasons(child=child, date=date, weight=weight, height=height, position=position)
    if reasons and not confirmed:
        raise ValidationError(
            " ".join(reasons) + " " + _("Bila angkanya memang benar, centang konfirmasi lalu simpan lagi."),
            code=CONFIRM,
        )
    return {
        "weight_kg": weight,
        "height_cm": height,
        "position": position,
        "head_cm": head,
        "arm_cm": arm,
        **scores,
        # Unlikely, and confirmed: kept with the row for the supervisor to check.
        "confirmed_unlikely": bool(reasons),
    }


def measurement_record(
    *,
    child: Child,
    date: datetime.date,
    weight_kg,
    height_cm,
    position: str,
    head_cm=None,
    arm_cm=None,
    session=None,
    user=None,
    confirmed: bool = False,
) -> Measurement:
    """Validate (measurement_check), score and save a measurement; replaces the child's
    measurement of that date."""
    values = measurement_check(
        child=child,
        date=date,
        weight_kg=weight_kg,
        height_cm=height_cm,
        position=position,
        head_cm=head_cm,
        arm_cm=arm_cm,
        session=session,
        confirmed=confirmed,
    )
    with transaction.atomic():
        measurement, _created = Measurement.objects.update_or_create(
            child=child, date=date, defaults={**values, "session": session, "recorded_by": user}
        )
    return measurement


# --- reading ----------------------------------------------------------------

FLAG_LABELS = {
    "sangat_pendek": gettext_lazy("Sangat pendek"),
    "pendek": gettext_lazy("Pendek"),
    "bb_sangat_kurang": gettext_lazy("BB sangat kurang"),
    "bb_kurang": gettext_lazy("BB kurang"),
    "gizi_buruk": gettext_lazy("Gizi buruk"),
    "gizi_kurang": gettext_lazy("Gizi kurang"),
}


def growth_flags(haz: float | None, waz: float | None, whz: float | None) -> list[str]:
    """Problem flags of a measurement, worst first within each index (codes of FLAG_LABELS)."""
    flags = []
    if haz is not None and growth.is_stunted(haz):
        flags.append("sangat_pendek" if haz < growth.SEVERE_BELOW else "pendek")
    if waz is not None and growth.is_underweight(waz):
        flags.append("bb_sangat_kurang" if waz < growth.SEVERE_BELOW else "bb_kurang")
    if whz is not None and growth.is_wasted(whz):
        flags.append("gizi_buruk" if whz < growth.SEVERE_BELOW else "gizi_kurang")
    return flags


def annotate_latest_growth(children: QuerySet, on: datetime.date) -> QuerySet:
    """Add the latest measurement by `on`: latest_measured_on, latest_haz, latest_waz, latest_whz.

    Subqueries, not a query per child.
    """
    latest = Measurement.objects.filter(child=OuterRef("pk"), date__lte=on).order_by("-date")
    return children.annotate(
        latest_measured_on=Subquery(latest.values("date")[:1], output_field=DateField()),
        latest_haz=Subquery(latest.values("haz")[:1], output_field=FloatField()),
        latest_waz=Subquery(latest.values("waz")[:1], output_field=FloatField()),
        latest_whz=Subquery(latest.values("whz")[:1], output_field=FloatField()),
    )


def measured_between(first: datetime.date, last: datetime.date) -> Exists:
    """For a Child queryset: a measurement dated from `first` to `last`, both included.

    The one meaning of "measured in a period": the report's "measured this
    month", the roster's "seen this month" and the cadre's task list.
    """
    return Exists(Measurement.objects.filter(child=OuterRef("pk"), date__gte=first, date__lte=last))


def growth_problem_q(prefix: str = "latest_") -> Q:
    """Q for children whose latest measurement is stunted, underweight or wasted."""
    return growth.growth_problem_q(prefix)


@dataclass
class Categories:
    """A measurement's Permenkes categories, for display."""

    hfa: str | None
    wfa: str | None
    wfh: str | None

    @classmethod
    def of(cls, measurement: Measurement) -> "Categories":
        return cls(
            hfa=growth.category_label("hfa", measurement.haz),
            wfa=growth.category_label("wfa", measurement.waz),
            wfh=growth.category_label("wfh", measurement.whz),
        )
