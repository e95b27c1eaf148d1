"""Issue 15 on a 360px phone: a cadre uploads her exercise book's spreadsheet, reads the one
mistake at its row and column, uploads the corrected file and imports it."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from families.models import Child, Family
from tests.families.test_import import csv_file, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_cadre_corrects_her_file_and_imports_it(world, login_page, live_server, shot, tmp_path):
    group = world["group_a"]
    born = (timezone.localdate() - datetime.timedelta(days=400)).strftime("%d-%m-%Y")
    good = [row(mother_name="Siti Aminah", kk_number="3211000000000901", name="Rizky", birth_date=born),
            row(mother_name="Ani Suryani", name="Bunga", sex="Perempuan", birth_date=born)]  # fmt: skip
    wrong = [good[0], {**good[1], "birth_date": "31-13-2025"}]
    (tmp_path / "buku.csv").write_bytes(csv_file(wrong, ";"))
    (tmp_path / "buku-benar.csv").write_bytes(csv_file(good, ";"))

    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/kelompok/{group.pk}/anggota/")
    with page.expect_navigation():
        page.get_by_role("link", name="Impor Excel").click()
    page.set_input_files("#id_file", str(tmp_path / "buku.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_text("1 kesalahan: tidak ada yang diimpor.")).to_be_visible()
    cells = page.locator("table tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text("3")
    expect(cells.nth(1)).to_have_text("Tanggal lahir“31-13-2025”")  # the column, and what she typed there
    expect(page.get_by_role("button", name="Impor sekarang")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious(page) == []
    shot("import-problem")
    assert Family.objects.count() == 0

    with page.expect_navigation():
        page.get_by_role("link", name="Unggah berkas yang diperbaiki").click()
    page.set_input_files("#id_file", str(tmp_path / "buku-benar.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#import-summary")).to_contain_text("2 keluarga baru")
    assert serious(page) == []
    shot("import-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Impor sekarang").click()
    expect(page.get_by_text("Impor selesai: 2 keluarga baru")).to_be_visible()
    assert page.url.endswith(f"/kelompok/{group.pk}/anggota/")
    expect(page.get_by_text("Rizky")).to_be_visible()
    assert sorted(Child.objects.filter(family__group=group).values_list("name", flat=True)) == ["Bunga", "Rizky"]
