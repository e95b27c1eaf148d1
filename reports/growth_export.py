"""An area's month of growth measurements for the health system (issue 15).

The columns the Posyandu growth report asks for (the child's NIK, name, sex, birth date,
mother, address, the date, weight, length/height and how it was measured, the z-scores and
their Permenkes 2/2020 categories), one row a measurement, by kecamatan, desa, group, child
and date. One query whatever the size: the rows stream from the database into the sheet.
"""

from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bkb.lib import sheets
from bkb.lib.ages import age_in_months
from bkb.lib.months import Month
from families import growth
from families.models import Measurement
from groups.models import Area

# As the Posyandu forms write them.
SEX_CODES = {"M": "L", "F": "P"}
# (stored field, growth indicator, header)
SCORES = [("waz", "wfa", "BB/U"), ("haz", "hfa", "TB/U"), ("whz", "wfh", "BB/TB"), ("baz", "bfa", "IMT/U")]
_GROUP = "child__family__group"
_ORDER = [
    f"{_GROUP}__desa__parent__name",
    f"{_GROUP}__desa__name",
    f"{_GROUP}__name",
    "child__name",
    "date",
]


def measurements(groups: QuerySet, month: Month) -> QuerySet:
    """Every measurement dated in `month` of the children of `groups`, in the export's order."""
    return (
        Measurement.objects.filter(child__family__group__in=groups, date__range=(month.first, month.last))
        .select_related(f"{_GROUP}__desa__parent", "child__family")
        .order_by(*_ORDER, "pk")
    )


def columns() -> list[sheets.Column]:
    return [
        sheets.Column("nik", _("NIK anak"), sheets.TEXT, width=19),
        sheets.Column("name", _("Nama anak"), width=24),
        sheets.Column("sex", _("Jenis kelamin"), choices=("L", "P"), width=8),
        sheets.Column("birth_date", _("Tanggal lahir"), sheets.DATE, width=12),
        sheets.Column("mother", _("Nama ibu"), width=24),
        sheets.Column("address", _("Alamat"), width=44),
        sheets.Column("group", _("Kelompok BKB"), width=20),
        sheets.Column("date", _("Tanggal ukur"), sheets.DATE, width=12),
        sheets.Column("age", _("Umur (bulan)"), sheets.INT, width=8),
        sheets.Column("weight", _("Berat badan (kg)"), sheets.DECIMAL, places=2, width=10),
        sheets.Column("height", _("Panjang/tinggi badan (cm)"), sheets.DECIMAL, places=1, width=12),
        sheets.Column("position", _("Cara ukur"), width=12),
        *[sheets.Column(f"z_{field}", f"z {name}", sheets.DECIMAL, places=2, width=8) for field, _i, name in SCORES],
        *[
            sheets.Column(f"status_{field}", _("Status %(index)s") % {"index": name}, width=24)
            for field, _i, name in SCORES
        ],
    ]


def position_label(position: str) -> str:
    return _("terlentang") if position == Measurement.Position.LYING else _("berdiri")


def address(family, desa: Area) -> str:
    parts = [family.address.strip()]
    if family.rt or family.rw:
        parts.append(f"RT {family.rt or '-'}/RW {family.rw or '-'}")
    parts.append(desa.label)
    if desa.parent is not None:
        parts.append(desa.parent.label)
    return ", ".join(part for part in parts if part)


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def row(measurement: Measurement) -> list:
    child = measurement.child
    family = child.family
    group = family.group
    return [
        child.nik or None,
        child.name,
        SEX_CODES.get(child.sex, child.sex),
        child.birth_date,
        family.mother_name,
        address(family, group.desa),
        group.name,
        measurement.date,
        age_in_months(child.birth_date, measurement.date),
        measurement.weight_kg,
        measurement.height_cm,
        position_label(measurement.position),
        *[_score(getattr(measurement, field)) for field, _i, _n in SCORES],
        *[growth.category_label(indicator, getattr(measurement, field)) for field, indicator, _n in SCORES],
    ]


def sheet(groups: QuerySet, month: Month) -> sheets.Sheet:
    rows = (row(measurement) for measurement in measurements(groups, month).iterator(chunk_size=2000))
    return sheets.Sheet(title=_("Pertumbuhan %(month)s") % {"month": month}, columns=columns(), rows=rows)


def filename(area: Area, month: Month) -> str:
    return f"pertumbuhan-{slugify(area.name) or area.pk}-{month}"
