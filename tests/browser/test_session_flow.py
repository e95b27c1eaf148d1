"""Issue 3 on a 360px phone: a cadre logs a meeting with its attendance, fills a
child's KKA, weighs and measures her, and finds her flagged on the roster."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bkb.lib.ages import add_months
from cadres.models import Cadre
from families import growth
from families.models import Measurement, Milestone, MilestoneRecord
from sessions.models import Attendance, CoachingSession
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC = "Bermain sambil belajar di rumah"
# (mother, child, sex, age in months, came to the meeting, who came)
FAMILIES = [
    ("Ai Rohayati", "Dede Kurniawan", "M", 8, True, "ibu"),
    ("Cucu Suryani", "Euis Nurhasanah", "F", 14, True, "ibu"),
    ("Neng Yulianti", "Siti Aisyah", "F", 30, True, "ibu"),
    ("Tati Sumiati", "Asep Hidayat", "M", 40, True, "ayah"),
    ("Yeti Rahmawati", "Nining Suhartini", "F", 55, True, "ibu"),
    ("Popon Rosmiati", "Ujang Saputra", "M", 20, False, "ibu"),
]
# Tasks of the 24-36 month band: due for a 30-month-old, not yet owed (owed from 39 months).
TASKS = [
    ("KA-2436", "motorik_kasar", "Naik tangga sendiri, kaki bergantian"),
    ("KOM-2436", "komunikasi_aktif", "Menyebut 3-4 kata yang bergandengan"),
    ("MD-2436", "menolong_diri_sendiri", "Makan sendiri dengan sendok"),
]
WEIGHT_KG, HEIGHT_CM = "10.5", "82.0"


def assert_fits_phone(page):
    """Nothing wider than the 360px screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on {page.url}"


def setup_group(group, today: datetime.date) -> dict:
    f.topic(TOPIC)
    instrument = f.kka_instrument([(code, 24, 36, aspect) for code, aspect, _text in TASKS])
    for code, _aspect, text in TASKS:
        Milestone.objects.filter(instrument=instrument, code=code).update(text_id=text)
    children = {}
    for mother, name, sex, months, _came, _who in FAMILIES:
        # A few days past the whole month, so the age reads the same all day.
        born = add_months(today, -months) - datetime.timedelta(days=5)
        children[name] = f.child(f.family(group, mother_name=mother), born, name=name, sex=sex)
        f.kka_check(children[name], born)  # their cards were filled long ago: all assessed
    return children


def test_cadre_logs_session_kka_and_stunted_measurement_then_sees_flag(world, login_page, live_server, shot):
    group = world["group_a"]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    # Yesterday, unless that was last month: "seen this month" must count the meeting.
    day = yesterday if yesterday.month == today.month else today
    children = setup_group(group, today)
    siti = children["Siti Aisyah"]
    imas = Cadre.objects.get(name="Imas")

    # --- the meeting -------------------------------------------------------------
    page = login_page(world["cadre_a"])
    roster_url = f"{live_server.url}/kelompok/{group.pk}/anggota/"
    assert page.url == f"{live_server.url}/laporan/kelompok/{group.pk}/tugas/"  # her home: the month's tasks
    page.get_by_role("link", name="Daftar anggota", exact=True).click()
    page.wait_for_url(roster_url)
    page.get_by_role("link", name="Catat pertemuan", exact=True).click()
    page.wait_for_url(f"{live_server.url}/pertemuan/kelompok/{group.pk}/baru/*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat pertemuan · BKB Melati")
    assert page.input_value("#id_date") == today.isoformat()
    if day != today:
        # A new date reloads the member list for that date (nothing ticked yet).
        with page.expect_navigation():
            page.fill("#id_date", day.isoformat())
        assert f"tanggal={day.isoformat()}" in page.url
        assert page.input_value("#id_date") == day.isoformat()
    expect(page.locator(".attend-row")).to_have_count(len(FAMILIES))

    for label in ("1-2 tahun", "2-3 tahun", "3-4 tahun"):
        page.get_by_role("checkbox", name=label, exact=True).check()
    page.get_by_label("Materi").select_option(label=TOPIC)
    page.locator(f"select[name='cadre_{imas.pk}']").select_option(label="Kader inti")
    families = {mother: children[name].family for mother, name, *_rest in FAMILIES}
    for mother, _name, _sex, _months, came, who in FAMILIES:
        if not came:
            continue
        row = page.locator(f".attend-row[data-family='{families[mother].pk}']")
        row.get_by_role("checkbox", name=mother, exact=True).check()
        if who != "ibu":
            row.get_by_label("Yang hadir").select_option(who)
    # Siti's family is listed under her age group, with her as the child who came.
    siti_row = page.locator(f".roster-band[data-age-group='2'] .attend-row[data-family='{siti.family_id}']")
    expect(siti_row.get_by_label("Bersama anak")).to_have_value(str(siti.pk))
    expect(page.locator("input[name=hadir]:checked")).to_have_count(5)
    assert_fits_phone(page)
    shot("session-1-form")

    page.get_by_role("button", name="Simpan pertemuan").click()
    page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/pertemuan/\d+/$"))
    expect(page.get_by_role("alert")).to_have_text(f"Pertemuan {day:%d-%m-%Y} tersimpan.")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Hadir: 5 keluarga")
    expect(page.locator("main")).to_contain_text("Ayah · bersama Asep Hidayat")
    expect(page.locator("main")).to_contain_text("Tidak hadir: 1 keluarga")
    assert_fits_phone(page)
    shot("session-2-detail")

    session = CoachingSession.objects.get()
    assert (session.group, session.date, session.topic.name) == (group, day, TOPIC)
    assert sorted(session.age_groups) == [1, 2, 3]
    assert list(session.session_cadres.values_list("cadre__name", "role")) == [("Imas", "inti")]
    attendances = Attendance.objects.filter(session=session)
    assert attendances.count() == 5
    expected = {(families[mother].pk, children[name].pk, who) for mother, name, _s, _m, came, who in FAMILIES if came}
    assert set(attendances.values_list("family_id", "child_id", "attendee")) == expected

    # --- the KKA card: roster > child > KKA ---------------------------------------------
    page.goto(roster_url)
    page.get_by_role("link", name="Siti Aisyah", exact=True).click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Siti Aisyah")
    page.get_by_role("link", name="Isi KKA").click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/kka/")
    items = page.locator(".kka-item")
    expect(items).to_have_count(len(TASKS))
    expect(page.locator(".kka-item[data-status='not_yet']")).to_have_count(len(TASKS))
    marked = {"KA-2436": add_months(today, -2), "KOM-2436": day}
    for code, achieved in marked.items():
        item = page.locator(f".kka-item[data-milestone='{code}']")
        item.get_by_role("checkbox").check()
        item.locator("input[type=date]").fill(achieved.isoformat())
    assert_fits_phone(page)
    shot("session-3-kka")

    page.get_by_role("button", name="Simpan pemeriksaan KKA").click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/kka/")
    expect(page.get_by_role("alert")).to_have_text("Pemeriksaan KKA Siti Aisyah tersimpan (2 perubahan).")
    expect(page.locator(".kka-item[data-status='done']")).to_have_count(2)
    # A mark is taken off only explicitly, with its own "Hapus tanda" box.
    expect(page.locator(".kka-item[data-status='done'] input[name^=remove_]:not(:checked)")).to_have_count(2)
    shot("session-3b-kka-saved")
    records = MilestoneRecord.objects.filter(child=siti)
    assert {(r.milestone.code, r.achieved_on) for r in records} == set(marked.items())
    # The mark dated on the meeting day is linked to that meeting.
    assert records.get(milestone__code="KOM-2436").session == session

    # --- the measurement: child page > "+ Ukur" -----------------------------------------
    age_days = (today - siti.birth_date).days
    haz = growth.zscore("hfa", "F", age_days, float(HEIGHT_CM), measured="standing")
    assert -3 <= haz < -2, haz  # stunted ("Pendek"), not severely, and far from implausible
    page.get_by_role("link", name="Siti Aisyah", exact=True).click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/")
    page.get_by_role("link", name="+ Ukur").click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/ukur/")
    assert page.input_value("#id_date") == today.isoformat()
    assert page.input_value("#id_position") == "standing"  # 24 months and over
    page.fill("#id_weight_kg", WEIGHT_KG)
    page.fill("#id_height_cm", HEIGHT_CM)
    assert_fits_phone(page)
    shot("session-4-measurement")
    page.get_by_role("button", name="Simpan pengukuran").click()
    page.wait_for_load_state()
    if page.locator("#id_confirmed").count():  # the app asks to confirm unlikely values
        page.locator("#id_confirmed").check()
        page.get_by_role("button", name="Simpan pengukuran").click()
    page.wait_for_url(f"{live_server.url}/anak/{siti.pk}/")
    expect(page.get_by_role("alert")).to_contain_text(f"Pengukuran {today:%d-%m-%Y} tersimpan: Pendek")
    growth_box = page.locator("#growth")
    expect(growth_box.locator("dt:has-text('TB/U') + dd")).to_contain_text("Pendek")
    expect(growth_box.locator("[data-flag=growth]")).to_have_text("Pendek")
    assert_fits_phone(page)
    shot("session-5-child")
    measurement = Measurement.objects.get(child=siti)
    assert (str(measurement.weight_kg), str(measurement.height_cm)) == ("10.50", "82.0")
    assert measurement.position == "standing"
    assert measurement.haz == pytest.approx(haz, abs=0.01)

    # --- the roster flags and "Perlu perhatian" ------------------------------------------
    page.get_by_role("link", name="BKB Melati").click()
    page.wait_for_url(roster_url)

    def row(name):
        return page.locator(f"#roster-results .roster-row[data-child='{children[name].pk}']")

    expect(page.locator("#roster-results .roster-row")).to_have_count(len(FAMILIES))
    expect(row("Siti Aisyah").locator("[data-flag=growth]")).to_have_text("Pendek")
    expect(row("Siti Aisyah").locator("[data-kka]")).to_have_text("KKA: Sesuai")
    expect(row("Siti Aisyah").locator("[data-flag=not-seen]")).to_have_count(0)
    expect(row("Euis Nurhasanah").locator(".flag")).to_have_count(1)  # only "KKA: Sesuai"
    expect(row("Ujang Saputra").locator("[data-flag=not-seen]")).to_have_text("belum ditemui bulan ini")
    assert_fits_phone(page)
    shot("session-6-roster")

    page.get_by_role("link", name="Perlu perhatian").click()
    page.wait_for_url(roster_url + "?perhatian=1")
    results = page.locator("#roster-results")
    # Siti (stunted), Asep (KKA owed), Nining (KKA: refer), Ujang (not seen this month).
    expect(results).to_contain_text("4 anak · perlu perhatian")
    expect(results.locator(".roster-row")).to_have_count(4)
    for name in ("Siti Aisyah", "Asep Hidayat", "Nining Suhartini", "Ujang Saputra"):
        expect(row(name)).to_have_count(1)
    for name in ("Dede Kurniawan", "Euis Nurhasanah"):  # came, KKA on track, no growth problem
        expect(row(name)).to_have_count(0)
    expect(row("Siti Aisyah").locator("[data-flag=growth]")).to_have_text("Pendek")
    expect(page.get_by_role("link", name="Perlu perhatian ✕")).to_have_attribute("aria-pressed", "true")
    assert_fits_phone(page)
    shot("session-7-roster-attention")
