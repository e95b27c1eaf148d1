"""Report months: parsing "2026-10", the month's first and last day, due dates."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MONTH_NAMES = [
    _("Januari"), _("Februari"), _("Maret"), _("April"), _("Mei"), _("Juni"),
    _("Juli"), _("Agustus"), _("September"), _("Oktober"), _("November"), _("Desember"),
]  # fmt: skip

# The R/I/BKB register reaches the PKB/PLKB by the 3rd of the next month.
DUE_DAY = 3


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """'2026-10' -> Month(2026, 10); ValueError on anything else."""
        year, month = text.split("-")
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12 or not 2000 <= value.year <= 2100:
            raise ValueError(text)
        return value

    @classmethod
    def argument(cls, text: str) -> "Month":
        """argparse type for --month, with a message a script writer understands."""
        import argparse

        try:
            return cls.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"must look like 2026-10, got {text!r}") from error

    @classmethod
    def of(cls, day: datetime.date) -> "Month":
        return cls(day.year, day.month)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return self.next().first - datetime.timedelta(days=1)

    @property
    def due(self) -> datetime.date:
        return self.next().first.replace(day=DUE_DAY)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def back(self, months: int) -> "Month":
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"
