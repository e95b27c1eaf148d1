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
    person = Cadre.objects.create(name=fields.pop("name", f"Kader {next(_seq)}"), user=user, **fields)
    CadreRole.objects.create(cadre=person, group=group, role=role, age_group=age_group)
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
