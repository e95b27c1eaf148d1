"""Issue 14 on a 360px phone: the cadre's home is her month's tasks; she visits an absent
member and closes an old referral from there, and each leaves its list."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from families.models import Referral
from sessions.models import Attendance, HomeVisit
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABSENT = ["Ai Rohayati", "Cucu Suryani", "Neng Yulianti"]


def assert_fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on {page.url}"


def tasks(page, key: str):
    return page.locator(f'section[data-tasks="{key}"]')


def go_home(page, live_server):
    with page.expect_navigation():
        page.get_by_role("link", name="BKB", exact=True).click()


def test_cadre_works_through_her_tasks(world, login_page, live_server, shot):
    group = world["group_a"]
    today = timezone.localdate()
    month = Month.of(today)
    f.kka_instrument([("A1", 48, 60, "motorik_kasar")])
    families = {
        name: f.family(group, mother_name=name, phone=f"0812 3456 78{n:02d}")
        for n, name in enumerate([*ABSENT, "Tati Sumiati"])
    }
    children = {name: f.child(family, add_months(today, -20), name=f"Anak {name}") for name, family in families.items()}
    session = f.coaching_session(group, month.first)
    Attendance.objects.create(session=session, family=families["Tati Sumiati"])
    referral = Referral.objects.create(
        child=children["Cucu Suryani"], date=today - datetime.timedelta(days=35), referred_to="Puskesmas Jatinangor"
    )

    page = login_page(world["cadre_a"])
    tasks_url = f"{live_server.url}/laporan/kelompok/{group.pk}/tugas/"
    assert page.url == tasks_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Tugas bulan ini · BKB Melati")
    absent = tasks(page, "absent_not_visited")
    expect(absent.locator("[data-count]")).to_have_text("3")
    expect(absent.locator(".task-link")).to_have_count(3)
    expect(tasks(page, "referrals_to_follow").locator("[data-count]")).to_have_text("1")
    # Every task row and its WhatsApp button is a thumb's width tall.
    for link in page.locator(".task-link, .task-wa").all()[:8]:
        assert link.bounding_box()["height"] >= 44
    wa = absent.locator(".task-wa").first
    assert wa.get_attribute("href").startswith("https://wa.me/62812345678")
    assert_fits_phone(page)
    shot("tasks-1-home")

    # --- the first absent member, visited -----------------------------------------
    first = absent.locator(".task-link").first
    expect(first).to_contain_text(ABSENT[0])
    first.click()
    page.wait_for_url(f"{live_server.url}/pertemuan/keluarga/{families[ABSENT[0]].pk}/kunjungan-rumah/baru/*")
    assert_fits_phone(page)
    page.fill("#id_note", "Ibu sedang ke sawah, anak sehat")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan", exact=True).click()
    assert HomeVisit.objects.filter(family=families[ABSENT[0]]).count() == 1
    go_home(page, live_server)
    assert page.url == tasks_url
    absent = tasks(page, "absent_not_visited")
    expect(absent.locator("[data-count]")).to_have_text("2")
    expect(absent.locator(".task-link")).to_have_count(2)
    expect(absent).not_to_contain_text(ABSENT[0])

    # --- the old referral, closed -------------------------------------------------
    follow = tasks(page, "referrals_to_follow").locator(".task-link")
    expect(follow).to_contain_text("Anak Cucu Suryani")
    follow.click()
    page.wait_for_url(f"{live_server.url}/rujukan/{referral.pk}/selesai/")
    assert_fits_phone(page)
    page.fill("#id_outcome", "Sudah diperiksa bidan, dianjurkan stimulasi di rumah")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan", exact=True).click()
    referral.refresh_from_db()
    assert referral.closed_on == today
    go_home(page, live_server)
    expect(tasks(page, "referrals_to_follow")).to_have_count(0)
    expect(tasks(page, "absent_not_visited").locator("[data-count]")).to_have_text("2")
    assert_fits_phone(page)
    shot("tasks-2-after")

    # The roster is one tap away.
    page.get_by_role("link", name="Daftar anggota", exact=True).click()
    page.wait_for_url(f"{live_server.url}/kelompok/{group.pk}/anggota/")
