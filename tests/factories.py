"""Small builders for test data: plain functions, explicit defaults."""

import datetime
import itertools

from cadres.models import Cadre, CadreRole, Training
from families.models import Child, Family
from groups.models import Area, BkbGroup, User

_seq = itertools.count(1)


def nik(prefix: str = "3211") -> str:
    return f"{prefix}{next(_seq):012d}"


def area(name: str, level: int, parent: Area | None = None) -> Area:
    return Area.objects.create(name=name, level=level, parent=parent)


def group(desa: Area, name: str | None = None, **fields) -> BkbGroup:
    return BkbGroup.objects.create(name=name or f"BKB {next(_seq)}", desa=desa, rw=fields.pop("rw", "01"), **fields)


def user(username: str, role: str, areas=(), **fields) -> User:
    person = User.objects.create_user(username, password="pw-test-123", role=role, **fields)
    if areas:
        person.areas.set(areas)
    return person


def cadre(
    group: BkbGroup, *, user: User | None = None, role: str = "inti", age_group: int | None = 0, **fields
) -> Cadre:
    if role in ("ketua", "sekretaris", "bendahara"):
        age_group = None
    ended_on = fields.pop("ended_on", None)
    person = Cadre.objects.create(name=fields.pop("name", f"Kader {next(_seq)}"), user=user, **fields)
    if not person.active and ended_on is None:
        ended_on = person.date_joined  # as the migration records a leaver whose end date is unknown
    CadreRole.objects.create(
        cadre=person, group=group, role=role, age_group=age_group, started_on=person.date_joined, ended_on=ended_on
    )
    return person


def training(cadre: Cadre, date: datetime.date, kind: str = "dasar") -> Training:
    return Training.objects.create(cadre=cadre, kind=kind, date=date)


def family(group: BkbGroup, **fields) -> Family:
    fields.setdefault("mother_name", f"Ibu {next(_seq)}")
    fields.setdefault("joined_on", datetime.date(2024, 1, 1))
    return Family.objects.create(group=group, **fields)


def child(family: Family, birth_date: datetime.date, **fields) -> Child:
    fields.setdefault("name", f"Anak {next(_seq)}")
    fields.setdefault("sex", "F")
    return Child.objects.create(family=family, birth_date=birth_date, **fields)


# --- sessions (coaching) ---------------------------------------------------------------


def topic(name: str | None = None, **fields):
    from sessions.models import Topic

    return Topic.objects.create(name=name or f"Materi {next(_seq)}", **fields)


def coaching_session(group: BkbGroup, date: datetime.date, age_groups=(0,), topic_=None, **fields):
    from sessions.models import CoachingSession

    return CoachingSession.objects.create(
        group=group, date=date, age_groups=list(age_groups), topic=topic_ or topic(), **fields
    )


def instrument_with_milestones(bands=((0, 3), (3, 6), (12, 18), (24, 36)), name: str | None = None):
    """An active instrument with one milestone per band, text "Tugas <start>-<end> bln"."""
    from families.models import Instrument, Milestone

    # Only one instrument is active at a time; the migrations load the default one.
    Instrument.objects.filter(active=True).update(active=False)
    instrument = Instrument.objects.create(name=name or f"Instrumen uji {next(_seq)}", active=True)
    for start, end in bands:
        Milestone.objects.create(
            instrument=instrument,
            code=f"T{start:02d}{end:02d}",
            band_start_month=start,
            band_end_month=end,
            aspect="motorik_kasar",
            text_id=f"Tugas {start}-{end} bln",
        )
    return instrument


# --- KKA and growth (families) ---------------------------------------------


def kka_instrument(milestones=(), *, name: str | None = None, active: bool = True):
    """An instrument of (code, band_start, band_end, aspect) tuples; active replaces the shipped one."""
    from families.instruments import instrument_activate
    from families.models import Instrument, Milestone

    instrument = Instrument.objects.create(name=name or f"Instrumen {next(_seq)}")
    Milestone.objects.bulk_create(
        Milestone(
            instrument=instrument, code=code, band_start_month=start, band_end_month=end, aspect=aspect, text_id=code
        )
        for code, start, end, aspect in milestones
    )
    if active:
        instrument_activate(instrument)
    return instrument


def milestone_record(child, milestone, achieved_on: datetime.date, **fields):
    from families.models import MilestoneRecord

    return MilestoneRecord.objects.create(child=child, milestone=milestone, achieved_on=achieved_on, **fields)


def kka_check(child, date: datetime.date, *, instrument=None, **fields):
    """A KKA check of the child on `date` (on the active instrument unless given)."""
    from families.models import Instrument, KkaCheck

    instrument = instrument or Instrument.objects.get(active=True)
    return KkaCheck.objects.create(child=child, instrument=instrument, date=date, **fields)


def measurement(child, date: datetime.date, weight_kg="9.0", height_cm="75.0", position="lying", **scores):
    """A measurement row written directly (z-scores as given), for tests of reads."""
    from families.models import Measurement

    return Measurement.objects.create(
        child=child, date=date, weight_kg=weight_kg, height_cm=height_cm, position=position, **scores
    )


def month_in_bulk(group, children: int, *, instrument, today, checked_on, session_on, phone="", born=None) -> None:
    """`children` children in families of two, in every state the month's task lists look at, made in bulk.

    Ages spread over the programme's six years (`born` overrides some: index -> birth date); a
    third of the children checked on `checked_on`, half measured today, a fifth referred 40
    days ago and still open, a session on `session_on` with half the families, a quarter visited.
    """
    from families.models import KkaCheck, Measurement, Referral
    from sessions.models import Attendance, HomeVisit

    families = Family.objects.bulk_create(
        Family(group=group, mother_name=f"Ibu {n:03d}", phone=phone, joined_on=datetime.date(2024, 1, 1))
        for n in range(children // 2)
    )
    births = [today - datetime.timedelta(days=30 + n * 97 % 2100) for n in range(children)]
    for index, day in (born or {}).items():
        births[index] = day
    kids = Child.objects.bulk_create(
        Child(family=families[n // 2], name=f"Anak {n:03d}", sex="F", birth_date=day) for n, day in enumerate(births)
    )
    KkaCheck.objects.bulk_create(
        KkaCheck(child=kid, instrument=instrument, date=kid.birth_date if n % 3 else checked_on)
        for n, kid in enumerate(kids)
    )
    Measurement.objects.bulk_create(
        Measurement(child=kid, date=today, weight_kg=9, height_cm=75, position="lying") for kid in kids[::2]
    )
    Referral.objects.bulk_create(
        Referral(child=kid, date=today - datetime.timedelta(days=40), referred_to="Puskesmas") for kid in kids[::5]
    )
    session = coaching_session(group, session_on)
    Attendance.objects.bulk_create(Attendance(session=session, family=family) for family in families[::2])
    HomeVisit.objects.bulk_create(HomeVisit(family=family, date=today) for family in families[1::4])
