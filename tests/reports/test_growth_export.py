"""The growth data export for the Puskesmas: an area's month of measurements, typed, in the recap's scope."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bkb.lib import sheets
from bkb.lib.ages import age_in_months
from bkb.lib.months import Month
from families import growth
from families.models import Measurement
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
OCT = Month(2026, 10)
HEADERS = [
    "NIK anak",
    "Nama anak",
    "Jenis kelamin",
    "Tanggal lahir",
    "Nama ibu",
    "Alamat",
    "Kelompok BKB",
    "Tanggal ukur",
    "Umur (bulan)",
    "Berat badan (kg)",
    "Panjang/tinggi badan (cm)",
    "Cara ukur",
    "z BB/U",
    "z TB/U",
    "z BB/TB",
    "z IMT/U",
    "Status BB/U",
    "Status TB/U",
    "Status BB/TB",
    "Status IMT/U",
]


@pytest.fixture
def growth_month(world):
    """Measurements in group_a and group_b (kec_a), group_c (kec_b) and group_x (Garut), in and around October."""
    euis = f.family(world["group_a"], mother_name="Euis", address="Jl. Raya 5", rt="02", rw="03")
    bima = f.child(euis, D(2025, 6, 10), name="Bima", sex="M", nik="3211010606250001")
    alya = f.child(euis, D(2026, 3, 15), name="Alya", sex="F")
    rina = f.family(world["group_b"], mother_name="Rina")
    zahra = f.child(rina, D(2024, 2, 1), name="Zahra", sex="F", nik="3211014102240002")
    dahlia = f.child(f.family(world["group_c"], mother_name="Dewi"), D(2025, 1, 1), name="Dodi", sex="M")
    garut = f.child(f.family(world["group_x"], mother_name="Garut"), D(2025, 1, 1), name="Gilang", sex="M")
    rows = {
        "bima": f.measurement(
            bima, D(2026, 10, 3), "9.35", "76.4", "lying", haz=-2.345, waz=-1.004, whz=0.518, baz=0.77
        ),
        "bima_sept": f.measurement(bima, D(2026, 9, 28), "9.10", "75.0", haz=-2.1, waz=-1.0, whz=0.4, baz=0.5),
        "bima_nov": f.measurement(bima, D(2026, 11, 1), "9.50", "77.0", haz=-2.0, waz=-1.0, whz=0.4, baz=0.5),
        # No z-scores (an unlikely value the growth module left unscored).
        "alya": f.measurement(alya, D(2026, 10, 31), "7.20", "66.0", "lying"),
        "zahra": f.measurement(
            zahra, D(2026, 10, 12), "11.05", "88.3", "standing", haz=-3.2, waz=-2.5, whz=-1.9, baz=-1.5
        ),
        "dodi": f.measurement(dahlia, D(2026, 10, 5), "9.0", "75.0", haz=0.1, waz=0.2, whz=0.3, baz=0.3),
        "gilang": f.measurement(garut, D(2026, 10, 5), "9.0", "75.0", haz=0.1, waz=0.2, whz=0.3, baz=0.3),
    }
    return rows


def _url(area, fmt="xlsx", month=OCT):
    return reverse("reports:growth_export", args=[area.pk, str(month), fmt])


def _read(response, fmt="xlsx"):
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content, sheets.read_table(content, f"pertumbuhan.{fmt}")


def test_xlsx_has_typed_cells_a_frozen_header_and_the_measurements_values(world, growth_month, login):
    content, table = _read(login(world["supervisor"]).get(_url(world["kec_a"])))
    assert table.headers == HEADERS
    by_key = {(row["Nama anak"], row["Tanggal ukur"]): row for _number, row in table.rows}
    # October's in kec_a only: not September's, November's, kec_b's or Garut's.
    assert set(by_key) == {("Bima", D(2026, 10, 3)), ("Alya", D(2026, 10, 31)), ("Zahra", D(2026, 10, 12))}
    bima = by_key[("Bima", D(2026, 10, 3))]
    measured = growth_month["bima"]
    assert bima["NIK anak"] == "3211010606250001"
    assert bima["Jenis kelamin"] == "L"
    assert by_key[("Zahra", D(2026, 10, 12))]["Jenis kelamin"] == "P"
    assert bima["Tanggal lahir"] == D(2025, 6, 10)
    assert bima["Nama ibu"] == "Euis"
    assert bima["Alamat"] == "Jl. Raya 5, RT 02/RW 03, Desa Cikeruh, Kecamatan Jatinangor"
    assert bima["Kelompok BKB"] == "BKB Melati"
    assert bima["Umur (bulan)"] == age_in_months(D(2025, 6, 10), D(2026, 10, 3)) == 15
    assert bima["Berat badan (kg)"] == float(measured.weight_kg) == 9.35
    assert bima["Panjang/tinggi badan (cm)"] == float(measured.height_cm)
    assert bima["Cara ukur"] == "terlentang"
    assert by_key[("Zahra", D(2026, 10, 12))]["Cara ukur"] == "berdiri"
    for column, field in (("z BB/U", "waz"), ("z TB/U", "haz"), ("z BB/TB", "whz"), ("z IMT/U", "baz")):
        assert bima[column] == pytest.approx(getattr(measured, field), abs=0.005), column
    assert bima["Status TB/U"] == str(growth.LABELS["hfa"][growth.categorise("hfa", measured.haz)]) == "Pendek"
    assert bima["Status BB/U"] == str(growth.LABELS["wfa"][growth.categorise("wfa", measured.waz)])
    assert bima["Status BB/TB"] == str(growth.LABELS["wfh"][growth.categorise("wfh", measured.whz)])
    assert bima["Status IMT/U"] == str(growth.LABELS["bfa"][growth.categorise("bfa", measured.baz)])
    zahra = by_key[("Zahra", D(2026, 10, 12))]
    assert zahra["Status TB/U"] == "Sangat pendek" and zahra["Status BB/U"] == "Berat badan kurang"
    alya = by_key[("Alya", D(2026, 10, 31))]
    assert alya["NIK anak"] is None
    assert all(alya[column] is None for column in HEADERS[12:]), "no z-score: empty cells, not 0"

    book = load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    assert ws.freeze_panes == "A2"
    header = [cell.value for cell in ws[1]]
    row = next(cells for cells in ws.iter_rows(min_row=2) if cells[1].value == "Bima")
    cell = dict(zip(header, row, strict=True))
    assert cell["NIK anak"].data_type == "s" and len(cell["NIK anak"].value) == 16
    assert isinstance(cell["Tanggal lahir"].value, datetime.datetime) and cell["Tanggal lahir"].is_date
    assert cell["Tanggal ukur"].is_date
    assert cell["Umur (bulan)"].data_type == "n" and isinstance(cell["Umur (bulan)"].value, int)
    assert cell["Berat badan (kg)"].data_type == "n" and cell["Berat badan (kg)"].number_format == "0.00"
    assert cell["Panjang/tinggi badan (cm)"].number_format == "0.0"
    assert cell["z TB/U"].data_type == "n" and cell["z TB/U"].number_format == "0.00"


def test_rows_run_by_kecamatan_desa_group_child_and_date(world, growth_month, login):
    second = f.child(f.family(world["group_a"], mother_name="Ani"), D(2025, 1, 1), name="Agus", sex="M")
    f.measurement(second, D(2026, 10, 20))
    f.measurement(second, D(2026, 10, 2))
    _content, table = _read(login(world["admin"]).get(_url(world["kab"])))
    order = [
        (row["Alamat"].rsplit(", ", 2)[-1], row["Kelompok BKB"], row["Nama anak"], row["Tanggal ukur"])
        for _n, row in table.rows
    ]
    assert order == [
        ("Kecamatan Jatinangor", "BKB Melati", "Agus", D(2026, 10, 2)),
        ("Kecamatan Jatinangor", "BKB Melati", "Agus", D(2026, 10, 20)),
        ("Kecamatan Jatinangor", "BKB Melati", "Alya", D(2026, 10, 31)),
        ("Kecamatan Jatinangor", "BKB Melati", "Bima", D(2026, 10, 3)),
        ("Kecamatan Jatinangor", "BKB Mawar", "Zahra", D(2026, 10, 12)),
        ("Kecamatan Tanjungsari", "BKB Dahlia", "Dodi", D(2026, 10, 5)),
    ]
    assert "Gilang" not in {row["Nama anak"] for _n, row in table.rows}


DECIMALS = {"Berat badan (kg)", "Panjang/tinggi badan (cm)", "z BB/U", "z TB/U", "z BB/TB", "z IMT/U"}


def test_csv_holds_the_same_rows(world, growth_month, login):
    client = login(world["admin"])
    _x, xlsx = _read(client.get(_url(world["kab"])))
    content, csv = _read(client.get(_url(world["kab"], "csv")), "csv")
    assert content.startswith("\ufeff".encode())
    assert csv.headers == xlsx.headers
    assert len(csv.rows) == len(xlsx.rows) == 4

    def text(value, header):
        if isinstance(value, D):
            return value.isoformat()
        if isinstance(value, (int, float)) and header in DECIMALS:
            return float(value)
        return "" if value is None else str(value)

    for (_n1, from_csv), (_n2, from_xlsx) in zip(csv.rows, xlsx.rows, strict=True):
        for header in HEADERS:
            value, expected = from_csv.get(header, ""), text(from_xlsx.get(header), header)
            if isinstance(expected, float):
                assert Decimal(value) == Decimal(str(expected)).quantize(Decimal(value)), header
                assert len(value.split(".")[1]) == (1 if header.startswith("Panjang") else 2), header
            else:
                assert value == expected, header


def test_only_the_visible_groups_of_the_area(world, growth_month, login):
    # The supervisor of kec_a asking for the kabupaten: not hers (404), as the recap.
    client = login(world["supervisor"])
    assert client.get(_url(world["kab"])).status_code == 404
    assert client.get(_url(world["other_kab"])).status_code == 404
    assert login(world["admin"]).get(_url(world["other_kab"])).status_code == 404
    assert login(world["cadre_a"]).get(_url(world["desa_a1"])).status_code == 403
    _content, table = _read(login(world["admin"]).get(_url(world["kec_b"])))
    assert [row["Nama anak"] for _n, row in table.rows] == ["Dodi"]


def test_unknown_format_or_month_is_404(world, login):
    client = login(world["admin"])
    assert client.get(_url(world["kab"]).replace(".xlsx", ".pdf")).status_code == 404
    assert client.get(reverse("reports:growth_export", args=[world["kab"].pk, "2026-13", "xlsx"])).status_code == 404


def _bulk(world, n: int) -> None:
    for i in range(n):
        group = world["group_a"] if i % 2 else world["group_c"]
        child = f.child(f.family(group, mother_name=f"Ibu {i}"), D(2025, 1, 1), name=f"Anak {i:03d}")
        Measurement.objects.create(
            child=child, date=D(2026, 10, 1 + i % 28), weight_kg="9.0", height_cm="75.0", position="lying", haz=-1.0
        )


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_fixed_number_of_queries_whatever_the_size(world, login, django_assert_max_num_queries, n, fmt):
    _bulk(world, n)
    client = login(world["admin"])
    url = _url(world["kab"], fmt)
    # session, user, the user's areas (for the area, then for its groups), the area: 5; the measurements: 1.
    with django_assert_max_num_queries(6):
        response = client.get(url)
    _content, table = _read(response, fmt)
    assert len(table.rows) == n


def test_the_recap_page_links_the_export(world, login):
    page = login(world["supervisor"]).get(reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)]))
    html = page.content.decode()
    assert _url(world["kec_a"], "xlsx") in html and _url(world["kec_a"], "csv") in html
