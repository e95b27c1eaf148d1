"""Reports in a real browser: a supervisor drills from the dashboard into a group's
month on a laptop, an admin prints a whole kecamatan and makes a kabupaten's recap
PDF, opens a kecamatan from the kabupaten's dashboard, and the preview on a phone."""

import re
import shutil

import pytest
from playwright.sync_api import expect

from reports import dashboard, kept
from reports.models import GroupMonthFigures
from tests import pdfs
from tests.browser.conftest import PASSWORD, SHOTS_FOR_LEAD
from tests.browser.test_accessibility import findings
from tests.reports.conftest import _immediate_tasks, october  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}
MONTH = "2026-10"


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()
    assert "/masuk/" not in page.url, f"login failed for {user.username}: still on {page.url}"


def snap(page, tmp_path, name: str):
    """Full-page screenshot of any page (the shot fixture only knows the phone page)."""
    path = tmp_path / f"reports-{name}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    SHOTS_FOR_LEAD.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS_FOR_LEAD / path.name)
    return path


def pdf_text(content: bytes, tmp_path=None, name: str = "out.pdf") -> str:
    return pdfs.pdf_text(content)


def test_supervisor_drills_from_dashboard_to_group_month_and_pdf(october, world, laptop, live_server, tmp_path):  # noqa: F811
    page = laptop
    group = october["group"]
    log_in(page, live_server, world["supervisor"])

    page.goto(f"{live_server.url}/laporan/?bulan={MONTH}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kinerja kelompok BKB")
    rows = page.locator("#dashboard tbody tr")
    expect(rows).to_have_count(2)
    melati = page.locator(f"#dashboard tbody tr[data-group='{group.pk}']")
    mawar = page.locator(f"#dashboard tbody tr[data-group='{world['group_b'].pk}']")
    expect(melati).to_contain_text("BKB Melati")
    expect(mawar).to_contain_text("BKB Mawar")
    expect(mawar.locator(".badge", has_text="tidak ada pertemuan")).to_be_visible()
    expect(melati).not_to_contain_text("tidak ada pertemuan")
    expect(page.locator("#dashboard")).not_to_contain_text("BKB Dahlia")
    expect(page.locator("svg").first).to_be_visible()
    snap(page, tmp_path, "1-dashboard")

    month_url = f"{live_server.url}/laporan/kelompok/{group.pk}/{MONTH}/"
    melati.get_by_role("link", name="BKB Melati").click()
    page.wait_for_url(month_url)
    expect(page).to_have_title(re.compile(r"^BKB Melati · Oktober 2026"))
    preview = page.locator(".report-preview")
    expect(preview).to_contain_text("BKB Melati")
    expect(preview).to_contain_text("Oktober 2026")
    present = page.locator("a.fig[data-fig=families_present]")
    expect(present).to_have_text("2")
    expect(page.locator("#attendance-figure")).to_contain_text("2 dari 3 (66,7%)")
    snap(page, tmp_path, "2-group-month")

    present.click()
    page.wait_for_url(f"{month_url}rincian/families_present/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keluarga hadir")
    expect(page.locator("#rows")).to_contain_text("Euis")
    expect(page.locator("#rows")).to_contain_text("Rina")
    expect(page.locator("#rows")).not_to_contain_text("Tati")
    expect(page.locator("#rows tr:has(td)")).to_have_count(2)
    snap(page, tmp_path, "3-figure-rows")

    page.go_back()
    page.wait_for_url(month_url)
    pdf_link = page.get_by_role("link", name="Unduh PDF")
    href = pdf_link.get_attribute("href")
    assert href == f"/laporan/kelompok/{group.pk}/{MONTH}/laporan.pdf"
    # The PDF is served inline, so Chromium opens it in its viewer rather than downloading it.
    with page.expect_response(live_server.url + href) as served:
        pdf_link.click()
    assert served.value.status == 200 and served.value.headers["content-type"] == "application/pdf"
    assert served.value.headers["content-disposition"].startswith("inline;")
    response = page.request.get(live_server.url + href)  # same session cookie
    assert response.ok
    content = response.body()
    text = pdf_text(content, tmp_path)
    assert "BKB Melati" in text and "Oktober 2026" in text
    assert "2 dari 3 (66,7%)" in text


def test_admin_batch_prints_a_kecamatan(october, world, laptop, live_server, tmp_path):  # noqa: F811
    page = laptop
    log_in(page, live_server, world["admin"])
    page.goto(f"{live_server.url}/laporan/cetak-massal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cetak laporan semua kelompok")
    page.select_option("#area", str(world["kec_a"].pk))
    page.fill("#month", MONTH)
    snap(page, tmp_path, "4-batch-form")

    page.get_by_role("button", name="Mulai cetak").click()
    page.wait_for_url(re.compile(r"/laporan/cetak-massal/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cetak massal: Jatinangor, Oktober 2026")
    expect(page.locator("#batch-bar")).to_have_text("100%", timeout=20_000)
    expect(page.locator("#batch-count")).to_have_text("2/2")
    expect(page.locator("#batch-pdf")).to_be_visible()
    expect(page.locator("#batch-zip")).to_be_visible()
    expect(page.locator("#batch .alert-danger")).to_have_count(0)
    snap(page, tmp_path, "5-batch-done")

    response = page.request.get(live_server.url + page.locator("#batch-pdf").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body(), tmp_path, "batch.pdf")
    assert "BKB Melati" in text and "BKB Mawar" in text
    assert "BKB Dahlia" not in text  # another kecamatan


def test_admin_opens_the_kabupaten_recap_by_kecamatan_and_makes_its_pdf(october, world, laptop, live_server, tmp_path):  # noqa: F811
    page = laptop
    log_in(page, live_server, world["admin"])
    page.goto(f"{live_server.url}/laporan/rekap/{world['kab'].pk}/{MONTH}/")
    expect(page.locator("tr[data-kecamatan]")).to_have_count(2)
    expect(page.locator("tr[data-group]")).to_have_count(0)
    expect(page.locator("#recap-freshness")).to_contain_text("Angka dihitung pada")
    snap(page, tmp_path, "6-recap-kabupaten")

    # A kecamatan's row opens its own recap, a row per group.
    page.get_by_role("link", name="Kecamatan Jatinangor").click()
    page.wait_for_url(re.compile(rf"/laporan/rekap/{world['kec_a'].pk}/{MONTH}/$"))
    expect(page.locator("tr[data-group]")).to_have_count(2)
    page.go_back()

    page.get_by_role("button", name="Buat PDF").click()
    page.wait_for_url(re.compile(r"/laporan/rekap/pdf/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("PDF rekap: Kabupaten Sumedang, Oktober 2026")
    expect(page.locator("#batch-bar")).to_have_text("100%", timeout=20_000)
    expect(page.locator("#batch-count")).to_have_text("3/3")  # the summary and two kecamatans
    expect(page.locator("#batch .alert-danger")).to_have_count(0)
    snap(page, tmp_path, "7-recap-pdf-done")
    response = page.request.get(live_server.url + page.locator("#batch-pdf").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pages = pdfs.pdf_pages(response.body())
    assert pages[0].startswith("Rekapitulasi bulanan kelompok BKB · Kabupaten Sumedang")
    assert "BKB Melati" in pages[1] and "BKB Dahlia" in pages[2]

    # Back on the recap, the finished PDF is one click away.
    page.goto(f"{live_server.url}/laporan/rekap/{world['kab'].pk}/{MONTH}/")
    expect(page.locator("#recap-job")).to_contain_text("PDF terakhir")


def test_admin_opens_a_kecamatan_from_the_kabupaten_dashboard(
    october,  # noqa: F811
    world,
    laptop,
    live_server,
    tmp_path,
    monkeypatch,
):
    page = laptop
    log_in(page, live_server, world["admin"])
    page.goto(f"{live_server.url}/laporan/?bulan={MONTH}")  # the admin's kabupaten: a row per kecamatan
    expect(page.locator("#dashboard thead th").first).to_have_text("Kecamatan")
    expect(page.locator("#dashboard tbody tr")).to_have_count(2)
    expect(page.locator("#dashboard tbody tr[data-group]")).to_have_count(0)
    expect(page.locator("#freshness")).to_contain_text("Angka dihitung pukul")

    # The worker is behind: the rows of Jatinangor wait, and the page says so without hiding them.
    GroupMonthFigures.objects.filter(group__in=[october["group"], world["group_b"]]).update(stale=True)
    monkeypatch.setattr(kept, "INLINE_LIMIT", 0)
    page.reload()
    expect(page.locator("#freshness")).to_contain_text("24 angka kelompok sedang dihitung ulang")
    jatinangor = page.locator(f"#dashboard tbody tr[data-area='{world['kec_a'].pk}']")
    expect(jatinangor.locator(".stale")).to_be_visible()
    assert findings(page) == []
    snap(page, tmp_path, "8-dashboard-kabupaten")

    jatinangor.get_by_role("link", name="Kecamatan Jatinangor").click()
    page.wait_for_url(re.compile(rf"wilayah={world['kec_a'].pk}&bulan={MONTH}$"))
    expect(page.locator("#dashboard tbody tr[data-group]")).to_have_count(2)
    expect(page.locator(f"#dashboard tbody tr[data-group='{october['group'].pk}']")).to_contain_text("BKB Melati")
    assert findings(page) == []

    # A kecamatan with more groups than a page holds is paged (one to a page here).
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 1)
    page.reload()
    expect(page.locator("#dashboard tbody tr[data-group]")).to_have_count(1)
    page.locator("#pages").get_by_role("link", name="2").click()
    expect(page.locator("#pages [aria-current='page']")).to_have_text("2")
    expect(page.locator("#dashboard tbody tr[data-group]")).to_contain_text("BKB Mawar")
    assert findings(page) == []


def test_group_month_preview_fits_a_phone(october, world, login_page, live_server, shot):  # noqa: F811
    page = login_page(world["supervisor"])
    page.goto(f"{live_server.url}/laporan/kelompok/{october['group'].pk}/{MONTH}/")
    expect(page.locator("a.fig[data-fig=families_present]")).to_have_text("2")
    shot("reports-6-group-month-phone")
    # Anything sticking out past the screen's right edge that is not inside a scrolling table box.
    offenders = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const el of document.querySelectorAll('body *')) {
                let boxed = false;  // inside a box that scrolls on its own (a wide table)
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) { boxed = true; break; }
                }
                if (boxed) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) {
                    const classes = typeof el.className === 'string' && el.className ? '.' + el.className : '';
                    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes +
                             ' right=' + Math.round(box.right));
                }
            }
            return out.slice(0, 15);
        }"""
    )
    # The report itself is as wide as the screen: only a wide table scrolls, not the whole report.
    report_width = page.evaluate("document.querySelector('.report-preview').getBoundingClientRect().width")
    assert report_width <= page.viewport_size["width"]
    assert page.evaluate("getComputedStyle(document.querySelector('.report-preview')).overflowX") == "visible"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= page.viewport_size["width"] and not offenders, (
        f"page is {scroll_width}px wide on a 360px phone; sticking out: {offenders}"
    )
