"""Tables in and out as spreadsheets: .xlsx through openpyxl, and .csv.

Every export and the family import read and write through here, so a date is
a date cell everywhere, a number a number cell, the header row is frozen, and
a text cell is never taken for a formula. A .csv is UTF-8 with a byte-order
mark (so Excel on a Windows laptop reads "Nur'aini" right), comma-separated,
with dates as YYYY-MM-DD and decimals with a point; reading accepts a comma,
a semicolon (Excel's list separator in Indonesian) or a tab.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.urls import register_converter
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

TEXT, INT, DECIMAL, DATE, BOOL = "text", "int", "decimal", "date", "bool"
# Excel's own limits on a drop-down written inline ("a,b,c"): longer lists go on a hidden sheet.
_INLINE_LIST_MAX = 250
_NUMBER_FORMATS = {INT: "0", DATE: "DD-MM-YYYY", TEXT: "@"}
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    # The allowed values, offered as a drop-down in a template.
    choices: Sequence[str] = ()
    # Decimal places for DECIMAL cells.
    places: int = 1
    width: int = 14


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    # One sequence of values a row, in column order; None is an empty cell.
    rows: Iterable[Sequence] = ()
    # Empty rows of a template that carry the drop-downs and the text format.
    template_rows: int = 0
    # Lines above the header (a title, the period); the header row is frozen below them.
    preamble: list[str] = field(default_factory=list)


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook with one worksheet a sheet, written as it streams (a kabupaten's month fits)."""
    book = Workbook(write_only=True)
    lists = None
    for sheet in sheets:
        ws = book.create_sheet(_safe_title(sheet.title))
        header_row = len(sheet.preamble) + 1
        # The frozen pane and the widths before any row: a write-only sheet writes them with its first row.
        ws.freeze_panes = f"A{header_row + 1}"
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        for line in sheet.preamble:
            ws.append([_text_cell(ws, line, bold=True)])
        ws.append([_text_cell(ws, str(column.header), bold=True) for column in sheet.columns])
        count = 0
        for values in sheet.rows:
            ws.append([_cell(ws, column, value) for column, value in zip(sheet.columns, values, strict=True)])
            count += 1
        last = header_row + max(count, sheet.template_rows, 1)
        if sheet.columns:
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.columns))}{last}"
        for _row in range(sheet.template_rows):
            ws.append([_cell(ws, column, None) for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            if not column.choices:
                continue
            letter = get_column_letter(index)
            inline = ",".join(column.choices)
            if len(inline) <= _INLINE_LIST_MAX and not any("," in choice for choice in column.choices):
                formula = f'"{inline}"'
            else:
                if lists is None:
                    lists = book.create_sheet("daftar")
                    lists.sheet_state = "hidden"
                    list_columns = []
                list_columns.append(column.choices)
                where = get_column_letter(len(list_columns))
                formula = f"daftar!${where}$1:${where}${len(column.choices)}"
            validation = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Pilihan tidak dikenal"),
                error=_("Pilih salah satu dari daftar."),
            )
            validation.add(f"{letter}{header_row + 1}:{letter}{last}")
            ws.data_validations.append(validation)
    if lists is not None:
        # Written last: a write-only sheet takes its rows once, and the lists are known only now.
        longest = max(len(values) for values in list_columns)
        for row in range(longest):
            lists.append([values[row] if row < len(values) else None for values in list_columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Sheet"


def _text_cell(ws, value: str, *, bold: bool = False):
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # never a formula, whatever it starts with
    if bold:
        cell.font = Font(bold=True)
    return cell


def _cell(ws, column: Column, value):
    if value is None or value == "":
        cell = WriteOnlyCell(ws, value=None)
    elif column.kind == TEXT or isinstance(value, str):
        return _text_cell(ws, str(value))
    elif column.kind == DECIMAL:
        cell = WriteOnlyCell(ws, value=float(value))
        cell.number_format = "0." + "0" * column.places if column.places else "0"
        return cell
    elif column.kind == BOOL:
        return _text_cell(ws, str(value))
    else:
        cell = WriteOnlyCell(ws, value=value)
    if column.kind in _NUMBER_FORMATS:
        cell.number_format = _NUMBER_FORMATS[column.kind]
    return cell


def csv_bytes(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(column.header) for column in sheet.columns])
    for values in sheet.rows:
        writer.writerow([_csv_value(column, value) for column, value in zip(sheet.columns, values, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if column.kind == DECIMAL and isinstance(value, (float, Decimal)):
        return f"{value:.{column.places}f}"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


FORMATS = ("xlsx", "csv")


class FormatConverter:
    """`<sheet:fmt>` in a URL: a download's format, so an address asking for another is not found
    before any view runs, and no view checks it again."""

    regex = "|".join(FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "sheet")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def response(sheets: list[Sheet], filename: str, fmt: str) -> HttpResponse:
    """A download of `sheets` as `filename`.xlsx, or the first sheet as `filename`.csv."""
    content = xlsx_bytes(sheets) if fmt == "xlsx" else csv_bytes(sheets[0])
    reply = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    reply["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return reply


# --- Reading --------------------------------------------------------------------------


class SheetError(ValueError):
    """A file that cannot be read as a table: said to the person who uploaded it."""


@dataclass(frozen=True)
class Problem:
    """A cell of an uploaded table that is wrong, said at its row and column."""

    row: int
    column: str
    message: str
    # What the cell held, shown beside the message so she finds it in her file.
    value: str = ""

    def __str__(self) -> str:
        return _("Baris %(row)s, kolom %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Table:
    headers: list[str]
    # (the row's number as the spreadsheet shows it, its cells by header)
    rows: list[tuple[int, dict[str, object]]]
    header_row: int = 1


def _too_large() -> str:
    return _("Berkas terlalu besar (lebih dari %(n)s MB).") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}


def read_upload(upload) -> tuple[bytes, Table]:
    """An uploaded file's bytes and its table (read_table); one over the limit is refused before it is read."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise SheetError(_too_large())
    content = upload.read()
    return content, read_table(content, upload.name)


def read_table(content: bytes, filename: str, *, sheet: str | None = None, header: str | None = None) -> Table:
    """The first table of an .xlsx (the sheet named `sheet` when it has one) or a .csv.

    Cells keep their type from an .xlsx (a date cell is a date, a number a number);
    from a .csv everything is text. Empty rows are skipped; the header is the
    first row with anything in it, or with `header`, the first row whose first
    cell is `header` (the lines of a preamble above it are skipped).
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise SheetError(_too_large())
    name = filename.lower()
    if name.endswith(".xlsx") or (content[:4] == b"PK\x03\x04" and not name.endswith((".csv", ".txt"))):
        lines = _xlsx_lines(content, sheet)
    elif name.endswith((".csv", ".txt")):
        lines = _csv_lines(content)
    else:
        raise SheetError(_("Pilih berkas .xlsx atau .csv."))
    headers: list[str] | None = None
    header_row = 1
    rows = []
    for number, values in lines:
        cleaned = [_clean(value) for value in values]
        if not any(value not in (None, "") for value in cleaned):
            continue
        if headers is None:
            if header is not None and str(cleaned[0] or "").strip() != header:
                continue
            headers = [" ".join(str(value or "").split()) for value in cleaned]
            while headers and not headers[-1]:
                headers.pop()  # the empty cells a sheet's width pads the row with
            header_row = number
            continue
        if len(rows) >= MAX_ROWS:
            raise SheetError(_("Berkas berisi lebih dari %(n)s baris: bagi menjadi beberapa berkas.") % {"n": MAX_ROWS})
        rows.append((number, {header: value for header, value in zip(headers, cleaned, strict=False) if header}))
    if headers is None:
        raise SheetError(_("Berkas ini kosong."))
    return Table(headers, rows, header_row)


def _clean(value):
    # Only the ends: a line break in a note or two spaces in an address are the record's own.
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    return value


def _unreadable() -> str:
    return _("Berkas ini tidak dapat dibaca sebagai .xlsx. Simpan ulang dari Excel sebagai .xlsx.")


# A sheet may claim a million rows and columns for one stray cell: reading stops at these.
MAX_COLUMNS = 80
EMPTY_ROWS_MAX = 1000


def _xlsx_lines(content: bytes, sheet: str | None):
    # A damaged workbook can fail anywhere in openpyxl or the XML parser below it, with any
    # exception; every one of them means the same to the person uploading it.
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001
        raise SheetError(_unreadable()) from error
    lines, empty = [], 0
    try:
        ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
        for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if all(value is None or value == "" for value in values):
                empty += 1
                if empty > EMPTY_ROWS_MAX:
                    break
                continue
            empty = 0
            lines.append((number, list(values)))
            if len(lines) > MAX_ROWS + 1:
                break  # read_table says the file is too long
    except Exception as error:  # noqa: BLE001
        raise SheetError(_unreadable()) from error
    finally:
        book.close()
    return lines


def _unquote(value: str) -> str:
    # The apostrophe our .csv puts before a formula-like text, or a person before a number kept as text.
    if value.startswith("'") and value[1:2] and (value[1] in _FORMULA_START or value[1].isdigit()):
        return value[1:]
    return value


def _csv_lines(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows writes the machine's code page.
        text = content.decode("cp1252", errors="replace")
    text = text.replace("\x00", "")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, [_unquote(value) for value in values]) for number, values in enumerate(reader, start=1)]
    except csv.Error as error:
        raise SheetError(_("Berkas .csv ini rusak: %(e)s") % {"e": error}) from error
