"""Ready-to-send WhatsApp texts: the invitation to the next meeting and the
reminder for members who missed one.

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
from families.models import Family
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


def recipients(families, text_in: Callable[[str], str]) -> list[Recipient]:
    """A wa.me link per family: `text_in(language)` in the family's language, opening with the mother's name."""
    texts: dict[str, str] = {}
    rows = []
    for family in families:
        language = family.language or Family.Language.INDONESIAN
        if language not in texts:
            texts[language] = text_in(language)
        text = texts[language]
        number = ""
        try:
            number = whatsapp_number(normalise_phone(family.whatsapp_or_phone)) if family.whatsapp_or_phone else ""
        except ValidationError:
            number = ""  # an old, badly typed number: the cadre sees "no number" and fixes it
        link = f"https://wa.me/{number}?text={quote(greeting(family) + chr(10) + text, safe='')}" if number else ""
        rows.append(Recipient(family=family, number=number, link=link))
    return rows
