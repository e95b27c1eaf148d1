"""Report pages: scope, the preview's links, PDFs read back, query counts."""

import datetime
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.dashboard import GRID_MAX_GROUPS
from reports.models import BatchPrint
from tests import factories as f
from tests import pdfs

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path=None) -> str:
    return pdfs.pdf_text(content)


def test_preview_links_every_figure_to_its_rows(october, world, login):
    client = login(world["supervisor"])
    page = client.get(reverse("reports:group_month", args=[october["group"].pk, "2026-10"])).content.decode()
    assert 'data-fig="families_present">2</a>' in page
    rows = client.get(reverse("reports:figure_rows", args=[october["group"].pk, "2026-10", "families_present"]))
    html = rows.content.decode()
    assert "Euis" in html and "Rina" in html and "Tati" not in html
    stunted = client.get(reverse("reports:figure_rows", args=[october["group"].pk, "2026-10", "stunted"])).content
    assert b"Bima" in stunted and b"Zahra" not in stunted
    assert client.get(reverse("reports:figure_rows", args=[october["group"].pk, "2026-10", "nope"])).status_code == 404


def test_group_pdf_has_the_group_month_attendance_and_chair(october, world, login, tmp_path):
    response = login(world["cadre_a"]).get(reverse("reports:group_month_pdf", args=[october["group"].pk, "2026-10"]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "BKB Melati" in text and "Oktober 2026" in text
    assert "2 dari 3 (66,7%)" in text
    assert "Imas" in text
    assert "Uji stimulasi" in text and "Bima" in text  # the session and the child needing attention


def test_scope_of_report_pages(october, world, login):
    group_month = reverse("reports:group_month", args=[october["group"].pk, "2026-10"])
    assert login(world["cadre_b"]).get(group_month).status_code == 404
    assert login(world["cadre_a"]).get(reverse("reports:dashboard")).status_code == 403
    assert (
        login(world["cadre_a"]).get(reverse("reports:area_recap", args=[world["kec_a"].pk, "2026-10"])).status_code
        == 403
    )
    supervisor = login(world["supervisor"])
    assert supervisor.get(reverse("reports:area_recap", args=[world["kab"].pk, "2026-10"])).status_code == 404
    assert supervisor.get(reverse("reports:group_month", args=[world["group_c"].pk, "2026-10"])).status_code == 404
    assert supervisor.get(reverse("reports:batch_print")).status_code == 403
    assert supervisor.get(group_month.replace("2026-10", "2026-13")).status_code == 404


def test_dashboard_marks_lagging_groups(october, world, login):
    html = login(world["supervisor"]).get(reverse("reports:dashboard"), {"bulan": "2026-10"}).content.decode()
    assert "BKB Melati" in html and "BKB Mawar" in html and "BKB Dahlia" not in html
    # The month's table (the 12-month grid below says the same per cell, tests/reports/test_completeness.py).
    table = html.split('id="completeness-title"')[0]
    # Mawar held no session in October.
    assert table.count("tidak ada pertemuan") == 1
    # October's reports were due on 3 November and neither group sent one.
    assert table.count("belum masuk") == 2
    melati = html[html.index(f'data-group="{october["group"].pk}"') :].split("</tr>")[0]
    assert melati.count(" lag") == 2  # KKA checked 25% (< 50%) and stunting 50% (> 20%)
    assert "<svg" in html


def _many_groups(world, n):
    for i in range(n):
        group = f.group(world["desa_a1"], f"BKB Uji {i}")
        f.cadre(group, role="ketua", date_joined=datetime.date(2020, 1, 1))
        f.child(f.family(group), datetime.date(2025, 1, 1))


@pytest.mark.parametrize("n", [5, 100])
def test_dashboard_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, n):
    _many_groups(world, n)
    client = login(world["supervisor"])
    client.get(reverse("reports:dashboard"), {"bulan": "2026-10"})  # computes the kept rows
    # session, user, areas and scope: 7; how current the kept rows are (2), the trend's
    # sums and its cadres counted once (2), the groups counted and one page of their rows
    # (2). The same for 5 and 100 groups (tests/reports/test_dashboard_kept.py: 1,000). An area
    # small enough for the 12-month grid adds its four (tests/reports/test_completeness.py).
    grid = 4 if n + 2 <= GRID_MAX_GROUPS else 0
    with django_assert_max_num_queries(13 + grid):
        response = client.get(reverse("reports:dashboard"), {"bulan": "2026-10"})
    # 102 groups are two pages: the first lists 100.
    assert response.content.decode().count("data-group=") == min(n + 2, 100)


# The recap's query counts, 5 groups against 1,000: tests/reports/test_recap.py.


def test_area_recap_pdf_is_landscape_with_totals(october, world, login, tmp_path):
    response = login(world["admin"]).get(reverse("reports:area_recap_pdf", args=[world["kec_a"].pk, "2026-10"]))
    text = pdf_text(response.content, tmp_path)
    assert "BKB Melati" in text and "BKB Mawar" in text and "Jumlah (2 kelompok)" in text


def test_batch_print_renders_every_group(october, world, login, django_capture_on_commit_callbacks):
    client = login(world["admin"])
    # The batch is queued once its row is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:batch_print"), {"area": world["kec_a"].pk, "month": "2026-10"})
    batch = BatchPrint.objects.get()
    assert response.url == reverse("reports:batch_detail", args=[batch.pk])
    status = client.get(response.url, headers={"Accept": "application/json"}).json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == ("done", 2, 2, 100)
    with zipfile.ZipFile(batch.zip.path) as bundle:
        assert len(bundle.namelist()) == 2
    pdf = client.get(reverse("reports:batch_download", args=[batch.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert login(world["supervisor"]).get(response.url).status_code == 403


def test_certificate_for_a_cadre(october, world, login, tmp_path):
    response = login(world["admin"]).get(reverse("reports:certificate", args=[october["oom"].pk]))
    text = pdf_text(response.content, tmp_path)
    assert "PIAGAM PENGHARGAAN" in text and "Oom" in text and "BKB Melati" in text
    assert login(world["supervisor"]).get(reverse("reports:certificate", args=[october["oom"].pk])).status_code == 403


def test_commands_write_the_pdfs(october, world, tmp_path):
    out = tmp_path / "group.pdf"
    call_command("monthly_report", "--group", str(october["group"].pk), "--month", "2026-10", "--out", str(out))
    assert "BKB Melati" in pdf_text(out.read_bytes(), tmp_path)
    recap = tmp_path / "recap.pdf"
    call_command("area_recap", "--area", str(world["kab"].pk), "--month", "2026-10", "--out", str(recap))
    text = " ".join(pdf_text(recap.read_bytes(), tmp_path).split())
    # A kabupaten: its kecamatans, then each kecamatan's groups.
    assert "Jumlah (2 kecamatan)" in text and "Jumlah (2 kelompok)" in text and "Jumlah (1 kelompok)" in text
    with pytest.raises(CommandError, match="must look like 2026-10"):
        call_command("area_recap", "--area", str(world["kab"].pk), "--month", "Oktober", "--out", str(recap))


def test_pdf_embeds_its_fonts_and_prints_any_name(october, world, login, tmp_path):
    from cadres.models import Cadre

    Cadre.objects.filter(user=world["cadre_a"]).update(name="Nur'aini Ṣâliḥah Ëuis")
    response = login(world["cadre_a"]).get(reverse("reports:group_month_pdf", args=[october["group"].pk, "2026-10"]))
    assert "Nur'aini Ṣâliḥah Ëuis" in pdf_text(response.content, tmp_path)
    fonts = pdfs.pdf_fonts(response.content)
    assert fonts, "the PDF uses fonts"
    assert all(fonts.values()), f"fonts not embedded: {fonts}"
