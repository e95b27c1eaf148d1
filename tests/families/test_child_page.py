"""The child page: details, KKA summary, growth with charts, referrals; and who may do what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bkb.lib.ages import add_months
from families.measurements import measurement_record
from families.models import Referral
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def child(world):
    f.kka_instrument([("A", 0, 3, "motorik_kasar"), ("B", 3, 6, "kecerdasan")], name="Penanda uji")
    child = f.child(f.family(world["group_a"], mother_name="Euis"), add_months(TODAY, -10), name="Naura", sex="F")
    f.kka_check(child, child.birth_date)  # assessed long ago
    return child


def page(client, child):
    return client.get(reverse("families:child_detail", args=[child.pk]))


def test_page_shows_details_kka_status_and_prompts_a_referral(world, login, child):
    html = page(login(world["cadre_a"]), child).content.decode()
    assert "Naura" in html and "Euis" in html and "10 bulan" in html
    assert 'data-kka="perlu_rujukan"' in html and "Perlu rujukan" in html
    assert "Penanda uji" in html
    assert 'data-prompt="referral"' in html
    assert "Belum pernah diukur" in html


def test_a_child_never_checked_is_not_yet_assessed_and_not_to_refer(world, login, child):
    child.kka_checks.all().delete()
    html = page(login(world["cadre_a"]), child).content.decode()
    assert 'data-kka="belum_dinilai"' in html and "Belum dinilai" in html
    assert "Perlu rujukan" not in html and 'data-prompt="referral"' not in html
    assert "Mulai pemeriksaan KKA pertama" in html


def test_a_referred_child_reads_sudah_dirujuk_without_the_prompt(world, login, child):
    Referral.objects.create(
        child=child, date=TODAY - DAY, referred_to="Bidan", closed_on=TODAY, outcome="Stimulasi di rumah"
    )
    html = page(login(world["cadre_a"]), child).content.decode()
    assert 'data-kka="perlu_rujukan" data-referred="1"' in html and "sudah dirujuk" in html
    assert 'data-prompt="referral"' not in html


def test_page_shows_latest_measurement_categories_and_charts(world, login, child):
    measurement_record(child=child, date=TODAY - 60 * DAY, weight_kg="6.0", height_cm="63", position="lying")
    latest = measurement_record(child=child, date=TODAY - DAY, weight_kg="6.3", height_cm="65", position="lying")
    assert latest.haz < -2 and latest.waz < -2
    html = page(login(world["cadre_a"]), child).content.decode()
    assert "Pendek" in html
    assert "Berat badan kurang" in html or "Berat badan sangat kurang" in html
    assert "BB kurang" in html or "BB sangat kurang" in html
    assert html.count("<svg") == 2
    assert "Panjang/tinggi badan menurut umur" in html and "Berat badan menurut umur" in html


def test_referral_recorded_listed_and_closed(world, login, child):
    client = login(world["cadre_a"])
    response = client.post(
        reverse("families:referral_add", args=[child.pk]),
        {"date": TODAY.isoformat(), "referred_to": "Bidan desa", "reason": "Belum bisa duduk"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.created_by == world["cadre_a"]
    html = page(client, child).content.decode()
    assert "Bidan desa" in html and 'data-prompt="referral"' not in html

    close = reverse("families:referral_close", args=[referral.pk])
    response = client.post(close, {"closed_on": (TODAY - 5 * DAY).isoformat(), "outcome": "Stimulasi"})
    assert response.status_code == 400
    assert "sebelum tanggal rujukan" in response.content.decode()
    response = client.post(close, {"closed_on": TODAY.isoformat(), "outcome": "Dirujuk ke Puskesmas, stimulasi"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.closed_on == TODAY and referral.status == Referral.Status.CLOSED
    # Still owed, but the closed referral covers those tasks: sudah dirujuk, no prompt.
    html = page(client, child).content.decode()
    assert 'data-prompt="referral"' not in html and 'data-referred="1"' in html


def test_referral_in_the_future_is_refused_keeping_input(world, login, child):
    response = login(world["cadre_a"]).post(
        reverse("families:referral_add", args=[child.pk]),
        {"date": (TODAY + DAY).isoformat(), "referred_to": "Puskesmas Jatinangor"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "masa depan" in html and "Puskesmas Jatinangor" in html
    assert not Referral.objects.exists()


def test_every_child_url_by_persona(world, login, child):
    referral = child.referrals.create(date=TODAY, referred_to="Bidan")
    urls = {
        "detail": reverse("families:child_detail", args=[child.pk]),
        "kka": reverse("sessions:child_kka", args=[child.pk]),
        "measure": reverse("families:measurement_add", args=[child.pk]),
        "refer": reverse("families:referral_add", args=[child.pk]),
        "close": reverse("families:referral_close", args=[referral.pk]),
    }
    reads = {"detail", "kka"}
    expected = {
        "cadre_a": {name: 200 for name in urls},
        "admin": {name: 200 for name in urls},
        "supervisor": {name: 200 if name in reads else 403 for name in urls},
        "cadre_b": {name: 404 for name in urls},
        "outsider": {name: 404 for name in urls},
    }
    for persona, codes in expected.items():
        client = login(world[persona])
        got = {name: client.get(url).status_code for name, url in urls.items()}
        assert got == codes, persona
        for name in urls.keys() - reads:
            status = client.post(urls[name], {}).status_code
            assert status == (400 if codes[name] == 200 else codes[name]), (persona, name)
    html = page(login(world["supervisor"]), child).content.decode()
    assert reverse("families:measurement_add", args=[child.pk]) not in html
    assert reverse("families:referral_close", args=[referral.pk]) not in html
    assert login(world["cadre_a"]).get(reverse("families:child_detail", args=[999999])).status_code == 404


def test_child_page_query_count_is_fixed(world, login, child):
    client = login(world["cadre_a"])
    counts = []
    for total in (10, 200):
        other = f.child(f.family(world["group_a"]), add_months(TODAY, -59))
        for i in range(total):
            f.measurement(other, other.birth_date + (i * 9 + 1) * DAY, haz=-1, waz=-1, whz=-1)
            if i % 20 == 0:
                other.referrals.create(date=TODAY - i * DAY, referred_to="Bidan")
        with CaptureQueriesContext(connection) as queries:
            assert page(client, other).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 10, counts
