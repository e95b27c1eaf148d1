"""An area's month for DHIS2 (issue 15): a `dataValueSets` JSON, through a kabupaten's mapping.

The admin uploads the mapping as a table (.csv with comma or semicolon, or .xlsx; read by
bkb.lib.sheets) with the columns `jenis` ("indikator" or "wilayah"), `kode` (our figure key,
or the area's kode wilayah or name), `dhis2` (the DHIS2 uid) and `coc` (an optional
categoryOptionCombo uid, for indicators). A row with an empty `dhis2` maps nothing. Every
row is checked and the mapping is saved only when none is wrong.

The values are the recap's totals (reports.area.recap, with every figure): what the recap
page and its PDF print. A figure without a data element is listed, never dropped silently.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bkb.lib import sheets
from bkb.lib.months import Month
from groups.models import Area
from reports import figures
from reports.area import Recap
from reports.models import Dhis2Mapping

# DHIS2's uid: 11 letters or digits, the first a letter.
UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
FIGURE, AREA = "indikator", "wilayah"
KINDS = (FIGURE, AREA)
REQUIRED = ("jenis", "kode", "dhis2")
OPTIONAL = ("coc",)


class NoOrgUnit(LookupError):
    """The area has no organisation unit in its kabupaten's mapping."""


def period(month: Month) -> str:
    """DHIS2's monthly period: 202610."""
    return f"{month.year:04d}{month.month:02d}"


def mapping_for(area: Area) -> Dhis2Mapping | None:
    """The mapping of the area's kabupaten (one query), or None above kabupaten level or without one."""
    if area.level < Area.Level.KABUPATEN:
        return None
    return Dhis2Mapping.objects.filter(area__path=area.path_at(Area.Level.KABUPATEN)).first()


def unmapped(mapping: Dhis2Mapping | None) -> list[tuple[str, str]]:
    """(key, label) of every figure the mapping gives no data element, in the figures' order."""
    mapped = mapping.figures if mapping is not None else {}
    return [(key, figures.label(key)) for key in figures.FIGURE_KEYS if key not in mapped]


def mapped_figures(mapping: Dhis2Mapping | None) -> list[tuple[str, str, dict]]:
    """(key, label, {"dataElement", "categoryOptionCombo"?}) of every mapped figure, in the figures' order."""
    mapped = mapping.figures if mapping is not None else {}
    return [(key, figures.label(key), mapped[key]) for key in figures.FIGURE_KEYS if key in mapped]


def mapped_areas(mapping: Dhis2Mapping | None) -> list[tuple[Area, str]]:
    """(area, orgUnit uid) of every mapped area, in the tree's order (one query)."""
    units = mapping.org_units if mapping is not None else {}
    if not units:
        return []
    areas = Area.objects.filter(pk__in=[int(pk) for pk in units]).order_by("path")
    return [(area, units[str(area.pk)]) for area in areas]


def data_value_set(
    recap: Recap, mapping: Dhis2Mapping, *, complete_date: datetime.date | None = None
) -> tuple[dict, list[tuple[str, str]]]:
    """The recap's month as a DHIS2 dataValueSets document, and the figures left out (key, label).

    No database access: `recap.totals.counts` holds the values, `mapping` the uids. Raises
    NoOrgUnit when the mapping names no organisation unit for `recap.area`.
    """
    org_unit = mapping.org_unit(recap.area)
    if not org_unit:
        raise NoOrgUnit(recap.area.pk)
    when = period(recap.month)
    values = []
    for key in figures.FIGURE_KEYS:
        target = mapping.figures.get(key)
        if not target:
            continue
        value = {"dataElement": target["dataElement"], "period": when, "orgUnit": org_unit}
        if target.get("categoryOptionCombo"):
            value["categoryOptionCombo"] = target["categoryOptionCombo"]
        # DHIS2 carries every value as a string.
        value["value"] = str(int(recap.totals.counts.get(key, 0)))
        values.append(value)
    document = {}
    if mapping.data_set:
        document["dataSet"] = mapping.data_set
    document.update(
        {
            "period": when,
            "orgUnit": org_unit,
            "completeDate": (complete_date or timezone.localdate()).isoformat(),
            "dataValues": values,
        }
    )
    return document, unmapped(mapping)


def filename(area: Area, month: Month) -> str:
    return f"dhis2-{slugify(area.name) or area.pk}-{month}.json"


# --- The mapping as a table --------------------------------------------------------------


@dataclass
class ReadMapping:
    figures: dict = field(default_factory=dict)
    org_units: dict = field(default_factory=dict)
    errors: list[sheets.Problem] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A kode wilayah typed into Excel as a number.
        return str(int(value))
    return str(value).strip()


def _areas_of(kabupaten: Area) -> tuple[dict[str, Area], dict[str, list[Area]]]:
    """The kabupaten and every area under it, by kode wilayah and by name (lower case, bare and with its word)."""
    by_code: dict[str, Area] = {}
    by_name: dict[str, list[Area]] = {}
    for area in Area.objects.filter(path__startswith=kabupaten.path).order_by("path"):
        if area.code:
            by_code[area.code.strip().lower()] = area
        for name in {area.name.lower(), area.label.lower()}:
            by_name.setdefault(name, []).append(area)
    return by_code, by_name


def read_mapping(table: sheets.Table, kabupaten: Area) -> ReadMapping:
    """The figures and org units of `table` for `kabupaten`, or the errors of every wrong row."""
    found = ReadMapping()
    headers = {header.strip().lower(): header for header in table.headers if header}
    missing = [name for name in REQUIRED if name not in headers]
    for name in missing:
        found.errors.append(sheets.Problem(table.header_row, name, _("kolom ini tidak ada di baris judul.")))
    if missing:
        return found
    by_code, by_name = _areas_of(kabupaten)
    seen_key: dict[str, int] = {}
    seen_element: dict[tuple[str, str], int] = {}
    seen_area: dict[int, int] = {}
    seen_unit: dict[str, int] = {}

    for number, cells in table.rows:

        def cell(name: str, cells=cells) -> str:
            return _text(cells.get(headers[name])) if name in headers else ""

        def error(column: str, message: str, number=number) -> None:
            found.errors.append(sheets.Problem(number, column, message))

        kind, code, uid, coc = cell("jenis").lower(), cell("kode"), cell("dhis2"), cell("coc")
        if kind not in KINDS:
            error("jenis", _("tulis 'indikator' atau 'wilayah', bukan '%(value)s'.") % {"value": kind[:40]})
            continue
        if not code:
            error("kode", _("kosong."))
            continue
        if not uid:
            if coc:
                error("dhis2", _("kosong, padahal kolom coc diisi."))
            continue  # not mapped: listed as such
        if not UID.match(uid):
            error("dhis2", _("'%(value)s' bukan uid DHIS2 (11 huruf/angka, diawali huruf).") % {"value": uid[:40]})
            continue
        if coc and not UID.match(coc):
            error("coc", _("'%(value)s' bukan uid DHIS2 (11 huruf/angka, diawali huruf).") % {"value": coc[:40]})
            continue
        if kind == FIGURE:
            key = code.lower()
            if key not in figures.FIGURE_POPULATION:
                error("kode", _("indikator '%(value)s' tidak dikenal: lihat contoh pemetaan.") % {"value": code[:60]})
                continue
            if key in seen_key:
                error("kode", _("indikator %(key)s sudah ada di baris %(row)s.") % {"key": key, "row": seen_key[key]})
                continue
            if (uid, coc) in seen_element:
                error(
                    "dhis2",
                    _("data element %(uid)s sudah dipakai di baris %(row)s.")
                    % {"uid": uid, "row": seen_element[(uid, coc)]},
                )
                continue
            seen_key[key] = seen_element[(uid, coc)] = number
            found.figures[key] = {"dataElement": uid, **({"categoryOptionCombo": coc} if coc else {})}
        else:
            if coc:
                error("coc", _("hanya untuk indikator, bukan wilayah."))
                continue
            area = by_code.get(code.lower())
            if area is None:
                named = by_name.get(code.lower(), [])
                if len(named) > 1:
                    error(
                        "kode",
                        _("ada %(n)s wilayah bernama '%(value)s': tulis kode wilayahnya.")
                        % {
                            "n": len(named),
                            "value": code[:60],
                        },
                    )
                    continue
                area = named[0] if named else None
            if area is None:
                elsewhere = Area.objects.filter(Q(code__iexact=code) | Q(name__iexact=code)).exists()
                if elsewhere:
                    error(
                        "kode",
                        _("wilayah '%(value)s' di luar %(kabupaten)s.")
                        % {
                            "value": code[:60],
                            "kabupaten": kabupaten.label,
                        },
                    )
                else:
                    error("kode", _("wilayah '%(value)s' tidak dikenal.") % {"value": code[:60]})
                continue
            if area.pk in seen_area:
                error(
                    "kode",
                    _("%(area)s sudah ada di baris %(row)s.")
                    % {
                        "area": area.label,
                        "row": seen_area[area.pk],
                    },
                )
                continue
            if uid in seen_unit:
                error(
                    "dhis2",
                    _("unit organisasi %(uid)s sudah dipakai di baris %(row)s.")
                    % {
                        "uid": uid,
                        "row": seen_unit[uid],
                    },
                )
                continue
            seen_area[area.pk] = seen_unit[uid] = number
            found.org_units[str(area.pk)] = uid
    return found


def mapping_save(*, kabupaten: Area, read: ReadMapping, data_set: str, user) -> Dhis2Mapping:
    """Replace the kabupaten's mapping with `read` (which has no errors): the whole of it or nothing."""
    if read.errors:
        raise ValueError("a mapping with errors is not saved")
    with transaction.atomic():
        mapping, _created = Dhis2Mapping.objects.update_or_create(
            area=kabupaten,
            defaults={
                "figures": read.figures,
                "org_units": read.org_units,
                "data_set": data_set,
                "uploaded_by": user,
                "uploaded_at": timezone.now(),
            },
        )
    return mapping


def example_sheet(kabupaten: Area, mapping: Dhis2Mapping | None) -> sheets.Sheet:
    """Every figure (key, label) and every area of the kabupaten, with the current uids where mapped."""
    current_figures = mapping.figures if mapping else {}
    current_units = mapping.org_units if mapping else {}
    rows = []
    for key in figures.FIGURE_KEYS:
        target = current_figures.get(key, {})
        rows.append([FIGURE, key, figures.label(key), target.get("dataElement"), target.get("categoryOptionCombo")])
    for area in Area.objects.filter(path__startswith=kabupaten.path).order_by("path"):
        rows.append([AREA, area.code or area.name, area.label, current_units.get(str(area.pk)), None])
    return sheets.Sheet(
        title=_("Pemetaan DHIS2"),
        columns=[
            sheets.Column("jenis", "jenis", choices=KINDS, width=12),
            sheets.Column("kode", "kode", width=28),
            sheets.Column("nama", "nama", width=44),
            sheets.Column("dhis2", "dhis2", width=16),
            sheets.Column("coc", "coc", width=16),
        ],
        rows=rows,
    )
