"""Issue 9 on a 360px phone: the decimal comma, and a double tap that saves once."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bkb.lib.ages import add_months
from families.models import Measurement
from sessions.models import HomeVisit
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _child(world):
    today = timezone.localdate()
    # 30 months: 14.5 kg and 92.5 cm are ordinary, so nothing asks for confirmation.
    born = add_months(today, -30) - datetime.timedelta(days=5)
    return f.child(f.family(world["group_a"], mother_name="Nur'aini"), born, name="Salsa", sex="F")


def test_weight_typed_with_a_comma_is_stored_and_shown_with_a_comma(world, login_page, live_server, shot):
    child = _child(world)
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/anak/{child.pk}/ukur/")
    weight = page.locator("#id_weight_kg")
    # The phone shows its decimal keypad, and a text box keeps the comma (type=number would drop it).
    assert weight.get_attribute("inputmode") == "decimal"
    assert weight.get_attribute("type") == "text"
    weight.fill("14,5")
    page.fill("#id_height_cm", "92,5")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan pengukuran").click()
    measurement = Measurement.objects.get(child=child)
    assert (measurement.weight_kg, measurement.height_cm) == (Decimal("14.5"), Decimal("92.5"))
    assert page.url.endswith(f"/anak/{child.pk}/")
    assert "14,5" in page.locator("main").inner_text()
    shot("typing-measurement-comma")

    # A bad value comes back beside the field, in Indonesian, with what was typed kept.
    page.goto(f"{live_server.url}/anak/{child.pk}/ukur/")
    page.fill("#id_weight_kg", "14,5,1")
    page.fill("#id_height_cm", "92,5")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan pengukuran").click()
    feedback = page.locator("#id_weight_kg ~ .invalid-feedback, #id_weight_kg + .invalid-feedback").first
    assert "Tulis angka, misalnya 14,5" in page.locator("main").inner_text()
    assert feedback.count() == 1
    assert page.input_value("#id_weight_kg") == "14,5,1"
    assert Measurement.objects.filter(child=child).count() == 1


def _double_click_and_wait(page, button):
    with page.expect_navigation():
        button.dblclick()
    page.wait_for_load_state("networkidle")


def test_double_tap_on_measurement_saves_one(world, login_page, live_server):
    child = _child(world)
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/anak/{child.pk}/ukur/")
    page.fill("#id_weight_kg", "14.5")
    page.fill("#id_height_cm", "92.5")
    _double_click_and_wait(page, page.get_by_role("button", name="Simpan pengukuran"))
    assert Measurement.objects.filter(child=child).count() == 1
    assert page.url.endswith(f"/anak/{child.pk}/")


def test_double_tap_on_home_visit_saves_one(world, login_page, live_server):
    family = f.family(world["group_a"], mother_name="Ma'ruf")
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/pertemuan/keluarga/{family.pk}/kunjungan-rumah/baru/")
    page.fill("#id_note", "Anak sehat, ibu minta jadwal posyandu")
    _double_click_and_wait(page, page.get_by_role("button", name="Simpan"))
    assert HomeVisit.objects.filter(family=family).count() == 1
    assert "/kunjungan-rumah/" in page.url and "/baru/" not in page.url


def test_a_resent_home_visit_form_goes_where_the_first_went(world, login_page, live_server):
    """The server's token, without the button's help: the same form sent twice saves once."""
    family = f.family(world["group_a"], mother_name="Sití")
    page = login_page(world["cadre_a"])
    page.goto(f"{live_server.url}/pertemuan/keluarga/{family.pk}/kunjungan-rumah/baru/")
    page.fill("#id_note", "Kunjungan pertama")
    # Send the form twice at once, as two taps on a slow line would, bypassing the disabled button.
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector("main form[method=post]");
            const send = () => fetch(form.action || location.href, {method: "POST", body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map(a => [a.status, a.url]);
        }"""
    )
    assert HomeVisit.objects.filter(family=family).count() == 1
    assert [status for status, _url in statuses] == [200, 200]
    assert statuses[0][1] == statuses[1][1]
