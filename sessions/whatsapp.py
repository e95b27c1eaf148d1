"""Ready-to-send WhatsApp texts: the invitation to the next meeting and the
reminder for members who missed one.

Cadres invite and remind mothers through WhatsApp; we only prepare the text
and a wa.me link per member (no API: the cadre presses send herself).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from families.models import Family
from groups.models import BkbGroup
from groups.validators import normalise_phone, whatsapp_number
from sessions.models import CoachingSession


@dataclass
class Recipient:
    family: Family
    number: str  # 62…, or "" when the family gave none
    link: str


def _long_date(day: datetime.date) -> str:
    return date_format(day, "l, j F Y")


def invitation_text(*, group: BkbGroup, date: datetime.date, time: str, place: str, topic: str) -> str:
    lines = [
        _("Undangan pertemuan BKB %(group)s") % {"group": group.name},
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
        _("Kader BKB %(group)s") % {"group": group.name},
    ]
    return "\n".join(lines)


def reminder_text(*, session: CoachingSession) -> str:
    return "\n".join(
        [
            _("Ibu/Bapak belum sempat hadir di pertemuan BKB %(group)s pada %(date)s (materi: %(topic)s).")
            % {"group": session.group.name, "date": _long_date(session.date), "topic": session.topic.name},
            _("Kader akan berkunjung ke rumah untuk berbagi materinya. Sampai jumpa di pertemuan berikutnya!"),
            _("Kader BKB %(group)s") % {"group": session.group.name},
        ]
    )


def greeting(family: Family) -> str:
    return _("Ibu %(name)s,") % {"name": family.mother_name}


def recipients(families, text: str) -> list[Recipient]:
    """A wa.me link per family, its text opening with the mother's name."""
    rows = []
    for family in families:
        number = ""
        try:
            number = whatsapp_number(normalise_phone(family.whatsapp_or_phone)) if family.whatsapp_or_phone else ""
        except ValidationError:
            number = ""  # an old, badly typed number: the cadre sees "no number" and fixes it
        link = f"https://wa.me/{number}?text={quote(greeting(family) + chr(10) + text, safe='')}" if number else ""
        rows.append(Recipient(family=family, number=number, link=link))
    return rows
