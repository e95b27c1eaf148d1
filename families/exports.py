"""A group's registers as spreadsheets: its children and its cadres (issue 15).

Each builder is `(group, today) -> sheets.Sheet`, reading in a fixed number
of queries whatever the group's size; group_views.register_export serves
them through REGISTER_TABLES.
"""

import dataclasses
import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bkb.lib.sheets import BOOL, DATE, DECIMAL, INT, Column, Sheet
from cadres.models import Cadre, CadreRole, Training
from families import growth, kka, spreadsheet
from families.models import Child, KkaCheck, Measurement
from groups.models import BkbGroup


def _yes_no(value: bool) -> str:
    return _("Ya") if value else _("Tidak")


def _capitalised(columns: list[Column]) -> list[Column]:
    # Some headers share a model field's msgid, lower case in English ("child's NIK").
    return [dataclasses.replace(column, header=capfirst(column.header)) for column in columns]


def _preamble(title: str, group: BkbGroup, today: datetime.date) -> list[str]:
    return [
        f"{title}: {group.name} (RW {group.rw}), {group.desa.label}, {group.desa.parent.label}",
        _("Per tanggal %(day)s") % {"day": today.isoformat()},
    ]


# --- Children -----------------------------------------------------------------------------


def children_of(group: BkbGroup, today: datetime.date) -> QuerySet:
    """The group's children in the programme on `today`, with their KKA status, latest
    measurement (its id) and last KKA check, all computed in the one query."""
    latest = Measurement.objects.filter(child=OuterRef("pk"), date__lte=today).order_by("-date", "-pk")
    checks = KkaCheck.objects.filter(child=OuterRef("pk"), date__lte=today).order_by("-date", "-pk")
    children = (
        Child.objects.in_programme_on(today)
        .filter(family__group=group)
        .select_related("family")
        .annotate(
            latest_measurement_id=Subquery(latest.values("pk")[:1]),
            last_kka_check_on=Subquery(checks.values("date")[:1]),
        )
        .order_by("-birth_date", "name", "pk")
    )
    return kka.annotate_kka_status(children, today)


def children_columns() -> list[Column]:
    return _capitalised(
        [
            Column("name", _("Nama anak"), width=24),
            Column("nik", _("NIK anak"), width=20),
            Column("sex", _("Jenis kelamin"), width=12),
            Column("birth_date", _("Tanggal lahir"), DATE, width=12),
            Column("age_months", _("Umur (bulan)"), INT, width=8),
            Column("mother_name", _("Nama ibu"), width=24),
            Column("kk_number", _("Nomor KK"), width=20),
            Column("measured_on", _("Tanggal ukur terakhir"), DATE, width=12),
            Column("weight_kg", _("Berat badan (kg)"), DECIMAL, places=2, width=10),
            Column("height_cm", _("Panjang/tinggi badan (cm)"), DECIMAL, places=1, width=10),
            Column("position", _("Cara ukur"), width=20),
            Column("haz", _("Skor-z TB/U"), DECIMAL, places=2, width=9),
            Column("waz", _("Skor-z BB/U"), DECIMAL, places=2, width=9),
            Column("whz", _("Skor-z BB/TB"), DECIMAL, places=2, width=9),
            Column("baz", _("Skor-z IMT/U"), DECIMAL, places=2, width=9),
            Column("hfa", _("Kategori TB/U"), width=18),
            Column("wfa", _("Kategori BB/U"), width=22),
            Column("wfh", _("Kategori BB/TB"), width=20),
            Column("kka", _("Status KKA"), width=24),
            Column("kka_checked_on", _("Pemeriksaan KKA terakhir"), DATE, width=12),
        ]
    )


def children_rows(group: BkbGroup, today: datetime.date) -> list[list]:
    children = list(children_of(group, today))
    ids = [child.latest_measurement_id for child in children if child.latest_measurement_id]
    measured = Measurement.objects.in_bulk(ids) if ids else {}
    rows = []
    for child in children:
        m = measured.get(child.latest_measurement_id)
        shown = kka.KkaStatus.shown(child.kka_status, child.kka_referred)
        rows.append(
            [
                child.name,
                child.nik,
                child.get_sex_display(),
                child.birth_date,
                child.age_months(today),
                child.family.mother_name,
                child.family.kk_number,
                m.date if m else None,
                m.weight_kg if m else None,
                m.height_cm if m else None,
                m.get_position_display() if m else None,
                m.haz if m else None,
                m.waz if m else None,
                m.whz if m else None,
                m.baz if m else None,
                growth.category_label("hfa", m.haz) if m else None,
                growth.category_label("wfa", m.waz) if m else None,
                growth.category_label("wfh", m.whz) if m else None,
                str(kka.KkaStatus.LABELS[shown]),
                child.last_kka_check_on,
            ]
        )
    return rows


def children_sheet(group: BkbGroup, today: datetime.date) -> Sheet:
    return Sheet(
        title=_("Anak"),
        columns=children_columns(),
        rows=children_rows(group, today),
        preamble=_preamble(_("Daftar anak"), group, today),
    )


# --- Cadres -------------------------------------------------------------------------------


def serving_cadres(group: BkbGroup) -> QuerySet:
    """The cadres the group page lists: who serves here now, and those who left the
    programme (kept on the register); not a cadre whose roles here ended while she
    serves elsewhere."""
    serving = Q(roles__group=group) & (Q(roles__ended_on__isnull=True) | Q(active=False))
    return Cadre.objects.filter(serving).distinct().with_training().order_by("-active", "name")


def current_roles(group: BkbGroup) -> dict[int, list[CadreRole]]:
    """{cadre id: her current roles in the group} (one query)."""
    roles = CadreRole.objects.current().filter(group=group).order_by("age_group", "role")
    by_cadre: dict[int, list[CadreRole]] = {}
    for role in roles:
        by_cadre.setdefault(role.cadre_id, []).append(role)
    return by_cadre


def role_text(role: CadreRole) -> str:
    text = str(role.get_role_display())
    return text if role.age_group is None else f"{text} {role.get_age_group_display()}"


def cadres_columns() -> list[Column]:
    return _capitalised(
        [
            Column("name", _("Nama kader"), width=24),
            Column("nik", _("NIK"), width=20),
            Column("sex", _("Jenis kelamin"), width=12),
            Column("phone", _("Nomor HP"), width=16),
            Column("education", _("Pendidikan"), width=12),
            Column("date_joined", _("Mulai menjadi kader"), DATE, width=12),
            Column("active", _("Aktif"), BOOL, width=8),
            Column("roles", _("Peran di kelompok ini"), width=30),
            Column("trained", _("Sudah dilatih"), BOOL, width=8),
            Column("trainings", _("Jumlah pelatihan"), INT, width=8),
            Column("last_training", _("Pelatihan terakhir"), DATE, width=12),
            Column("training_kinds", _("Jenis pelatihan"), width=30),
        ]
    )


def cadres_rows(group: BkbGroup, today: datetime.date) -> list[list]:
    cadres = list(serving_cadres(group))
    roles = current_roles(group)
    trainings: dict[int, list[Training]] = {}
    for training in Training.objects.filter(cadre__in=[cadre.pk for cadre in cadres]).order_by("date", "pk"):
        trainings.setdefault(training.cadre_id, []).append(training)
    rows = []
    for cadre in cadres:
        done = trainings.get(cadre.pk, [])
        kinds = list(dict.fromkeys(str(training.get_kind_display()) for training in done))
        rows.append(
            [
                cadre.name,
                cadre.nik,
                cadre.get_sex_display(),
                cadre.phone,
                cadre.get_education_display(),
                cadre.date_joined,
                _yes_no(cadre.active),
                ", ".join(role_text(role) for role in roles.get(cadre.pk, [])),
                _yes_no(cadre.is_trained),
                len(done),
                done[-1].date if done else None,
                ", ".join(kinds),
            ]
        )
    return rows


def cadres_sheet(group: BkbGroup, today: datetime.date) -> Sheet:
    return Sheet(
        title=_("Kader"),
        columns=cadres_columns(),
        rows=cadres_rows(group, today),
        preamble=_preamble(_("Daftar kader"), group, today),
    )


# The group's registers a page offers to download, by the name in the address.
REGISTER_TABLES = {
    # The import template's columns, filled: what families.imports reads back.
    "keluarga": spreadsheet.register_sheet,
    "anak": children_sheet,
    "kader": cadres_sheet,
}
