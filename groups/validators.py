"""Field validators shared by the registers (NIK, KK, phone numbers)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DIGITS16 = re.compile(r"^\d{16}$")


def validate_nik(value: str) -> None:
    """NIK (national ID) and KK (family card) numbers are exactly 16 digits."""
    if not _DIGITS16.match(value or ""):
        raise ValidationError(
            _("Harus tepat 16 angka (sekarang %(n)s karakter)."), params={"n": len(value or "")}, code="nik"
        )


def normalise_phone(value: str) -> str:
    """Return an Indonesian mobile number as 08…, the way cadres write it.

    Accepts spaces, dashes and the +62/62 prefix; raises ValidationError
    otherwise. Mobile numbers are 08 followed by 8 to 11 digits.
    """
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if not re.fullmatch(r"08\d{8,11}", digits):
        raise ValidationError(
            _("Nomor HP tidak valid. Tulis seperti 0812 3456 7890 (10-13 angka, diawali 08)."), code="phone"
        )
    return digits


def validate_phone(value: str) -> None:
    normalise_phone(value)


def whatsapp_number(phone: str) -> str:
    """08123… -> 628123…, the form wa.me links need."""
    return "62" + phone[1:] if phone.startswith("0") else phone


def not_in_future(value) -> None:
    """Dates of things that happened (joined, trained, visited) cannot be tomorrow."""
    from django.utils import timezone

    if value and value > timezone.localdate():
        raise ValidationError(_("Tanggal tidak boleh di masa depan."), code="future")
