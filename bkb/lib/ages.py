"""Ages and BKB age groups.

BKB coaches parents by the child's age group on the session date: 0-1, 1-2,
2-3, 3-4, 4-5 and 5-6 years. At 72 months a child leaves the programme.
"""

import calendar
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

PROGRAMME_END_MONTHS = 72


class AgeGroup(models.IntegerChoices):
    Y0_1 = 0, _("0-1 tahun")
    Y1_2 = 1, _("1-2 tahun")
    Y2_3 = 2, _("2-3 tahun")
    Y3_4 = 3, _("3-4 tahun")
    Y4_5 = 4, _("4-5 tahun")
    Y5_6 = 5, _("5-6 tahun")


def age_in_months(born: datetime.date, on: datetime.date) -> int:
    """Completed months, as a cadre counts them (the day of birth each month)."""
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if on.day < born.day:
        months -= 1
    return months


def age_group(born: datetime.date, on: datetime.date) -> int | None:
    """The age group value on a date, or None if unborn or 72 months and over."""
    months = age_in_months(born, on)
    if months < 0 or months >= PROGRAMME_END_MONTHS:
        return None
    return months // 12


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb).

    Beyond the calendar (before year 1, after 9999) the answer is its first or last day.
    """
    month_index = day.year * 12 + day.month - 1 + months
    year, month = month_index // 12, month_index % 12 + 1
    if year < datetime.MINYEAR:
        return datetime.date.min
    if year > datetime.MAXYEAR:
        return datetime.date.max
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def born_after_for_programme(on: datetime.date) -> datetime.date:
    """Children born after this date are still under 72 months on `on`."""
    return add_months(on, -PROGRAMME_END_MONTHS)
