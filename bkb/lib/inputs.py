"""What people type, read one way everywhere: decimals, dates, query parameters.

Cadres write decimals with a comma ("14,5 kg") as often as with a point, and
the keypad a phone shows depends on the input's `inputmode`, so every decimal
a person types goes through `DecimalCommaField` and shows through
`format_decimal`. Dates are held to years a register can mean (1900-2100):
a year typed as "0002" or "9999" is a typo, and calendar arithmetic near
year 1 has nowhere to go. Query parameters are read through the `param_*`
helpers, which answer a bad value with a 400 page that says what was wrong.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bkb.lib.months import Month

FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)
# A search box or a filter never needs more; a longer value is cut, not refused.
PARAM_MAX_LENGTH = 200

_DECIMAL = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")


def format_decimal(value) -> str:
    """14.50 -> "14,5", 3 -> "3": the Indonesian way, without trailing zeros."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def parse_decimal(text: str) -> Decimal | None:
    """ "14,5", "14.5", " 14,50 " -> Decimal("14.5"...); None if it is not a plain decimal number.

    No thousands separators: nothing a cadre measures reaches a thousand, and
    "1.500" would be read as 1,5 by one person and 1500 by another.
    """
    text = (text or "").strip().replace(" ", "")
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


class DecimalInput(forms.TextInput):
    """A text box with the phone's decimal keypad; `type=number` would refuse the comma."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | float | int):
            return format_decimal(value)
        return super().format_value(value)


class DecimalCommaField(forms.DecimalField):
    """A decimal typed with a comma or a point; shown with a comma."""

    widget = DecimalInput
    default_error_messages = {"invalid": gettext_lazy("Tulis angka, misalnya %(example)s.")}

    def __init__(self, *, example: str = "3,1", **kwargs):
        self.example = example
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int | float):
            return Decimal(str(value))
        number = parse_decimal(str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"example": self.example})
        return number

    def validate(self, value):
        # DecimalField.validate speaks of "a number" in its own words; ours already did.
        forms.Field.validate(self, value)

    def widget_attrs(self, widget):
        # No min/max/step: those belong to type=number, which this is not.
        return forms.Field.widget_attrs(self, widget)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        attrs = {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat(), **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DayField(forms.DateField):
    """A date between 1900 and 2100; outside that it is a typo, said beside the field."""

    widget = DateInput
    # The same in every language: what the date picker sends, and the day-month-year the
    # message asks for (English's own formats have no day-first one).
    input_formats = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
    default_error_messages = {
        "invalid": gettext_lazy("Tulis tanggal yang lengkap, misalnya 17-08-2025."),
        "out_of_range": gettext_lazy("Tahun %(year)s tidak mungkin: periksa lagi tanggalnya."),
    }

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(
                self.error_messages["out_of_range"], code="out_of_range", params={"year": f"{value.year:04d}"}
            )


def formfield(db_field, **kwargs):
    """`Meta.formfield_callback` for every model form: dates and decimals the way people type them."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return db_field.formfield(form_class=DayField, **{"widget": DateInput(), **kwargs})
    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(form_class=DecimalCommaField, **{"widget": DecimalInput(), **kwargs})
    return db_field.formfield(**kwargs)


def in_range(day: datetime.date | None) -> datetime.date | None:
    return day if day and FIRST_DAY <= day <= LAST_DAY else None


def parse_day(text: str | None) -> datetime.date | None:
    """'2026-11-24' -> date; None for anything else, including years outside 1900-2100."""
    try:
        return in_range(parse_date((text or "").strip()))
    except ValueError:
        return None


def parse_month(text: str | None) -> Month | None:
    """'2026-11' -> Month(2026, 11); None for anything else, including years outside 2000-2100."""
    try:
        return Month.parse((text or "").strip())
    except ValueError:
        return None


# --- Query parameters ------------------------------------------------------------------------


def printable(value: str) -> str:
    """The value without control characters (NUL above all), trimmed."""
    # PostgreSQL refuses NUL in text, and nobody types one: drop it with other control characters.
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n").strip()


def param_text(request, name: str, *, max_length: int = PARAM_MAX_LENGTH) -> str:
    """A free-text parameter (a search), without control characters, cut to `max_length`."""
    return printable(request.GET.get(name, ""))[:max_length]


def param_int(value: str | None, *, what: str) -> int | None:
    """None for a missing value; a BadRequest naming `what` for anything but a whole number."""
    if value in (None, ""):
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise BadRequest(_("%(what)s '%(value)s' tidak dikenal.") % {"what": what, "value": printable(value)[:40]})
    return int(value)


def param_day(request, name: str = "tanggal") -> datetime.date | None:
    """A date parameter: None when absent; a BadRequest when it is not a date between 1900 and 2100."""
    text = request.GET.get(name, "")
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        raise BadRequest(
            _("Tanggal '%(value)s' tidak dapat dibaca: tulis seperti 2026-11-24.") % {"value": printable(text)[:40]}
        )
    return day


# --- Search --------------------------------------------------------------------------------

# Typed straight, curly or as an accent: "Nur'aini", "Ma’ruf", "Ma`ruf" are one name.
_APOSTROPHES = frozenset("'’‘`´ʼʻ′")


def search_key(text: str | None) -> str:
    """A name as search compares it: lower case, no accents, no apostrophes, single spaces.

    "Nur'aini" -> "nuraini", "Ma’ruf" -> "maruf", "Sití  Aisyah" -> "siti aisyah".
    Stored beside the name (Family.search_key, Child.search_key) so both
    PostgreSQL and SQLite search it with a plain LIKE.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = []
    for ch in decomposed.casefold():
        if unicodedata.combining(ch) or ch in _APOSTROPHES:
            continue
        kept.append(ch if ch.isalnum() else " ")
    return " ".join("".join(kept).split())
