"""Cadre profiles, roles, training and the regeneration figures on the group page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from cadres.models import Cadre, CadreRole, Training
from tests import factories as f

pytestmark = pytest.mark.django_db


def _cadre_form(**overrides):
    data = {
        "name": "Nunung",
        "nik": "",
        "phone": "0813-2222-3333",
        "sex": "F",
        "education": "sma",
        "date_joined": timezone.localdate().isoformat(),
        "active": "on",
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": "inti",
        "roles-0-age_group": "1",
        "roles-1-role": "sekretaris",
        "roles-1-age_group": "",
    }
    data.update(overrides)
    return data


def test_add_cadre_with_roles_in_the_group(world, login):
    response = login(world["cadre_a"]).post(reverse("cadres:create", args=[world["group_a"].pk]), _cadre_form())
    assert response.status_code == 302
    cadre = Cadre.objects.get(name="Nunung")
    assert cadre.phone == "081322223333"
    assert set(CadreRole.objects.filter(cadre=cadre).values_list("group__name", "role", "age_group")) == {
        ("BKB Melati", "inti", 1),
        ("BKB Melati", "sekretaris", None),
    }


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"roles-0-age_group": ""}, "age_group", "Pilih kelompok umur yang dipegang kader ini."),
        ({"roles-1-age_group": "2"}, "age_group", "Pengurus kelompok tidak memegang kelompok umur."),
    ],
)
def test_role_and_age_group_must_match(world, login, overrides, field, message):
    response = login(world["cadre_a"]).post(
        reverse("cadres:create", args=[world["group_a"].pk]), _cadre_form(**overrides)
    )
    assert response.status_code == 200
    errors = [str(e) for form in response.context["roles"].forms for e in form.errors.get(field, [])]
    assert errors == [message]
    assert not Cadre.objects.filter(name="Nunung").exists()


def test_cadre_nik_and_phone_are_validated(world, login):
    response = login(world["cadre_a"]).post(
        reverse("cadres:create", args=[world["group_a"].pk]), _cadre_form(nik="123", phone="999")
    )
    assert "Harus tepat 16 angka" in str(response.context["form"].errors["nik"])
    assert "Nomor HP tidak valid" in str(response.context["form"].errors["phone"])


def test_training_is_recorded_and_future_dates_refused(world, login):
    cadre = Cadre.objects.get(user=world["cadre_a"])
    client = login(world["cadre_a"])
    url = reverse("cadres:training_create", args=[cadre.pk])
    bad = client.post(url, {"kind": "dasar", "date": "2099-01-01", "organiser": "DPPKB"})
    assert bad.status_code == 400
    assert "Tanggal tidak boleh di masa depan." in bad.content.decode()
    good = client.post(url, {"kind": "kka", "date": "2026-03-02", "organiser": "DPPKB"})
    assert good.status_code == 302
    assert Training.objects.get(cadre=cadre).kind == "kka"


def test_group_page_shows_trained_and_new_cadres(world, login):
    today = timezone.localdate()
    group = world["group_a"]
    old = f.cadre(group, name="Lama", date_joined=datetime.date(2015, 1, 1))
    f.training(old, datetime.date(2016, 1, 1))
    f.cadre(group, name="Baru", date_joined=add_months(today, -2))
    f.cadre(group, name="Berhenti", date_joined=add_months(today, -1), active=False)
    Cadre.objects.filter(user=world["cadre_a"]).update(date_joined=datetime.date(2010, 1, 1))
    html = login(world["supervisor"]).get(reverse("groups:detail", args=[group.pk])).content.decode()
    # Imas (old, untrained), Lama (trained), Baru (new); the inactive one is listed but not counted.
    assert "3 kader aktif, 1 sudah dilatih, 1 baru dalam 12 bulan terakhir." in html
    assert "Berhenti" in html


def test_group_without_new_cadres_is_flagged(world, login):
    Cadre.objects.filter(user=world["cadre_a"]).update(date_joined=datetime.date(2010, 1, 1))
    html = login(world["supervisor"]).get(reverse("groups:detail", args=[world["group_a"].pk])).content.decode()
    assert "Belum ada regenerasi kader" in html


def test_supervisor_records_a_supervision_visit(world, login):
    client = login(world["supervisor"])
    url = reverse("groups:visit_create", args=[world["group_a"].pk])
    response = client.post(
        url, {"date": "2026-11-02", "findings": "KKA belum rutin diisi", "follow_up": "Pelatihan KKA"}
    )
    assert response.status_code == 302
    visit = world["group_a"].supervision_visits.get()
    assert visit.supervisor == world["supervisor"]
    assert login(world["cadre_a"]).get(url).status_code == 403
    assert login(world["supervisor"]).get(reverse("groups:visit_create", args=[world["group_c"].pk])).status_code == 404


def test_cadre_is_edited_only_through_a_group_they_serve(world, login):
    oom = Cadre.objects.get(name="Oom")  # serves group_b
    admin = login(world["admin"])
    assert admin.get(reverse("cadres:edit", args=[world["group_a"].pk, oom.pk])).status_code == 404
    assert admin.get(reverse("cadres:edit", args=[world["group_b"].pk, oom.pk])).status_code == 200


def test_only_the_chair_or_an_admin_keeps_the_cadre_register(world, login):
    member = f.user("anggota", "cadre")
    f.cadre(world["group_a"], user=member, role="inti", age_group=2, name="Bukan Ketua")
    client = login(member)
    url = reverse("cadres:create", args=[world["group_a"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _cadre_form(**{"roles-0-role": "ketua", "roles-0-age_group": ""})).status_code == 403
    assert not Cadre.objects.filter(name="Nunung").exists()
    assert "Tambah kader" not in client.get(reverse("groups:detail", args=[world["group_a"].pk])).content.decode()
    assert (
        "Tambah kader"
        in login(world["cadre_a"]).get(reverse("groups:detail", args=[world["group_a"].pk])).content.decode()
    )


def test_edit_link_shows_only_to_those_who_may_edit(world, login):
    oom = Cadre.objects.get(name="Oom")  # serves group_b; cadre_b is not its chair
    url = reverse("cadres:detail", args=[oom.pk])
    assert "Ubah data kader" not in login(world["cadre_b"]).get(url).content.decode()
    assert "Ubah data kader" in login(world["admin"]).get(url).content.decode()
