"""Issue 9 on a 360px phone: the back-entry grid as a card per child with every error in
one round, and a returned report waiting on the chair's home page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from families.models import Measurement
from reports import services
from reports.models import MonthlyReport
from sessions.models import CoachingSession
from tests import factories as f
from tests.reports.conftest import _immediate_tasks, october  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on {page.url}"


def test_back_entry_grid_fits_a_phone_and_reports_every_error_at_once(world, login_page, live_server, shot):
    group = world["group_a"]
    day = timezone.localdate() - datetime.timedelta(days=2)
    f.topic("Bermain balok")
    f.instrument_with_milestones(bands=((0, 3), (3, 6), (6, 9), (12, 18), (24, 36)))
    names = ["Asep", "Bunga", "Cahya", "Dewi", "Eka", "Fajar"]
    children = {}
    for index, name in enumerate(names):
        family = f.family(group, mother_name=f"Ibu {name}")
        children[name] = f.child(family, add_months(day, -(7 + 5 * index)), name=name)

    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/pertemuan/kelompok/{group.pk}/isi-cepat/?tanggal={day:%Y-%m-%d}")
    expect(page.locator(".grid-card")).to_have_count(len(names))
    assert_fits_phone(page)
    # Every input of every card is on screen: nothing hides past the right edge.
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.grid-card input, .grid-card select')]"
        ".map(el => el.getBoundingClientRect().right))"
    )
    assert right <= 360
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 600 * len(names), f"{height}px for {len(names)} children"
    shot("grid-1-phone")

    page.select_option("#id_topic", label="Bermain balok")
    page.get_by_label("0-1 tahun").check()
    page.get_by_label("1-2 tahun").check()
    page.get_by_label("2-3 tahun").check()
    asep, dewi, eka = (f"#anak-{children[name].pk}" for name in ("Asep", "Dewi", "Eka"))
    page.locator(f"{asep} label.check-tap").first.click()  # the label ticks "Hadir"
    expect(page.locator(f"{asep} input[name$=hadir]")).to_be_checked()
    page.fill(f"{asep} input[name$=weight]", "abc")  # not a number
    page.fill(f"{asep} input[name$=height]", "66")
    page.fill(f"{dewi} input[name$=weight]", "300")  # impossible
    page.fill(f"{dewi} input[name$=height]", "80")
    page.fill(f"{eka} input[name$=weight]", "11")  # height forgotten
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan semua").click()

    # One round: all three rows are flagged together.
    expect(page.locator("#grid-errors")).to_be_visible()
    expect(page.locator(".grid-card.has-errors")).to_have_count(3)
    expect(page.locator(f"{dewi}")).to_contain_text("tidak mungkin")
    expect(page.locator(f"{eka}")).to_contain_text("Isi berat dan panjang/tinggi bersama.")
    expect(page.locator(f"{asep} input[name$=weight]")).to_have_value("abc")
    assert_fits_phone(page)
    shot("grid-2-errors")
    assert not CoachingSession.objects.exists()

    page.fill(f"{asep} input[name$=weight]", "8,1")
    page.fill(f"{dewi} input[name$=weight]", "10,5")
    page.fill(f"{eka} input[name$=height]", "84")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan semua").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Measurement.objects.count() == 3
    assert CoachingSession.objects.get().attendances.count() == 1


def test_returned_report_waits_on_the_chairs_home_page(october, world, login_page, live_server, shot):  # noqa: F811
    sent = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
    report = services.report_submit(group=world["group_a"], month=Month(2026, 10), user=world["cadre_a"], now=sent)
    services.report_return(report=report, user=world["supervisor"], comment="Daftar hadir 10 Okt kurang satu")

    page = login_page(world["cadre_a"])  # lands on her month's tasks
    notice = page.locator("[data-returned-report]")
    expect(notice).to_contain_text("Laporan Oktober 2026 dikembalikan untuk diperbaiki.")
    expect(notice).to_contain_text("Daftar hadir 10 Okt kurang satu")
    shot("report-1-returned-on-home")
    notice.get_by_role("link", name="Perbaiki dan kirim ulang").click()
    expect(page.locator("#review-comment")).to_contain_text("Daftar hadir 10 Okt kurang satu")

    page.get_by_role("button", name="Kirim koreksi (versi baru)").click()  # not confirmed
    expect(page.locator("#submit-error")).to_contain_text("Centang konfirmasi")
    assert_fits_phone(page)
    shot("report-2-confirm-correction")
    page.get_by_label("Ya, kirim koreksi: versi 2 menggantikan versi 1.").check()
    page.get_by_role("button", name="Kirim koreksi (versi baru)").click()
    expect(page.locator(".alert-success")).to_contain_text("versi 2 terkirim")
    assert MonthlyReport.objects.current().get().version == 2
    page.goto(live_server.url + "/")
    expect(page.locator("[data-returned-report]")).to_have_count(0)
