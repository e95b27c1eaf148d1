"""Loading and switching development instruments (the KKA item lists).

An instrument file is a CSV with the columns of families/data/milestones.csv:
code, band_start_month, band_end_month, aspect, text_id, text_en. A file is
loaded whole or not at all: every bad row is reported at once, by line number,
so an admin can fix the spreadsheet in one go.

Excel set to Indonesian saves "CSV" with semicolons (the comma is the decimal
sign there), often with a byte-order mark or in Windows-1252: all are read.
"""

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from families.models import Aspect, Instrument, Milestone
from groups import changes

COLUMNS = ("code", "band_start_month", "band_end_month", "aspect", "text_id", "text_en")
REQUIRED = ("code", "band_start_month", "band_end_month", "aspect", "text_id")
MAX_MONTH = 72


DELIMITERS = (",", ";", "\t")


def _text_stream(csv_file):
    """A text stream from a path, a text file or a binary upload (UTF-8 with or without BOM, else Windows-1252)."""
    if isinstance(csv_file, str | Path):
        data = Path(csv_file).read_bytes()
    else:
        if hasattr(csv_file, "open") and hasattr(csv_file, "chunks"):  # Django UploadedFile
            csv_file.open("rb")
            csv_file = csv_file.file
        data = csv_file.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp1252", errors="replace")
    return io.StringIO(data.removeprefix("\ufeff"), newline="")


def _delimiter(header_line: str) -> str:
    """The separator that splits the header into the most known column names (Excel: ";")."""
    return max(DELIMITERS, key=lambda d: sum(name.strip().strip('"') in COLUMNS for name in header_line.split(d)))


def _int(value: str):
    try:
        return int(value.strip())
    except (AttributeError, ValueError):
        return None


def parse_rows(stream) -> list[dict]:
    """Rows as Milestone field dicts; ValidationError listing every bad line."""
    text = stream.read()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(_("Kolom wajib tidak ada: %(cols)s.") % {"cols": ", ".join(missing)})
    reader.fieldnames = header
    errors, rows, seen = [], [], {}
    aspects = set(Aspect.values)
    for raw in reader:
        line = reader.line_num
        row = {key: (value or "").strip() for key, value in raw.items() if key in COLUMNS}
        if not any(row.values()):
            continue  # blank lines at the end of a spreadsheet export
        problems = []
        code = row.get("code", "")
        if not code:
            problems.append(_("kode kosong"))
        elif len(code) > 20:
            problems.append(_("kode '%(v)s' lebih dari 20 huruf") % {"v": code})
        elif code in seen:
            problems.append(_("kode '%(v)s' sudah dipakai di baris %(n)s") % {"v": code, "n": seen[code]})
        else:
            seen[code] = line
        start, end = _int(row.get("band_start_month", "")), _int(row.get("band_end_month", ""))
        if start is None:
            problems.append(_("awal rentang '%(v)s' bukan bilangan bulat") % {"v": row.get("band_start_month", "")})
        if end is None:
            problems.append(_("akhir rentang '%(v)s' bukan bilangan bulat") % {"v": row.get("band_end_month", "")})
        if start is not None and end is not None:
            if not (0 <= start <= MAX_MONTH and 0 <= end <= MAX_MONTH):
                problems.append(_("rentang %(a)s-%(b)s di luar 0-72 bulan") % {"a": start, "b": end})
            elif end <= start:
                problems.append(_("akhir rentang %(b)s harus lebih besar dari awal %(a)s") % {"a": start, "b": end})
        aspect = row.get("aspect", "")
        if aspect not in aspects:
            problems.append(
                _("aspek '%(v)s' tidak dikenal (yang dikenal: %(codes)s)")
                % {"v": aspect, "codes": ", ".join(Aspect.values)}
            )
        text_id = row.get("text_id", "")
        if not text_id:
            problems.append(_("tugas perkembangan (text_id) kosong"))
        elif len(text_id) > 255 or len(row.get("text_en", "")) > 255:
            problems.append(_("teks lebih dari 255 huruf"))
        if problems:
            errors.append(_("baris %(n)s: %(what)s") % {"n": line, "what": "; ".join(problems)})
            continue
        rows.append(
            {
                "code": code,
                "band_start_month": start,
                "band_end_month": end,
                "aspect": aspect,
                "text_id": text_id,
                "text_en": row.get("text_en", ""),
            }
        )
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Berkas tidak berisi satu pun tugas perkembangan."))
    return rows


@transaction.atomic
def instrument_activate(instrument: Instrument) -> Instrument:
    """Make this the instrument in use; all others stop being used."""
    # Deactivate first: the partial unique constraint allows one active row at a time.
    # Every child's KKA status, in every month, is read on the instrument in use.
    with changes.told(None):
        Instrument.objects.filter(active=True).exclude(pk=instrument.pk).update(active=False)
    if not instrument.active:
        instrument.active = True
        instrument.save(update_fields=["active"])
    return instrument


def load_instrument(csv_file, *, name: str, source: str = "", activate: bool = False) -> Instrument:
    """Create an instrument with its milestones from a CSV (path, text or binary file).

    Nothing is saved unless every row is valid.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Isi nama instrumen."))
    rows = parse_rows(_text_stream(csv_file))
    with transaction.atomic():
        if Instrument.objects.filter(name=name).exists():
            raise ValidationError(_("Instrumen bernama '%(v)s' sudah ada: pakai nama lain.") % {"v": name})
        instrument = Instrument.objects.create(name=name, source=source)
        Milestone.objects.bulk_create(Milestone(instrument=instrument, **row) for row in rows)
        if activate:
            instrument_activate(instrument)
    return instrument
