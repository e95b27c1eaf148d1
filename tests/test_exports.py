"""Spreadsheet exports (issue 15): a group's registers, a month's figures, an area recap.

Each file is read back twice: with sheets.read_table (what an importer sees)
and with openpyxl (the cell types, the frozen header). The values are
compared with what the pages show, read from their context, not written here.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bkb.lib import sheets
from bkb.lib.months import Month
from cadres.access import groups_visible_to
from families import exports as family_exports
from families import growth, kka
from reports import area as area_recaps
from reports import exports as report_exports
from reports import figures
from reports.services import report_submit
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONTH = Month.of(TODAY).previous()


def back(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def in_month(day: int) -> datetime.date:
    return MONTH.first + datetime.timedelta(days=day - 1)


@pytest.fixture
def registers(world):
    group = world["group_a"]
    instrument = f.instrument_with_milestones()
    euis = f.family(group, mother_name="Euis", kk_number=f.nik("3211"), is_pus=True, kb_method="suntik")
    rina = f.family(group, mother_name="Rina", kk_number=f.nik("3211"))
    gone = f.family(group, mother_name="Pindah", left_on=back(40))
    bima = f.child(euis, back(16 * 31), name="Bima", sex="M", nik=f.nik("3211"))
    zahra = f.child(rina, back(8 * 31), name="Zahra")
    f.child(gone, back(400), name="Pergi")
    f.measurement(bima, in_month(3), weight_kg="9.10", height_cm="74.0", haz=-1.0, waz=-1.0, whz=0.1, baz=0.2)
    # The latest one is the row's; in the month, with z-scores below -2.
    f.measurement(bima, in_month(20), weight_kg="9.45", height_cm="75.5", haz=-2.51, waz=-1.23, whz=-0.4, baz=-0.3)
    f.kka_check(bima, in_month(4), instrument=instrument)
    f.kka_check(bima, in_month(20), instrument=instrument)
    oom = f.cadre(group, name="Oom", role="inti", age_group=1, nik=f.nik("3211"), phone="081234567890")
    f.training(oom, back(300), kind="dasar")
    f.training(oom, back(30), kind="kka")
    f.cadre(group, name="Berhenti", role="bantu", active=False, date_joined=back(900))
    # Served here once, now serves another group: not on this group's register.
    moved = f.cadre(world["group_b"], name="Pindahan", role="inti")
    moved.roles.create(group=group, role="piket", age_group=2, started_on=back(800), ended_on=back(100))
    return {"group": group, "bima": bima, "zahra": zahra, "oom": oom}


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def export_url(group, table: str, fmt: str = "xlsx") -> str:
    return reverse("groups:export", args=[group.pk, table, fmt])


def rows_by(table: sheets.Table, header: str) -> dict:
    return {cells[header]: cells for _number, cells in table.rows}


def header_row(ws, header: str) -> int:
    """The sheet's header row: the first row whose first cell is `header` (a preamble is above it)."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == header:
            return row[0].row
    raise AssertionError(f"no header {header!r}")


def cells_of(ws, header: str, name: str) -> dict:
    """The openpyxl cells of the row whose first column is `name`, by header."""
    top = header_row(ws, header)
    headers = [cell.value for cell in ws[top]]
    for row in ws.iter_rows(min_row=top + 1):
        if row[0].value == name:
            return dict(zip(headers, row, strict=True))
    raise AssertionError(f"no row {name!r}")


def xlsx_and_csv(client, url: str, header: str) -> tuple[sheets.Table, object, sheets.Table]:
    """The export read back as a table and as a workbook, and its .csv as a table (same rows)."""
    response = download(client, url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.xlsx"')
    table = sheets.read_table(response.content, "export.xlsx", header=header)
    book = workbook(response.content)
    ws = book.worksheets[0]
    assert ws.freeze_panes == f"A{header_row(ws, header) + 1}"
    csv_url = url.removesuffix(".xlsx") + ".csv"
    csv_response = download(client, csv_url)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Content-Disposition"].endswith('.csv"')
    csv_table = sheets.read_table(csv_response.content, "export.csv")
    assert csv_table.headers == [h for h in table.headers if h]
    assert len(csv_table.rows) == len(table.rows)
    first = table.headers[0]
    assert [cells[first] for _n, cells in csv_table.rows] == [str(cells[first]) for _n, cells in table.rows]
    return table, book, csv_table


def test_a_preamble_keeps_the_header_frozen_and_readable():
    sheet = sheets.Sheet(
        "T", [sheets.Column("a", "A"), sheets.Column("n", "N", sheets.INT)], [["x", 1]], preamble=["Judul", "Per"]
    )
    content = sheets.xlsx_bytes([sheet])
    ws = workbook(content).worksheets[0]
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["A"].width == 14
    table = sheets.read_table(content, "t.xlsx", header="A")
    assert table.headers == ["A", "N"] and table.rows == [(4, {"A": "x", "N": 1})]
    assert sheets.read_table(content, "t.xlsx").headers == ["Judul"]  # without `header`: the first line


# --- the children -------------------------------------------------------------------------


def test_children_export_has_typed_cells_and_the_latest_growth(registers, world, login):
    group, bima = registers["group"], registers["bima"]
    client = login(world["cadre_a"])
    table, book, csv_table = xlsx_and_csv(client, export_url(group, "anak"), "Nama anak")
    by_name = rows_by(table, "Nama anak")
    # In the programme today: not the child of the family that left.
    assert set(by_name) == {"Bima", "Zahra"}
    row = by_name["Bima"]
    latest = bima.measurements.order_by("-date").first()
    assert row["NIK anak"] == bima.nik and isinstance(row["NIK anak"], str) and len(row["NIK anak"]) == 16
    assert row["Nomor KK"] == bima.family.kk_number
    assert row["Tanggal lahir"] == bima.birth_date
    assert row["Umur (bulan)"] == bima.age_months(TODAY)
    assert row["Nama ibu"] == "Euis"
    assert row["Tanggal ukur terakhir"] == latest.date
    assert Decimal(str(row["Berat badan (kg)"])) == latest.weight_kg
    assert Decimal(str(row["Panjang/tinggi badan (cm)"])) == latest.height_cm
    assert row["Skor-z TB/U"] == pytest.approx(latest.haz)
    assert row["Kategori TB/U"] == str(growth.LABELS["hfa"][growth.categorise("hfa", latest.haz)])
    assert row["Kategori BB/U"] == str(growth.LABELS["wfa"][growth.categorise("wfa", latest.waz)])
    assert row["Pemeriksaan KKA terakhir"] == bima.kka_checks.order_by("-date").first().date
    assert by_name["Zahra"]["Tanggal ukur terakhir"] is None and by_name["Zahra"]["Berat badan (kg)"] is None

    cells = cells_of(book.worksheets[0], "Nama anak", "Bima")
    assert cells["Tanggal lahir"].is_date and cells["Tanggal ukur terakhir"].is_date
    assert cells["Pemeriksaan KKA terakhir"].is_date
    assert cells["Umur (bulan)"].data_type == "n" and isinstance(cells["Umur (bulan)"].value, int)
    assert cells["Berat badan (kg)"].data_type == "n" and cells["Berat badan (kg)"].number_format == "0.00"
    assert cells["Skor-z TB/U"].data_type == "n"
    assert cells["NIK anak"].data_type == "s" and cells["NIK anak"].value == bima.nik

    csv_bima = rows_by(csv_table, "Nama anak")["Bima"]
    assert csv_bima["NIK anak"] == bima.nik
    assert csv_bima["Tanggal lahir"] == bima.birth_date.isoformat()
    assert csv_bima["Berat badan (kg)"] == f"{latest.weight_kg:.2f}"


def test_children_kka_status_is_the_rosters(registers, world, login):
    client = login(world["cadre_a"])
    roster = client.get(reverse("sessions:roster", args=[registers["group"].pk]))
    shown = {child.name: str(child.kka_label) for band in roster.context["bands"] for child in band.children}
    content = download(client, export_url(registers["group"], "anak")).content
    table = sheets.read_table(content, "a.xlsx", header="Nama anak")
    exported = {cells["Nama anak"]: cells["Status KKA"] for _n, cells in table.rows}
    assert exported == shown
    assert set(exported.values()) <= {str(label) for label in kka.KkaStatus.LABELS.values()}
    assert b'id="export-anak"' in roster.content


# --- the cadres ---------------------------------------------------------------------------


def test_cadres_export_lists_the_group_pages_cadres(registers, world, login):
    group, oom = registers["group"], registers["oom"]
    client = login(world["supervisor"])
    page = client.get(reverse("groups:detail", args=[group.pk]))
    assert b'id="export-kader"' in page.content and b'id="export-anak"' in page.content
    listed = [cadre.name for cadre, _roles, _new in page.context["cadre_rows"]]
    table, book, _csv = xlsx_and_csv(client, export_url(group, "kader"), "Nama kader")
    assert [cells["Nama kader"] for _n, cells in table.rows] == listed
    assert "Pindahan" not in listed
    by_name = rows_by(table, "Nama kader")
    row = by_name["Oom"]
    trainings = list(oom.trainings.order_by("date"))
    assert row["NIK"] == oom.nik and len(row["NIK"]) == 16
    assert row["Nomor HP"] == "081234567890"  # the leading zero kept: text
    assert row["Sudah dilatih"] == "Ya" and by_name["Imas"]["Sudah dilatih"] == "Tidak"
    assert row["Jumlah pelatihan"] == len(trainings)
    assert row["Pelatihan terakhir"] == trainings[-1].date
    assert row["Jenis pelatihan"] == ", ".join(str(t.get_kind_display()) for t in trainings)
    assert (
        row["Peran di kelompok ini"]
        == f"{oom.roles.get().get_role_display()} {oom.roles.get().get_age_group_display()}"
    )
    assert by_name["Berhenti"]["Aktif"] == "Tidak" and row["Aktif"] == "Ya"
    cells = cells_of(book.worksheets[0], "Nama kader", "Oom")
    assert cells["Mulai menjadi kader"].is_date and cells["Pelatihan terakhir"].is_date
    assert cells["Jumlah pelatihan"].data_type == "n"
    assert cells["Nomor HP"].data_type == "s"


def _grow(group, n: int) -> None:
    for index in range(n):
        family = f.family(group, kk_number=f.nik("3212"))
        child = f.child(family, back(100 + 37 * index), nik=f.nik("3213"))
        f.measurement(child, back(5), haz=-1.0, waz=0.0, whz=0.0)
        f.measurement(child, back(40), haz=-1.0, waz=0.0, whz=0.0)
        cadre = f.cadre(group, role="inti", age_group=index % 6)
        f.training(cadre, back(50))
        f.training(cadre, back(20), kind="kka")


@pytest.mark.parametrize("table", ["anak", "kader"])
def test_register_exports_run_a_fixed_number_of_queries(registers, world, login, django_assert_max_num_queries, table):
    client = login(world["supervisor"])
    group = registers["group"]
    url = export_url(group, table)
    download(client, url)  # warm: the session, the kept statuses
    with CaptureQueriesContext(connection) as small:
        download(client, url)
    counted = len(small)  # now: the next request clears the connection's log
    _grow(group, 12)
    with django_assert_max_num_queries(counted):
        big = download(client, url)
    first = {"anak": "Nama anak", "kader": "Nama kader"}[table]
    assert len(sheets.read_table(big.content, "a.xlsx", header=first).rows) >= 12


# --- the month's figures ------------------------------------------------------------------


def month_url(group, fmt: str = "xlsx") -> str:
    return reverse("reports:group_month_export", args=[group.pk, str(MONTH), fmt])


def _figures_of(table: sheets.Table) -> dict[str, int]:
    return {cells["Kode"]: cells["Jumlah"] for _n, cells in table.rows}


def test_month_figures_equal_the_page(registers, world, login):
    group = registers["group"]
    client = login(world["cadre_a"])
    page = client.get(reverse("reports:group_month", args=[group.pk, str(MONTH)]))
    assert b'id="export-angka"' in page.content
    table, book, csv_table = xlsx_and_csv(client, month_url(group), "Kode")
    assert _figures_of(table) == page.context["f"].counts
    assert list(_figures_of(table)) == figures.FIGURE_KEYS
    assert page.context["f"]["measured"] >= 1 and page.context["f"]["stunted"] >= 1  # something is counted
    by_key = rows_by(table, "Kode")
    assert by_key["measured"]["Indikator"] == figures.label("measured")
    share = page.context["f"].stunted_ratio
    assert by_key["stunted"]["Penyebut"] == share.whole and by_key["stunted"]["Persen"] == pytest.approx(share.pct)
    ws = book.worksheets[0]
    assert cells_of(ws, "Kode", "measured")["Jumlah"].data_type == "n"
    assert {cells["Kode"]: int(cells["Jumlah"]) for _n, cells in csv_table.rows} == page.context["f"].counts
    preamble = [row[0].value for row in ws.iter_rows(max_row=header_row(ws, "Kode") - 1, max_col=1)]
    assert any(group.name in line for line in preamble)
    assert any("belum dikirim" in line for line in preamble)


def test_month_figures_follow_the_page_after_a_report_is_sent(registers, world, login):
    """The page counts live figures even with a report standing; so does the export,
    which says which version stands."""
    group = registers["group"]
    report = report_submit(group=group, month=MONTH, user=world["cadre_a"], now=timezone.now())
    # A late measurement changes the live count, not the frozen report.
    f.measurement(registers["zahra"], in_month(25), haz=-3.1, waz=-1.0, whz=-1.0)
    client = login(world["supervisor"])
    page = client.get(reverse("reports:group_month", args=[group.pk, str(MONTH)]))
    response = download(client, month_url(group))
    table = sheets.read_table(response.content, "a.xlsx", header="Kode")
    assert _figures_of(table) == page.context["f"].counts
    assert _figures_of(table)["measured"] != report.snapshot["counts"]["measured"]
    ws = workbook(response.content).worksheets[0]
    preamble = " ".join(str(row[0].value) for row in ws.iter_rows(max_row=header_row(ws, "Kode") - 1, max_col=1))
    assert f"versi {report.version}" in preamble


# --- the area recap -----------------------------------------------------------------------


def recap_url(area, fmt: str = "xlsx") -> str:
    return reverse("reports:area_recap_export", args=[area.pk, str(MONTH), fmt])


RECAP_HEADERS = [figures.label(key) for key in area_recaps.RECAP_COUNTS]


def test_kecamatan_recap_has_the_group_rows_and_totals(registers, world, login):
    client = login(world["supervisor"])
    area = world["kec_a"]
    page = client.get(reverse("reports:area_recap", args=[area.pk, str(MONTH)]))
    assert b'id="export-rekap"' in page.content
    table, book, _csv = xlsx_and_csv(client, recap_url(area), "Kelompok")
    expected = area_recaps.recap(area, groups_visible_to(world["supervisor"]).in_area(area), MONTH)
    rows = [cells for _n, cells in table.rows]
    assert [cells["Kelompok"] for cells in rows[:-1]] == [row.group.name for row in page.context["rows"]]
    for cells, row in zip(rows[:-1], expected.rows, strict=True):
        assert [cells[h] for h in RECAP_HEADERS] == [row.figures[key] for key in area_recaps.RECAP_COUNTS]
    totals = rows[-1]
    assert totals["Kelompok"].startswith("Jumlah")
    assert [totals[h] for h in RECAP_HEADERS] == [page.context["totals"][k] for k in area_recaps.RECAP_COUNTS]
    assert [totals[h] for h in RECAP_HEADERS] == [expected.totals[k] for k in area_recaps.RECAP_COUNTS]
    assert totals[figures.label("measured")] >= 1
    ws = book.worksheets[0]
    assert cells_of(ws, "Kelompok", "BKB Melati")[figures.label("families_members")].data_type == "n"


def test_kabupaten_recap_has_a_row_per_kecamatan(registers, world, login):
    client = login(world["admin"])
    area = world["kab"]
    page = client.get(reverse("reports:area_recap", args=[area.pk, str(MONTH)]))
    table, _book, _csv = xlsx_and_csv(client, recap_url(area), "Kecamatan")
    rows = [cells for _n, cells in table.rows]
    kecamatans = page.context["kecamatans"]
    assert [cells["Kecamatan"] for cells in rows[:-1]] == [row.area.label for row in kecamatans]
    for cells, row in zip(rows[:-1], kecamatans, strict=True):
        assert cells["Kelompok"] == row.groups
        assert [cells[h] for h in RECAP_HEADERS] == [row.figures[key] for key in area_recaps.RECAP_COUNTS]
    assert rows[-1]["Kelompok"] == page.context["recap"].groups
    assert [rows[-1][h] for h in RECAP_HEADERS] == [page.context["totals"][k] for k in area_recaps.RECAP_COUNTS]


# --- scope --------------------------------------------------------------------------------


def test_exports_go_through_the_pages_visibility(registers, world, login):
    group = registers["group"]
    garut_admin = f.user("admin_garut", "admin", areas=[world["other_kab"]])
    group_urls = [export_url(group, table, fmt) for table in ("anak", "kader") for fmt in sheets.FORMATS]
    group_urls += [month_url(group, fmt) for fmt in sheets.FORMATS]
    for url in group_urls:
        assert login(world["cadre_b"]).get(url).status_code == 404, url
        assert login(garut_admin).get(url).status_code == 404, url
        assert login(world["supervisor"]).get(url).status_code == 200, url
        assert login(world["admin"]).get(url).status_code == 200, url
    for fmt in sheets.FORMATS:
        assert login(world["cadre_a"]).get(recap_url(world["kec_a"], fmt)).status_code == 403
        assert login(world["supervisor"]).get(recap_url(world["kab"], fmt)).status_code == 404
        assert login(garut_admin).get(recap_url(world["kab"], fmt)).status_code == 404
    cadre_a = login(world["cadre_a"])
    assert cadre_a.get(export_url(group, "keluarga-lain")).status_code == 404
    # No address exists for another format (the URL's <sheet:fmt>): asked by hand, it is not found.
    assert cadre_a.get(export_url(group, "anak", "xlsx").replace(".xlsx", ".pdf")).status_code == 404
    assert cadre_a.get(month_url(group, "xlsx").replace(".xlsx", ".ods")).status_code == 404
    assert (
        login(world["supervisor"]).get(recap_url(world["kec_a"], "xlsx").replace(".xlsx", ".json")).status_code == 404
    )


def test_filenames_are_ascii_slugs(registers, world, login):
    group = registers["group"]
    group.name = "BKB Melati Ñusa/2"
    group.save()
    disposition = download(login(world["cadre_a"]), export_url(group, "anak", "csv"))["Content-Disposition"]
    assert disposition == f'attachment; filename="anak-bkb-melati-nusa2-{group.pk}-{TODAY.isoformat()}.csv"'
    disposition = download(login(world["cadre_a"]), month_url(group))["Content-Disposition"]
    assert disposition == f'attachment; filename="angka-bkb-melati-nusa2-{group.pk}-{MONTH}.xlsx"'


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_register_table_downloads_and_nothing_else(registers, world, login, fmt):
    client = login(world["cadre_a"])
    for table in family_exports.REGISTER_TABLES:
        content = download(client, export_url(registers["group"], table, fmt)).content
        assert sheets.read_table(content, f"x.{fmt}").rows, table
    assert client.get(export_url(registers["group"], "keluarga-lain", fmt)).status_code == 404
    # The families register is the import template's columns: what families.imports reads back.
    content = download(client, export_url(registers["group"], "keluarga", fmt)).content
    found = sheets.read_table(content, f"x.{fmt}")
    assert [name for _n, row in found.rows for name in [row["Nama ibu/pengasuh utama"]]] == ["Euis", "Rina"]


def test_headers_follow_the_language(registers):
    with translation.override("en"):
        sheet = family_exports.children_sheet(registers["group"], TODAY)
        month = figures_sheet(registers["group"])
    assert [column.header for column in sheet.columns][:2] == ["Child's name", "Child's NIK"]
    assert month.columns[0].header == "Code"
    assert family_exports.children_sheet(registers["group"], TODAY).columns[0].header == "Nama anak"


def figures_sheet(group):
    found = report_exports.month_figures(group, MONTH)
    return report_exports.month_sheet(group, MONTH, found, report=None, counted_at=None)


@pytest.mark.parametrize("kind", ["angka", "rekap"])
def test_report_exports_run_a_fixed_number_of_queries(registers, world, login, django_assert_max_num_queries, kind):
    client = login(world["supervisor"])
    group = registers["group"]
    url = month_url(group) if kind == "angka" else recap_url(world["kec_a"])
    download(client, url)  # warm: the kept rows counted
    with CaptureQueriesContext(connection) as small:
        download(client, url)
    counted = len(small)  # now: the next request clears the connection's log
    _grow(group, 8)
    for n in range(6):
        _grow(f.group(world["desa_a1"], f"BKB Tambahan {n}"), 2)
    download(client, url)  # the kept rows of the changed and new groups counted again
    with django_assert_max_num_queries(counted):
        big = download(client, url)
    table = sheets.read_table(big.content, "a.xlsx", header="Kode" if kind == "angka" else "Kelompok")
    assert len(table.rows) == (len(figures.FIGURE_KEYS) if kind == "angka" else 2 + 6 + 1)
