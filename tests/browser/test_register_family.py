"""A cadre registers a family on a 360px phone, then finds it by searching the roster."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bkb.lib.ages import add_months
from families.models import Child, Family
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOTHER = "Nenden Kurniasih"
NIK = "3211015208910003"
KK = "3211010101230007"
IS_INVALID = re.compile(r"\bis-invalid\b")


def assert_fits_phone(page):
    """Nothing wider than the 360px screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on {page.url}"


def fill_child(form, name: str, sex: str, birth_date: str):
    form.locator("input[name$='-name']").fill(name)
    form.locator("select[name$='-sex']").select_option(sex)
    form.locator("input[name$='-birth_date']").fill(birth_date)


def add_child(page):
    """Tap "+ Tambah anak" and return the block it cloned from the <template>."""
    forms = page.locator("#children-list .child-form")
    before = forms.count()
    page.get_by_role("button", name="+ Tambah anak").click()
    expect(forms).to_have_count(before + 1)
    assert page.input_value("#id_children-TOTAL_FORMS") == str(before + 1)
    added = forms.nth(before)
    expect(added.locator("strong").first).to_have_text(f"Anak {before + 1}")
    expect(added.locator("input[name$='-name']")).to_have_attribute("name", f"children-{before}-name")
    return added


def test_cadre_registers_family_with_two_children_and_finds_it(world, login_page, live_server, shot):
    group = world["group_a"]
    today = timezone.localdate()
    for mother, child in [("Sari Wulandari", "Budi Santoso"), ("Rina Marlina", "Cici Lestari")]:
        f.child(f.family(group, mother_name=mother), add_months(today, -20), name=child)

    page = login_page(world["cadre_a"])
    roster_url = f"{live_server.url}/kelompok/{group.pk}/anggota/"
    assert page.url == f"{live_server.url}/laporan/kelompok/{group.pk}/tugas/"  # her home: the month's tasks
    page.get_by_role("link", name="Daftar anggota", exact=True).click()
    page.wait_for_url(roster_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("BKB Melati")
    expect(page.locator("#roster-results .roster-row")).to_have_count(2)
    assert_fits_phone(page)

    page.get_by_role("link", name="+ Keluarga").click()
    page.wait_for_url(f"{live_server.url}/kelompok/{group.pk}/keluarga/baru/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Daftarkan keluarga")
    page.fill("#id_mother_name", MOTHER)
    page.fill("#id_mother_nik", NIK)
    page.fill("#id_kk_number", KK)
    page.fill("#id_phone", "0812-3456-7890")
    fill_child(
        page.locator("#children-list .child-form").first, "Asep Saepudin", "M", add_months(today, -40).isoformat()
    )
    second = add_child(page)
    fill_child(second, "Euis Komariah", "F", add_months(today, -8).isoformat())
    assert_fits_phone(page)
    shot("1-family-form")

    page.get_by_role("button", name="Simpan keluarga").click()
    page.wait_for_url(f"{live_server.url}/keluarga/*/")
    expect(page.get_by_role("alert")).to_contain_text(f"Keluarga ibu {MOTHER} tersimpan.")
    children = page.locator("li.roster-row")
    expect(children).to_have_count(2)
    expect(children.nth(0)).to_contain_text("Asep Saepudin")
    expect(children.nth(0)).to_contain_text("40 bln")
    expect(children.nth(1)).to_contain_text("Euis Komariah")
    expect(children.nth(1)).to_contain_text("8 bln")
    assert_fits_phone(page)
    shot("2-family-detail")

    family = Family.objects.get(mother_name=MOTHER)
    assert family.group == group
    assert (family.mother_nik, family.kk_number, family.phone) == (NIK, KK, "081234567890")
    assert sorted(family.children.values_list("name", "sex")) == [("Asep Saepudin", "M"), ("Euis Komariah", "F")]
    assert Child.objects.filter(family__group=group).count() == 4

    page.get_by_role("link", name="BKB Melati").click()
    page.wait_for_url(roster_url)
    rows = page.locator("#roster-results .roster-row")
    expect(rows).to_have_count(4)

    search = page.get_by_role("searchbox", name="Cari")
    with page.expect_response(lambda r: r.url.endswith("?q=nenden")) as fetched:
        search.press_sequentially("nenden", delay=40)
    assert fetched.value.request.headers.get("x-partial") == "1"
    expect(rows).to_have_count(2)
    expect(page.locator("#roster-results")).to_contain_text("Asep Saepudin")
    expect(page.locator("#roster-results")).to_contain_text("Euis Komariah")
    expect(page.locator("#roster-results")).not_to_contain_text("Budi Santoso")
    expect(page.locator("#roster-results")).not_to_contain_text("Cici Lestari")
    expect(page.locator("#roster-results")).to_contain_text("2 anak · “nenden”")
    assert page.url == roster_url + "?q=nenden"  # history.replaceState keeps the search on reload
    assert page.locator("nav.navbar").count() == 1  # the fragment, not a whole page, was swapped in
    assert_fits_phone(page)
    shot("3-roster-search")


def test_bad_nik_and_future_birth_date_show_indonesian_errors_and_keep_input(world, login_page, live_server, shot):
    group = world["group_a"]
    today = timezone.localdate()
    future = add_months(today, 2).isoformat()
    past = add_months(today, -30).isoformat()

    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/kelompok/{group.pk}/keluarga/baru/")
    page.fill("#id_mother_name", MOTHER)
    page.fill("#id_mother_nik", NIK[:15])
    page.fill("#id_phone", "081234567890")
    fill_child(page.locator("#children-list .child-form").first, "Asep Saepudin", "M", future)
    fill_child(add_child(page), "Euis Komariah", "F", past)

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Simpan keluarga").click()
    assert posted.value.status == 400
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/kelompok/{group.pk}/keluarga/baru/"

    expect(page.locator(".alert-danger").first).to_contain_text("Ada isian yang perlu diperbaiki")
    nik_field = page.locator("#div_id_mother_nik")
    expect(nik_field.locator("#id_mother_nik")).to_have_class(IS_INVALID)
    expect(nik_field.locator(".invalid-feedback")).to_have_text("Harus tepat 16 angka (sekarang 15 karakter).")
    birth_field = page.locator("#div_id_children-0-birth_date")
    expect(birth_field.locator("input")).to_have_class(IS_INVALID)
    expect(birth_field.locator(".invalid-feedback")).to_have_text("Tanggal lahir tidak boleh di masa depan.")
    expect(page.locator(".invalid-feedback")).to_have_count(2)

    # What the cadre typed is still there, including the child added with JS.
    assert page.input_value("#id_mother_name") == MOTHER
    assert page.input_value("#id_mother_nik") == NIK[:15]
    assert page.input_value("#id_phone") == "081234567890"
    assert page.input_value("#id_children-0-name") == "Asep Saepudin"
    assert page.input_value("#id_children-0-sex") == "M"
    assert page.input_value("#id_children-0-birth_date") == future
    added = page.locator("#children-list .child-form").last
    assert added.locator("input[name$='-name']").input_value() == "Euis Komariah"
    assert added.locator("input[name$='-birth_date']").input_value() == past
    assert_fits_phone(page)
    shot("4-family-form-errors")

    assert not Family.objects.filter(mother_name=MOTHER).exists()
    assert not Child.objects.exists()


def test_added_child_gets_the_keyboard(world, login_page, live_server):
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/kelompok/{world['group_a'].pk}/keluarga/baru/")
    added = add_child(page)
    expect(added.locator("input[name$='-name']")).to_be_focused(timeout=2_000)
