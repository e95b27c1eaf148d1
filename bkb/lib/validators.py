"""Field validators shared by the registers (NIK, KK, phone numbers)."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_DIGITS16 = re.compile(r"[0-9]{16}")
# More than this and the message would be longer than the number.
_SHOW_WRONG = 5


def validate_nik(value: str) -> None:
    """NIK (national ID) and KK (family card) numbers are exactly 16 digits."""
    if _DIGITS16.fullmatch(value or ""):
        return
    wrong = [(n, ch) for n, ch in enumerate(value or "", start=1) if not "0" <= ch <= "9"]
    if wrong:
        # Name what is wrong and where: "O" for "0" and "l" for "1" are the usual slips.
        shown = ", ".join(
            _("'%(ch)s' (ke-%(n)s)") % {"ch": ch if ch.isprintable() else ch.encode("unicode_escape").decode(), "n": n}
            for n, ch in wrong[:_SHOW_WRONG]
        )
        raise ValidationError(
            _("Hanya angka 0-9. Bukan angka: %(chars)s."),
            params={"chars": shown + (" …" if len(wrong) > _SHOW_WRONG else "")},
            code="nik",
        )
    raise ValidationError(
        _("Harus tepat 16 angka (sekarang %(n)s karakter)."), params={"n": len(value or "")}, code="nik"
    )


def number_as_typed(value: str | None) -> str | None:
    """A NIK or KK as typed, without the spaces and dots people group digits with; None if empty."""
    return re.sub(r"[\s.\-]", "", value or "") or None


def normalise_rt_rw(value: str) -> str:
    """RT and RW as written on an address: 1 to 3 digits, zero-padded ("3" -> "003"); "" stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    if not re.fullmatch(r"[0-9]{1,3}", value):
        raise ValidationError(_("Tulis nomor RT/RW dengan angka saja, misalnya 003."), code="rt_rw")
    return value.zfill(3)


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


@deconstructible
class NotInFuture:
    """Dates of things that happened (joined, born, trained, visited) cannot be after today.

    The one "no future date" rule; a field may name itself in the message.
    """

    message = _("Tanggal tidak boleh di masa depan.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message

    def __call__(self, value) -> None:
        if value and value > timezone.localdate():
            raise ValidationError(self.message, code="future")

    def __eq__(self, other):
        return isinstance(other, NotInFuture) and str(self.message) == str(other.message)


def not_in_future(value) -> None:
    """NotInFuture with the plain message (a function: the migrations name it)."""
    NotInFuture()(value)


# What people here try first and Django's English list of common passwords misses: the
# app's own words, the programme's, and Indonesian favourites. Compared on the letters
# alone, so "bkb123", "Kader2024!" and "bkb-demo" are caught as "bkb", "kader", "bkbdemo".
LOCAL_COMMON_WORDS = frozenset(
    """
    bkb bkbdemo demo bkkbn kader kaderbkb posyandu paud balita keluarga kelompok pkb plkb bidan admin
    bismillah alhamdulillah sayang sayangku rahasia indonesia merdeka garuda cinta cintaku anakku bunda
    mama papa ibu ayah masuk katasandi sandi kunci password passwd pass qwerty qwertyuiop asdf asdfgh
    asdfghjkl zxcvbn zxcvbnm abc abcd abcdef qwe asd
    """.split()
)


@deconstructible
class LocalCommonPasswordValidator:
    """AUTH_PASSWORD_VALIDATORS entry: refuse the local words above, whatever digits or signs surround them."""

    def validate(self, password: str, user=None) -> None:
        letters = re.sub(r"[^a-z]", "", (password or "").lower())
        if letters in LOCAL_COMMON_WORDS:
            raise ValidationError(
                _("Kata sandi ini mudah ditebak (kata umum atau nama program ini). Pilih yang lain."),
                code="password_too_common_here",
            )

    def get_help_text(self) -> str:
        return _("Kata sandi tidak boleh kata yang mudah ditebak seperti bkb123, kader123 atau bismillah.")
