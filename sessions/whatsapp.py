"""Ready-to-send WhatsApp texts: the invitation to the next meeting, the
reminder for members who missed one, and the reminders a cadre sends from her
month's task list (a visit to arrange, a KKA check due, a referral's outcome).

Cadres invite and remind mothers through WhatsApp; we only prepare the text
and a wa.me link per member (no API: the cadre presses send herself). A text
goes out in the family's language (Indonesian unless set otherwise), never in
the language the cadre happens to use the app in.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bkb.lib.validators import normalise_phone, whatsapp_number
from families.models import Child, Family, Referral
from groups.models import BkbGroup
from sessions.models import CoachingSession


@dataclass
class Recipient:
    family: Family
    number: str  # 62…, or "" when the family gave none
    link: str


def _long_date(day: datetime.date) -> str:
    return date_format(day, "l, j F Y")


def invitation_text(
    *,
    group: BkbGroup,
    date: datetime.date,
    time: str,
    place: str,
    topic: str,
    language: str = Family.Language.INDONESIAN,
) -> str:
    with translation.override(language):
        return _invitation(group=group, date=date, time=time, place=place, topic=topic)


def _invitation(*, group: BkbGroup, date: datetime.date, time: str, place: str, topic: str) -> str:
    lines = [
        _("Undangan pertemuan %(group)s") % {"group": group.label},
        "",
        _("Hari/tanggal: %(date)s") % {"date": _long_date(date)},
        _("Jam: %(time)s") % {"time": time},
    ]
    if place:
        lines.append(_("Tempat: %(place)s") % {"place": place})
    if topic:
        lines.append(_("Materi: %(topic)s") % {"topic": topic})
    lines += [
        "",
        _("Mohon hadir bersama si kecil dan membawa KKA. Terima kasih."),
        _("Kader %(group)s") % {"group": group.label},
    ]
    return "\n".join(lines)


def reminder_text(*, session: CoachingSession, language: str = Family.Language.INDONESIAN) -> str:
    with translation.override(language):
        return "\n".join(
            [
                _("Ibu/Bapak belum sempat hadir di pertemuan %(group)s pada %(date)s (materi: %(topic)s).")
                % {"group": session.group.label, "date": _long_date(session.date), "topic": session.topic.name},
                _("Kader akan berkunjung ke rumah untuk berbagi materinya. Sampai jumpa di pertemuan berikutnya!"),
                _("Kader %(group)s") % {"group": session.group.label},
            ]
        )


def greeting(family: Family) -> str:
    with translation.override(family.language or Family.Language.INDONESIAN):
        return _("Ibu %(name)s,") % {"name": family.mother_name}


def family_link(family: Family, text: str) -> str:
    """The wa.me link sending `text` (already in the family's language) to the family, after the greeting;
    "" when the family gave no usable number."""
    number = family_number(family)
    return f"https://wa.me/{number}?text={quote(greeting(family) + chr(10) + text, safe='')}" if number else ""


def family_number(family: Family) -> str:
    if not family.whatsapp_or_phone:
        return ""
    try:
        return whatsapp_number(normalise_phone(family.whatsapp_or_phone))
    except ValidationError:
        return ""  # an old, badly typed number: the cadre sees "no number" and fixes it


def recipients(families, text_in: Callable[[str], str]) -> list[Recipient]:
    """A wa.me link per family: `text_in(language)` in the family's language, opening with the mother's name."""
    texts: dict[str, str] = {}
    rows = []
    for family in families:
        language = family.language or Family.Language.INDONESIAN
        if language not in texts:
            texts[language] = text_in(language)
        rows.append(Recipient(family=family, number=family_number(family), link=family_link(family, texts[language])))
    return rows


# From the month's task list: one family at a time, in its own language. -----------------


def visit_text(*, family: Family, group: BkbGroup) -> str:
    """A member who missed this month's meetings: the cadre asks when she may come by."""
    with translation.override(family.language or Family.Language.INDONESIAN):
        return "\n".join(
            [
                _("Ibu/Bapak belum sempat hadir di pertemuan %(group)s bulan ini.") % {"group": group.label},
                _("Kader ingin berkunjung ke rumah untuk berbagi materinya. Kapan Ibu/Bapak ada di rumah?"),
                _("Kader %(group)s") % {"group": group.label},
            ]
        )


def kka_due_text(*, child: Child, group: BkbGroup) -> str:
    """A child not yet checked on the KKA this month."""
    with translation.override(child.family.language or Family.Language.INDONESIAN):
        return "\n".join(
            [
                _("%(child)s belum diperiksa perkembangannya (KKA) bulan ini.") % {"child": child.name},
                _("Mohon datang ke pertemuan %(group)s membawa KKA, atau kabari kader kapan bisa dikunjungi.")
                % {"group": group.label},
                _("Kader %(group)s") % {"group": group.label},
            ]
        )


def referral_follow_up_text(*, referral: Referral, group: BkbGroup) -> str:
    """A referral made weeks ago with no outcome recorded yet."""
    with translation.override(referral.child.family.language or Family.Language.INDONESIAN):
        return "\n".join(
            [
                _("Bagaimana hasil rujukan %(child)s ke %(to)s pada %(date)s?")
                % {"child": referral.child.name, "to": referral.referred_to, "date": _long_date(referral.date)},
                _("Mohon kabari kader hasilnya, atau bila belum sempat ke sana. Terima kasih."),
                _("Kader %(group)s") % {"group": group.label},
            ]
        )
