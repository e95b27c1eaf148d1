"""A cadre registers a 20-month-old and gives it its first KKA check on a 360px phone."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bkb.lib.ages import add_months
from families import kka
from families.instruments import load_instrument
from families.models import Child, Instrument, KkaCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHIPPED = Path(__file__).resolve().parents[2] / "families" / "data" / "milestones.csv"


@pytest.fixture
def shipped_instrument():
    # Transactional tests start from empty tables: load the shipped Buku KIA markers.
    return Instrument.objects.filter(active=True).first() or load_instrument(
        SHIPPED, name="Penanda perkembangan Buku KIA (uji)", activate=True
    )


def assert_fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on {page.url}"


def test_first_check_of_a_new_20_month_old(world, login_page, live_server, shot, shipped_instrument):
    group = world["group_a"]
    born = add_months(timezone.localdate(), -20)
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/kelompok/{group.pk}/keluarga/baru/")
    page.fill("#id_mother_name", "Lilis Suryani")
    page.fill("#id_phone", "081234567891")
    child_form = page.locator("#children-list .child-form").first
    child_form.locator("input[name$='-name']").fill("Dede Rahmat")
    child_form.locator("select[name$='-sex']").select_option("M")
    child_form.locator("input[name$='-birth_date']").fill(born.isoformat())
    page.get_by_role("button", name="Simpan keluarga").click()
    page.wait_for_url(f"{live_server.url}/keluarga/*/")

    # The child page: not yet assessed, nobody to refer.
    page.get_by_role("link", name="Dede Rahmat").click()
    expect(page.locator("[data-kka]").first).to_have_attribute("data-kka", "belum_dinilai")
    expect(page.locator("#kka")).to_contain_text("Belum dinilai")
    expect(page.locator('[data-prompt="referral"]')).to_have_count(0)
    page.get_by_role("link", name="Mulai pemeriksaan KKA pertama").click()

    # The first check: band by band up to the child's age, each with its shortcut.
    expect(page.locator("[data-kka]")).to_have_attribute("data-kka", "belum_dinilai")
    expect(page.get_by_role("heading", name="Pemeriksaan KKA pertama")).to_be_visible()
    bands = page.locator("[data-band]")
    expect(bands).to_have_count(6)  # 0-3, 3-6, 6-9, 9-12, 12-18, 18-24
    expect(page.locator("details.kka-section[open]")).to_have_count(0)  # each band's tasks folded
    assert_fits_phone(page)
    shot("kka-1-first-check")

    for band in ("0-3", "3-6", "6-9", "9-12"):
        page.get_by_text(f"Semua tugas {band} bulan sudah bisa").click()
    band_9_12 = page.locator('[data-band="9-12"]')
    items = band_9_12.locator("input[data-band-item]")
    assert items.count() == 12
    for n in range(items.count()):
        expect(items.nth(n)).to_be_checked()
    # One task of 9-12 the child does not do yet: unticking it unticks the shortcut.
    band_9_12.get_by_text("Pilih satu per satu").click()
    not_yet = band_9_12.locator(".kka-item").first
    not_yet_code = not_yet.get_attribute("data-milestone")
    not_yet.locator("label.kka-tap").click()
    expect(band_9_12.locator("input[data-band-all]")).not_to_be_checked()
    # Tap targets of at least 44px, every input labelled.
    for box in page.locator("label.kka-tap").all()[:10]:
        assert box.bounding_box()["height"] >= 44
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('form[data-kka-form] input:not([type=hidden])')]
              .filter(i => !i.labels || i.labels.length === 0).map(i => i.name)"""
    )
    assert unlabelled == []
    shot("kka-2-bands-ticked")

    page.get_by_role("button", name="Simpan pemeriksaan pertama").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("tersimpan")
    badge = page.locator("[data-kka]")
    expect(badge).to_have_attribute("data-kka", "terhutang")
    expect(badge).not_to_contain_text("Perlu rujukan")
    # The owed task comes first, open; the bands already done are folded.
    attention = page.locator('details[data-section="perhatian"]')
    expect(attention).to_have_attribute("open", "")
    expect(attention.locator(".kka-item")).to_have_count(1)
    expect(attention.locator(f'[data-milestone="{not_yet_code}"]')).to_have_attribute("data-status", "owed")
    expect(page.locator('details[data-section="0-3"]')).not_to_have_attribute("open", "")
    assert_fits_phone(page)
    shot("kka-3-after-first-check")

    child = Child.objects.get(name="Dede Rahmat")
    assert child.milestone_records.count() == 8 + 10 + 11 + 11
    assert list(KkaCheck.objects.filter(child=child).values_list("date", flat=True)) == [timezone.localdate()]
    assert kka.child_card(child, timezone.localdate()).status == kka.KkaStatus.TERHUTANG


def test_kka_page_has_no_serious_accessibility_findings(world, login_page, live_server, shipped_instrument):
    from axe_playwright_python.sync_playwright import Axe

    from tests import factories as f

    child = f.child(f.family(world["group_a"]), add_months(timezone.localdate(), -29), name="Nining")
    f.kka_check(child, child.birth_date)
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/anak/{child.pk}/kka/")
    results = Axe().run(page, context="form[data-kka-form]")
    serious = [
        (v["id"], len(v["nodes"])) for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    detail = [(v["id"], [n["html"][:120] for n in v["nodes"]]) for v in results.response["violations"]]
    assert serious == [], detail


def test_29_month_old_shows_owed_and_current_first_and_a_refused_save_focuses_the_error(
    world, login_page, live_server, shot, shipped_instrument
):
    from tests import factories as f

    today = timezone.localdate()
    child = f.child(f.family(world["group_a"]), add_months(today, -29), name="Nining")
    f.kka_check(child, child.birth_date)
    # Everything up to 24 months done except one 12-18 task (needs referral since 24 months).
    milestones = list(shipped_instrument.milestones.filter(band_end_month__lte=24).order_by("code"))
    owed = next(m for m in milestones if m.band_start_month == 12)
    for milestone in milestones:
        if milestone != owed:
            f.milestone_record(child, milestone, add_months(child.birth_date, milestone.band_end_month))
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/anak/{child.pk}/kka/")
    keys = [s.get_attribute("data-section") for s in page.locator("details.kka-section").all()]
    assert keys == ["perhatian", "sekarang", "18-24", "12-18", "9-12", "6-9", "3-6", "0-3"]
    open_keys = [s.get_attribute("data-section") for s in page.locator("details.kka-section[open]").all()]
    assert open_keys == ["perhatian", "sekarang"]
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 7000, height
    shot("kka-4-29-months")

    # A date in the future for a mark inside a folded band: refused, the band opens, the field has focus.
    marked = shipped_instrument.milestones.get(code=milestones[0].code)
    page.locator('details[data-section="0-3"] summary').click()
    field = page.locator(f"#id_date_{marked.pk}")
    field.fill((today + datetime.timedelta(days=3)).isoformat())
    page.locator('details[data-section="0-3"] summary').click()  # folded again before saving
    page.get_by_role("button", name="Simpan pemeriksaan KKA").click()
    page.wait_for_load_state()
    expect(page.locator('details[data-section="0-3"]')).to_have_attribute("open", "")
    expect(page.locator(f"#id_date_{marked.pk}")).to_be_focused()
    expect(page.locator('details[data-section="0-3"] .invalid-feedback')).to_contain_text("masa depan")
    shot("kka-5-error-focused")
