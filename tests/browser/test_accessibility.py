"""Issue 9: axe-core over every main page of each persona, in Chromium.

The cadre walks on a 360px phone, the supervisor and the admin on a laptop.
Each page must have no axe finding of impact "serious" or "critical", and on
the cadre's phone the page must not scroll sideways and the small controls
(checkboxes, log-out, language) must be at least 44px tall to tap.

The KKA page is walked twice: as the first check of a child never assessed,
and as the card of a child checked before.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from cadres.models import Cadre
from reports import services
from sessions.models import CoachingSession
from tests import factories as f
from tests.browser.conftest import PASSWORD
from tests.reports.conftest import _immediate_tasks, october  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
BLOCKING = {"serious", "critical"}
MONTH = "2026-10"
AXE = Axe()


def findings(page) -> list[str]:
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(str(node["target"]) for node in violation["nodes"][:4])
            found.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): {targets}")
    return found


def walk(page, base: str, paths: list[str]) -> dict[str, list[str]]:
    problems = {}
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, f"{path} answered {response.status}"
        if found := findings(page):
            problems[path] = found
    return problems


def report(problems: dict) -> str:
    return "\n" + "\n".join(f"{path}\n    " + "\n    ".join(found) for path, found in problems.items())


def log_in(page, base, user):
    page.goto(f"{base}/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()
    assert "/masuk/" not in page.url


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def pages(october, world):  # noqa: F811
    """The URLs of each persona's main pages over the October month of tests.reports."""
    group = october["group"]
    bima = october["children"]["bima"]
    family = bima.family
    session = CoachingSession.objects.filter(group=group, date=datetime.date(2026, 10, 10)).get()
    imas = Cadre.objects.get(user=world["cadre_a"])
    today = timezone.localdate()
    # Bima has been checked; a 20-month-old just registered gets the first-check form.
    unassessed = f.child(family, add_months(today, -20), name="Nur'aini")
    # October was sent and returned: the roster shows the notice, the report page the
    # reviewer's comment and the correction's confirmation box.
    sent = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
    report = services.report_submit(group=group, month=Month(2026, 10), user=world["cadre_a"], now=sent)
    services.report_return(report=report, user=world["supervisor"], comment="Daftar hadir kurang")
    # A session this month, so the back-entry grid has rows to fill.
    f.coaching_session(group, today - datetime.timedelta(days=1), age_groups=(0, 1))
    return {
        "cadre": [
            f"/laporan/kelompok/{group.pk}/tugas/",
            f"/kelompok/{group.pk}/anggota/",
            f"/keluarga/{family.pk}/",
            f"/keluarga/{family.pk}/ubah/",
            f"/kelompok/{group.pk}/keluarga/baru/",
            f"/anak/{bima.pk}/",
            f"/anak/{bima.pk}/rujukan/",
            f"/anak/{bima.pk}/kka/",
            f"/anak/{unassessed.pk}/kka/",
            f"/anak/{bima.pk}/ukur/",
            f"/pertemuan/kelompok/{group.pk}/",
            f"/pertemuan/kelompok/{group.pk}/baru/",
            f"/pertemuan/{session.pk}/",
            f"/pertemuan/kelompok/{group.pk}/isi-cepat/?tanggal={today - datetime.timedelta(days=1):%Y-%m-%d}",
            f"/pertemuan/kelompok/{group.pk}/kunjungan-rumah/",
            f"/pertemuan/keluarga/{family.pk}/kunjungan-rumah/baru/",
            f"/pertemuan/{session.pk}/whatsapp/",
            f"/kelompok/{group.pk}/",
            f"/laporan/kelompok/{group.pk}/{MONTH}/",
            f"/laporan/kelompok/{group.pk}/{Month.of(today)}/",
            f"/kader/{imas.pk}/",
            "/belum-terkirim/",
            "/luring/",
        ],
        "supervisor": [
            f"/laporan/?bulan={MONTH}",
            "/kelompok/",
            f"/kelompok/{group.pk}/",
            f"/laporan/kelompok/{group.pk}/{MONTH}/",
            f"/laporan/kelompok/{group.pk}/{MONTH}/rincian/families_present/",
            f"/laporan/versi/{report.pk}/",
            f"/kelompok/{group.pk}/pembinaan/baru/",
            f"/laporan/rekap/{world['kec_a'].pk}/{MONTH}/",
            "/keluarga/cari/?q=bima",
            f"/keluarga/{family.pk}/",
            f"/anak/{bima.pk}/",
            f"/kader/{imas.pk}/",
        ],
        "admin": [
            f"/laporan/?bulan={MONTH}",
            f"/laporan/rekap/{world['kab'].pk}/{MONTH}/",
            "/laporan/cetak-massal/",
            "/kelompok/",
            f"/kelompok/{group.pk}/",
            f"/kelompok/{group.pk}/ubah/",
            f"/kader/{imas.pk}/",
            "/keluarga/cari/?q=bima",
        ],
    }


def test_login_page_has_no_serious_findings(page, live_server):
    problems = walk(page, live_server.url, ["/masuk/"])
    assert not problems, report(problems)


def test_cadre_pages_have_no_serious_findings_and_fit_a_phone(pages, world, page, live_server):
    log_in(page, live_server.url, world["cadre_a"])
    problems = {}
    too_wide = {}
    small_targets = {}
    for path in pages["cadre"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{path} answered {response.status}"
        if found := findings(page):
            problems[path] = found
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            too_wide[path] = width
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                   "input[type=checkbox], input[type=radio], nav button, footer button")]
               .filter(el => el.offsetParent !== null)
               // A box's tap target is the label around it, which toggles it too.
               .map(el => [el, el.closest("label, .form-check") || el])
               .map(([el, target]) => [el.name || el.textContent.trim(),
                                       Math.round(target.getBoundingClientRect().height)])
               .filter(([name, h]) => h < 44)"""
        )
        if small:
            small_targets[path] = small[:5]
    # The error pages wear the same layout.
    response = page.goto(live_server.url + "/keluarga/999999/")
    assert response.status == 404
    if found := findings(page):
        problems["404"] = found
    assert not problems, report(problems)
    assert not too_wide, f"pages wider than the phone: {too_wide}"
    assert not small_targets, f"tap targets under 44px: {small_targets}"


def test_supervisor_pages_have_no_serious_findings(pages, world, laptop, live_server):
    log_in(laptop, live_server.url, world["supervisor"])
    problems = walk(laptop, live_server.url, pages["supervisor"])
    assert not problems, report(problems)


def test_admin_pages_have_no_serious_findings(pages, world, laptop, live_server):
    log_in(laptop, live_server.url, world["admin"])
    problems = walk(laptop, live_server.url, pages["admin"])
    assert not problems, report(problems)
