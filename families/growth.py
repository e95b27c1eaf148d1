"""WHO Child Growth Standards: z-scores, Permenkes 2/2020 categories and SD curves.

Pure Python on purpose (no pandas/numpy, no database): it is called per
measurement from views, reports and PDF rendering, and must stay cheap to import.
The LMS tables in ``families/data/who/`` come from WHO's ``anthro`` R package;
the arithmetic follows that package, so our numbers match WHO Anthro software:

- z = ((y/M)^L - 1) / (L*S), or ln(y/M)/S when L == 0;
- weight-based indices (wfa, wfh, bfa) use WHO's restricted tails beyond ±3 SD;
- length/height is standardised by ±0.7 cm to the position the table expects
  (lying under 731 days, standing from 731 days);
- weight-for-length/height between two 0.1 cm rows interpolates L, M and S.

Indicators: "hfa" length/height-for-age, "wfa" weight-for-age,
"wfh" weight-for-length/height, "bfa" BMI-for-age. Sex is "M" or "F".
"""

import csv
import math
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data" / "who"

INDICATORS = ("hfa", "wfa", "wfh", "bfa")
SEXES = ("M", "F")
LYING = "lying"
STANDING = "standing"

# WHO switches from recumbent length to standing height at 24 months (731 days).
HEIGHT_FROM_DAYS = 731
POSITION_CORRECTION_CM = 0.7

_AGE_TABLES = {
    "hfa": "length_height_for_age.csv",
    "wfa": "weight_for_age.csv",
    "bfa": "bmi_for_age.csv",
}
_WEIGHT_FOR_LENGTH = "weight_for_length.csv"
_WEIGHT_FOR_HEIGHT = "weight_for_height.csv"

# Only weight-based indices get the restricted tails; WHO judged the LMS
# extrapolation of weight too skewed beyond ±3 SD, unlike length/height.
_RESTRICTED_TAILS = {"wfa", "wfh", "bfa"}

Lms = tuple[float, float, float]


@cache
def _age_table(filename: str) -> dict[tuple[str, int], Lms]:
    table = {}
    with open(DATA_DIR / filename, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["sex"], int(row["age_days"]))
            table[key] = (float(row["L"]), float(row["M"]), float(row["S"]))
    return table


@cache
def _length_table(filename: str) -> tuple[dict[tuple[str, int], Lms], int, int]:
    """Rows keyed by (sex, length in mm), plus the min and max length in mm.

    Integer millimetres, not float centimetres, so 75.3 always finds its row.
    """
    table = {}
    with open(DATA_DIR / filename, newline="") as f:
        reader = csv.reader(f)
        next(reader)  # header: sex, length_cm or height_cm, L, M, S, measured
        for sex, length, lam, mu, sigma, _measured in reader:
            table[(sex, round(float(length) * 10))] = (float(lam), float(mu), float(sigma))
    lengths = [mm for _sex, mm in table]
    return table, min(lengths), max(lengths)


@cache
def max_age_days() -> int:
    """Oldest age in days the age-based tables cover (1826, i.e. just under 60 months)."""
    return max(day for _sex, day in _age_table(_AGE_TABLES["wfa"]))


def _whole_day(age_days) -> int:
    # anthro rounds half up; an int passes through untouched.
    return math.floor(age_days + 0.5)


def standardised_length(age_days: int, length_cm: float, measured: str | None) -> float:
    """Length/height converted to the position the WHO table expects at that age."""
    day = _whole_day(age_days)
    if measured == STANDING and day < HEIGHT_FROM_DAYS:
        return length_cm + POSITION_CORRECTION_CM
    if measured == LYING and day >= HEIGHT_FROM_DAYS:
        return length_cm - POSITION_CORRECTION_CM
    return length_cm


def _lms_for_length(sex: str, day: int, length_cm: float) -> Lms | None:
    filename = _WEIGHT_FOR_LENGTH if day < HEIGHT_FROM_DAYS else _WEIGHT_FOR_HEIGHT
    table, low_mm, high_mm = _length_table(filename)
    # Round away float noise (75.3 * 10 = 752.9999...) before splitting off the fraction.
    tenths = round(length_cm * 10, 6)
    if not low_mm <= tenths <= high_mm:
        return None
    lower = math.floor(tenths)
    fraction = tenths - lower
    lower_lms = table[(sex, lower)]
    if fraction == 0:
        return lower_lms
    upper_lms = table[(sex, lower + 1)]
    return tuple(a + fraction * (b - a) for a, b in zip(lower_lms, upper_lms, strict=True))


def sd_value(lms: Lms, sd: float) -> float:
    """The measurement that sits exactly `sd` standard deviations from the median."""
    lam, mu, sigma = lms
    if lam == 0:
        return mu * math.exp(sigma * sd)
    return mu * (1 + lam * sigma * sd) ** (1 / lam)


def _lms_z(y: float, lms: Lms) -> float:
    lam, mu, sigma = lms
    if lam == 0:
        return math.log(y / mu) / sigma
    return ((y / mu) ** lam - 1) / (lam * sigma)


def _restricted_z(y: float, lms: Lms) -> float:
    # WHO "SD23" rule: beyond ±3 SD, measure distance in units of the
    # 2-to-3 SD gap so a skewed tail does not compress extreme values.
    z = _lms_z(y, lms)
    if z > 3:
        sd3 = sd_value(lms, 3)
        return 3 + (y - sd3) / (sd3 - sd_value(lms, 2))
    if z < -3:
        sd3 = sd_value(lms, -3)
        return -3 + (y - sd3) / (sd_value(lms, -2) - sd3)
    return z


def zscore(
    indicator: str,
    sex: str,
    age_days: int,
    value: float,
    *,
    length_cm: float | None = None,
    measured: str | None = None,
) -> float | None:
    """Z-score of one measurement, or None when the WHO tables cannot score it.

    value is length/height in cm for "hfa", weight in kg otherwise; "wfh" and
    "bfa" also need length_cm. measured is "lying", "standing" or None (None
    means the child was measured in the position recommended for the age).
    The result is not rounded; round once before both showing and categorising.
    """
    if indicator not in INDICATORS:
        raise ValueError(f"unknown growth indicator {indicator!r}")
    if sex not in SEXES:
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    if measured not in (None, LYING, STANDING):
        raise ValueError(f"measured must be 'lying', 'standing' or None, got {measured!r}")
    if age_days is None or value is None or value <= 0:
        return None
    day = _whole_day(age_days)
    if not 0 <= day <= max_age_days():
        return None

    if indicator in ("wfh", "bfa"):
        if length_cm is None or length_cm <= 0:
            return None
        length_cm = standardised_length(day, length_cm, measured)

    if indicator == "wfh":
        lms = _lms_for_length(sex, day, length_cm)
    else:
        lms = _age_table(_AGE_TABLES[indicator]).get((sex, day))
    if lms is None:
        return None

    if indicator == "hfa":
        return _lms_z(standardised_length(day, value, measured), lms)
    if indicator == "bfa":
        value = value / (length_cm / 100) ** 2
    return _restricted_z(value, lms)


# Each band is (code, upper edge). Permenkes 2/2020 counts an exact edge
# towards the band nearer the median: -2.0 is normal, not pendek, and +1.0 is
# still normal weight, not risiko lebih. So negative edges are exclusive and
# positive edges inclusive; None closes the last band.
_BANDS = {
    "hfa": (("sangat_pendek", -3), ("pendek", -2), ("normal", 3), ("tinggi", None)),
    "wfa": (("sangat_kurang", -3), ("kurang", -2), ("normal", 1), ("risiko_lebih", None)),
    "wfh": (
        ("gizi_buruk", -3),
        ("gizi_kurang", -2),
        ("gizi_baik", 1),
        ("berisiko_gizi_lebih", 2),
        ("gizi_lebih", 3),
        ("obesitas", None),
    ),
}
# Permenkes 2/2020 classifies BMI-for-age under five exactly like weight-for-length/height.
_BANDS["bfa"] = _BANDS["wfh"]

# Indonesian is the project's source language; the English wording lives in
# the locale files like every other msgid.
_NUTRITION_LABELS = {
    "gizi_buruk": _("Gizi buruk"),
    "gizi_kurang": _("Gizi kurang"),
    "gizi_baik": _("Gizi baik (normal)"),
    "berisiko_gizi_lebih": _("Berisiko gizi lebih"),
    "gizi_lebih": _("Gizi lebih"),
    "obesitas": _("Obesitas"),
}
LABELS = {
    "hfa": {
        "sangat_pendek": _("Sangat pendek"),
        "pendek": _("Pendek"),
        "normal": _("Normal"),
        "tinggi": _("Tinggi"),
    },
    "wfa": {
        "sangat_kurang": _("Berat badan sangat kurang"),
        "kurang": _("Berat badan kurang"),
        "normal": _("Berat badan normal"),
        "risiko_lebih": _("Risiko berat badan lebih"),
    },
    "wfh": _NUTRITION_LABELS,
    "bfa": _NUTRITION_LABELS,
}


def categorise(indicator: str, z: float) -> str:
    """Permenkes 2/2020 category code for a z-score; LABELS[indicator][code] is its label."""
    for code, upper in _BANDS[indicator]:
        if upper is None or z < upper or (upper > 0 and z == upper):
            return code
    raise AssertionError("unreachable: the last band is open")


def category_label(indicator: str, z: float | None) -> str | None:
    """The z-score's category as pages, reports and downloads print it ("Pendek"); None without a score."""
    return None if z is None else str(LABELS[indicator][categorise(indicator, z)])


# Below -2 SD is a growth problem (stunted, underweight, wasted); below -3 SD severe.
# Exactly -2.0 is normal (see _BANDS). Every count, flag and list uses these.
PROBLEM_BELOW = -2
SEVERE_BELOW = -3


def is_stunted(haz: float) -> bool:
    return haz < PROBLEM_BELOW


def is_underweight(waz: float) -> bool:
    return waz < PROBLEM_BELOW


def is_wasted(whz: float) -> bool:
    return whz < PROBLEM_BELOW


def stunted_q(prefix: str) -> Q:
    """Rows whose `<prefix>haz` is below the cut-off (e.g. prefix "latest_" or "month_")."""
    return Q(**{f"{prefix}haz__lt": PROBLEM_BELOW})


def underweight_q(prefix: str) -> Q:
    return Q(**{f"{prefix}waz__lt": PROBLEM_BELOW})


def wasted_q(prefix: str) -> Q:
    return Q(**{f"{prefix}whz__lt": PROBLEM_BELOW})


def growth_problem_q(prefix: str) -> Q:
    """Stunted, underweight or wasted on the z-scores under `prefix`."""
    return stunted_q(prefix) | underweight_q(prefix) | wasted_q(prefix)


# WHO flags z-scores this far out as almost certainly a measuring or data-entry
# error rather than a real child; (low, high) limits per indicator.
_PLAUSIBLE = {"hfa": (-6, 6), "wfa": (-6, 5), "wfh": (-5, 5), "bfa": (-5, 5)}


def implausible(indicator: str, z: float) -> bool:
    low, high = _PLAUSIBLE[indicator]
    return z < low or z > high


def curves(
    indicator: str,
    sex: str,
    sds=(-3, -2, 0, 2, 3),
    step_days: int = 30,
) -> dict[float, list[tuple[int, float]]]:
    """SD lines of an age-based indicator for charts: {sd: [(age_days, value), ...]}.

    Covers day 0 to the last day of the table. For "hfa" the table is length
    before 731 days and height after, so days 730 and 731 are both included to
    draw WHO's 0.7 cm step at 24 months instead of a slanted line.
    """
    if indicator not in _AGE_TABLES:
        raise ValueError(f"curves need an age-based indicator, got {indicator!r}")
    table = _age_table(_AGE_TABLES[indicator])
    last = max_age_days()
    days = set(range(0, last + 1, step_days)) | {last}
    if indicator == "hfa":
        days |= {HEIGHT_FROM_DAYS - 1, HEIGHT_FROM_DAYS}
    days = sorted(days)
    return {sd: [(day, sd_value(table[(sex, day)], sd)) for day in days] for sd in sds}


def value_at(indicator: str, sex: str, age_days: int, sd: float) -> float:
    """The measurement `sd` standard deviations from the median at an age (hfa, wfa, bfa)."""
    return sd_value(_age_table(_AGE_TABLES[indicator])[(sex, min(_whole_day(age_days), max_age_days()))], sd)


# Past the tables' last day (60 months) children still grow; these are the WHO
# medians' mean monthly gains over the last year of the tables, used only to
# extend made-up data (demo, bench) to 72 months.
_GAIN_AFTER_TABLES = {"cm": 0.55, "kg": 0.17}
_DAYS_A_MONTH = 30.4375


def synthetic_measurement(sex: str, age_days: int, haz: float, whz: float, *, standing: bool) -> tuple[float, float]:
    """(weight kg, length/height cm) of a child sitting at `haz` and `whz` on WHO's curves.

    For demo and bench data: the length comes from length/height-for-age,
    then the weight from weight-for-length/height at that length, so every
    index of the pair, weight-for-age included, is a real child's. Drawing
    weight-for-age and length-for-age independently does not: a light child
    drawn long is a weight-for-length no child has (z below -5), and the
    measurement is rightly refused. Rounded as a cadre writes them.
    """
    day = _whole_day(age_days)
    capped = min(day, max_age_days())
    length = value_at("hfa", sex, capped, haz) + _GAIN_AFTER_TABLES["cm"] * (day - capped) / _DAYS_A_MONTH
    table_standing = capped >= HEIGHT_FROM_DAYS
    if standing and not table_standing:
        length -= POSITION_CORRECTION_CM
    elif table_standing and not standing:
        length += POSITION_CORRECTION_CM
    length = round(length, 1)
    measured = STANDING if standing else LYING
    lms = _lms_for_length(sex, capped, standardised_length(capped, length, measured))
    if lms is not None:
        weight = sd_value(lms, whz)
    else:  # shorter or taller than the weight-for-length tables reach
        weight = value_at("wfa", sex, capped, whz) + _GAIN_AFTER_TABLES["kg"] * (day - capped) / _DAYS_A_MONTH
    return round(weight, 2), length
