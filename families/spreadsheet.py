"""The family register as a spreadsheet: one row a child, its family's columns beside it.

The same columns are the import template (empty, with drop-down lists), the
register export (filled), and what families.imports reads back, so a group's
export imports into another group unchanged. Headers are the registration
form's own labels; coded columns hold the labels people read ("Perempuan",
"Suntik"), never our codes.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bkb.lib import sheets
from bkb.lib.inputs import search_key
from families.models import Child, Family
from groups.models import BkbGroup


@dataclass(frozen=True)
class Field:
    """A column of the register: a form field of the family or of a child."""

    name: str
    of: str  # "family" or "child"
    kind: str = sheets.TEXT
    choices: tuple = ()  # (value, label) pairs of a coded column
    places: int = 1
    width: int = 16
    required: bool = False

    def model_field(self):
        return (Family if self.of == "family" else Child)._meta.get_field(self.name)

    @property
    def header(self) -> str:
        return capfirst(str(self.model_field().verbose_name))

    @property
    def labels(self) -> list[str]:
        return [str(label) for _value, label in self.choices]

    def column(self) -> sheets.Column:
        return sheets.Column(self.name, self.header, self.kind, tuple(self.labels), self.places, self.width)


YES, NO = gettext_lazy("Ya"), gettext_lazy("Tidak")
BOOL_CHOICES = ((True, YES), (False, NO))


def _choices(model, name: str) -> tuple:
    return tuple(model._meta.get_field(name).choices)


FIELDS = [
    Field("kk_number", "family", width=20),
    Field("mother_name", "family", width=24, required=True),
    Field("caregiver", "family", choices=_choices(Family, "caregiver")),
    Field("mother_nik", "family", width=20),
    Field("father_name", "family", width=22),
    Field("phone", "family"),
    Field("whatsapp", "family"),
    Field("language", "family", choices=_choices(Family, "language")),
    Field("address", "family", width=24),
    Field("rt", "family", width=6),
    Field("rw", "family", width=6),
    Field("is_pus", "family", sheets.BOOL, BOOL_CHOICES, width=8),
    Field("kb_method", "family", choices=_choices(Family, "kb_method")),
    Field("welfare_stage", "family", choices=_choices(Family, "welfare_stage")),
    Field("is_pkh", "family", sheets.BOOL, BOOL_CHOICES, width=8),
    Field("stunting_risk", "family", sheets.BOOL, BOOL_CHOICES, width=8),
    Field("joined_on", "family", sheets.DATE),
    Field("notes", "family", width=24),
    Field("name", "child", width=22, required=True),
    Field("sex", "child", choices=_choices(Child, "sex"), required=True),
    Field("birth_date", "child", sheets.DATE, required=True),
    Field("nik", "child", width=20),
    Field("birth_weight_kg", "child", sheets.DECIMAL, places=2),
    Field("birth_length_cm", "child", sheets.DECIMAL, places=1),
]
FAMILY_FIELDS = [field for field in FIELDS if field.of == "family"]
CHILD_FIELDS = [field for field in FIELDS if field.of == "child"]
NUMBER_FIELDS = ("kk_number", "mother_nik", "nik")


def confirm_column() -> sheets.Column:
    """The spreadsheet's form of the registration form's "this is a different child" tick."""
    return sheets.Column("confirm_not_duplicate", _("Anak berbeda (konfirmasi)"), sheets.BOOL, (str(YES), str(NO)))


def columns() -> list[sheets.Column]:
    return [field.column() for field in FIELDS] + [confirm_column()]


def header_key(text: str) -> str:
    """A header as matching compares it: "NIK ibu/pengasuh" and "nik ibu / pengasuh" are one column."""
    return "".join(search_key(str(text)).split())


def _cell(field: Field, value):
    if value is None or value == "":
        return None
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return value


def register_rows(group: BkbGroup, today: datetime.date):
    """The group's register today: member families and their children in the programme, a row a child.

    A family without a child in the programme is not on it: the register is of families with toddlers.
    """
    children = Child.objects.in_programme_on(today).order_by("birth_date", "name", "pk")
    families = (
        Family.objects.filter(group=group)
        .members_on(today)
        .filter(pk__in=children.filter(family__group=group).values("family"))
        .prefetch_related(Prefetch("children", queryset=children, to_attr="listed"))
        .order_by("mother_name", "pk")
    )
    for family in families:
        for child in family.listed:
            yield [_cell(field, getattr(family if field.of == "family" else child, field.name)) for field in FIELDS] + [
                None
            ]


def register_sheet(group: BkbGroup, today: datetime.date) -> sheets.Sheet:
    return sheets.Sheet(_("Keluarga dan anak"), columns(), register_rows(group, today))


TEMPLATE_ROWS = 300


def template_sheets() -> list[sheets.Sheet]:
    """The empty template: the register's columns with drop-downs, and a sheet that says how to fill it."""
    guide = [
        sheets.Column("column", _("Kolom"), width=28),
        sheets.Column("required", _("Wajib"), width=8),
        sheets.Column("how", _("Cara mengisi"), width=90),
    ]
    hints = {
        sheets.DATE: _("Tanggal, misalnya 17-08-2025."),
        sheets.DECIMAL: _("Angka; koma atau titik, misalnya 3,2."),
        sheets.BOOL: _("Ya atau Tidak."),
    }
    rows = []
    for field in FIELDS:
        if field.name in NUMBER_FIELDS:
            how = _(
                "16 angka, ditulis sebagai teks (kolom ini sudah berformat Teks). Kosong: nomor yang tersimpan tetap."
            )
        elif field.choices and field.kind != sheets.BOOL:
            how = _("Pilih dari daftar: %(list)s.") % {"list": ", ".join(field.labels)}
        else:
            how = hints.get(field.kind, "")
        rows.append([field.header, str(YES) if field.required else "", how])
    rows.append(
        [
            str(confirm_column().header),
            "",
            _(
                "Isi Ya bila anak ini mirip anak lain yang sudah terdaftar (nama ibu dan tanggal lahir sama) "
                "tetapi memang berbeda."
            ),
        ]
    )
    rows.append(
        [
            _("Satu baris"),
            "",
            _(
                "Satu baris untuk satu anak. Anak kedua: ulangi data keluarga, atau isi nama ibu saja tepat di bawah "
                "baris kakaknya. Keluarga dicocokkan dengan No. KK, lalu NIK ibu, lalu nama ibu."
            ),
        ]
    )
    rows.append(
        [
            _("Sel kosong"),
            "",
            _("Sel kosong tidak mengubah data yang sudah tercatat; untuk keluarga baru berlaku isian bawaan formulir."),
        ]
    )
    return [
        sheets.Sheet(_("Keluarga dan anak"), columns(), template_rows=TEMPLATE_ROWS),
        sheets.Sheet(_("Petunjuk"), guide, rows),
    ]
