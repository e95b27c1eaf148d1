"""Registering a family with its children: one form, one transaction, clear errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from families.models import Child, Family
from tests import factories as f

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "mother_name": "Siti Aminah",
        "caregiver": "ibu",
        "mother_nik": "3211014506900001",
        "father_name": "Asep",
        "kk_number": "3211010101200001",
        "phone": "0812 3456 7890",
        "whatsapp": "",
        "address": "Kp. Cikuda",
        "rt": "02",
        "rw": "03",
        "is_pus": "on",
        "kb_method": "suntik",
        "welfare_stage": "ks1",
        "joined_on": today.isoformat(),
        "notes": "",
        "children-TOTAL_FORMS": "2",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "1",
        "children-MAX_NUM_FORMS": "1000",
        "children-0-name": "Zahra",
        "children-0-sex": "F",
        "children-0-birth_date": add_months(today, -14).isoformat(),
        "children-0-nik": "",
        "children-0-birth_weight_kg": "3.10",
        "children-0-birth_length_cm": "49.5",
        "children-1-name": "Raka",
        "children-1-sex": "M",
        "children-1-birth_date": add_months(today, -40).isoformat(),
        "children-1-nik": "",
        "children-1-birth_weight_kg": "",
        "children-1-birth_length_cm": "",
    }
    data.update(overrides)
    return data


def _post(client, group, **overrides):
    return client.post(reverse("families:create", args=[group.pk]), _form(**overrides))


def test_cadre_registers_a_family_with_two_children(world, login):
    response = _post(login(world["cadre_a"]), world["group_a"])
    family = Family.objects.get(mother_name="Siti Aminah")
    assert response.status_code == 302
    assert response.url == reverse("families:detail", args=[family.pk])
    assert family.group == world["group_a"]
    assert family.phone == "081234567890"  # normalised
    assert sorted(family.children.values_list("name", flat=True)) == ["Raka", "Zahra"]


def test_phone_with_country_code_is_normalised(world, login):
    _post(login(world["cadre_a"]), world["group_a"], phone="+62 812-3456-7890")
    assert Family.objects.get().phone == "081234567890"


def _errors(response, field, form="form", index=None):
    context_form = response.context[form]
    if index is not None:
        context_form = context_form.forms[index]
    return " ".join(str(e) for e in context_form.errors.get(field, []))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("mother_nik", "32110145069", "Harus tepat 16 angka (sekarang 11 karakter)"),
        ("mother_nik", "32110145069000AB", "Bukan angka: 'A' (ke-15), 'B' (ke-16)."),
        ("kk_number", "321101010120000", "Harus tepat 16 angka (sekarang 15 karakter)"),
        ("phone", "12345", "Nomor HP tidak valid"),
        ("whatsapp", "0812", "Nomor HP tidak valid"),
    ],
)
def test_bad_family_fields_are_answered_beside_the_field(world, login, field, value, message):
    response = _post(login(world["cadre_a"]), world["group_a"], **{field: value})
    assert response.status_code == 400
    assert message in _errors(response, field)
    assert not Family.objects.exists()
    assert value in response.content.decode()  # what was typed is kept


def test_future_join_date_and_left_before_joined_are_refused(world, login):
    client = login(world["cadre_a"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(client, world["group_a"], joined_on=tomorrow.isoformat())
    assert "tidak boleh di masa depan" in _errors(response, "joined_on")

    family = f.family(world["group_a"], joined_on=datetime.date(2025, 6, 1))
    f.child(family, add_months(timezone.localdate(), -5))
    data = {
        **_form(mother_nik="", kk_number=""),
        "left_on": "2025-05-01",
        "joined_on": "2025-06-01",
        "children-TOTAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "1",
    }
    child = family.children.get()
    data.update(
        {
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "1",
            "children-0-id": str(child.pk),
            "children-0-name": child.name,
            "children-0-sex": "F",
            "children-0-birth_date": child.birth_date.isoformat(),
        }
    )
    response = client.post(reverse("families:edit", args=[family.pk]), data)
    assert response.status_code == 400
    assert "Tanggal keluar tidak boleh sebelum tanggal bergabung (01-06-2025)" in _errors(response, "left_on")


def test_child_birth_date_in_future_or_72_months_old_is_refused(world, login):
    client = login(world["cadre_a"])
    today = timezone.localdate()
    response = _post(
        client,
        world["group_a"],
        **{
            "children-0-birth_date": (today + datetime.timedelta(days=3)).isoformat(),
            "children-1-birth_date": add_months(today, -72).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Tanggal lahir tidak boleh di masa depan" in _errors(response, "birth_date", "children", 0)
    assert "Anak sudah berumur 72 bulan" in _errors(response, "birth_date", "children", 1)
    # Nothing half-saved: the family waits for its children.
    assert not Family.objects.exists()
    assert not Child.objects.exists()


def test_71_month_old_child_is_accepted(world, login):
    born = add_months(timezone.localdate(), -72) + datetime.timedelta(days=1)
    response = _post(login(world["cadre_a"]), world["group_a"], **{"children-1-birth_date": born.isoformat()})
    assert response.status_code == 302


def test_family_needs_at_least_one_child(world, login):
    response = _post(
        login(world["cadre_a"]),
        world["group_a"],
        **{
            "children-0-name": "",
            "children-0-sex": "",
            "children-0-birth_date": "",
            "children-0-birth_weight_kg": "",
            "children-0-birth_length_cm": "",
            "children-1-name": "",
            "children-1-sex": "",
            "children-1-birth_date": "",
        },
    )
    assert response.status_code == 400
    assert list(response.context["children"].non_form_errors()) == ["Daftarkan setidaknya satu anak balita."]
    assert not Family.objects.exists()


def test_same_nik_twice_in_one_form_is_refused(world, login):
    nik = "3211015505250009"
    response = _post(login(world["cadre_a"]), world["group_a"], **{"children-0-nik": nik, "children-1-nik": nik})
    assert response.status_code == 400
    assert "NIK ini sama dengan anak ke-1 di formulir ini" in _errors(response, "nik", "children", 1)


def test_likely_duplicate_child_warns_then_saves_after_confirmation(world, login):
    today = timezone.localdate()
    born = add_months(today, -14)
    other = f.family(world["group_b"], mother_name="siti aminah")
    f.child(other, born, name="Zahra Putri")
    client = login(world["cadre_a"])
    response = _post(client, world["group_a"], mother_nik="", kk_number="")
    assert response.status_code == 400
    message = _errors(response, "name", "children", 0)
    # Group b is outside cadre_a's scope: where, not who.
    assert "Mungkin sama dengan anak yang lahir" in message and "BKB Mawar" in message
    assert "Zahra Putri" not in message and "siti aminah" not in message
    assert "Saya sudah memeriksa" in response.content.decode()
    assert Family.objects.count() == 1

    response = _post(
        client, world["group_a"], mother_nik="", kk_number="", **{"children-0-confirm_not_duplicate": "on"}
    )
    assert response.status_code == 302
    assert Family.objects.count() == 2


def test_duplicate_check_stays_within_the_kabupaten(world, login):
    born = add_months(timezone.localdate(), -14)
    elsewhere = f.family(world["group_x"], mother_name="Siti Aminah")
    f.child(elsewhere, born, name="Zahra")
    response = _post(login(world["cadre_a"]), world["group_a"], mother_nik="", kk_number="")
    assert response.status_code == 302


def test_editing_keeps_own_nik_and_can_remove_a_child(world, login):
    client = login(world["cadre_a"])
    _post(client, world["group_a"])
    family = Family.objects.get()
    zahra, raka = family.children.order_by("name").reverse()
    data = _form(
        **{
            "children-TOTAL_FORMS": "2",
            "children-INITIAL_FORMS": "2",
            "children-0-id": str(zahra.pk),
            "children-1-id": str(raka.pk),
            "children-1-DELETE": "on",
            "left_on": "",
        }
    )
    response = client.post(reverse("families:edit", args=[family.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert list(family.children.values_list("name", flat=True)) == ["Zahra"]


def test_database_refuses_impossible_rows_even_without_the_form(world):
    from django.db import IntegrityError, transaction

    family = f.family(world["group_a"], joined_on=datetime.date(2025, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Family.objects.filter(pk=family.pk).update(left_on=datetime.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        f.child(family, datetime.date(2025, 1, 1), birth_weight_kg=9.5)


def test_a_family_whose_child_turned_six_can_still_be_edited(world, login):
    today = timezone.localdate()
    family = f.family(world["group_a"], mother_name="Lama", joined_on=datetime.date(2020, 1, 1))
    child = f.child(family, add_months(today, -73), name="Sudah Enam")
    data = {
        **_form(mother_name="Lama", mother_nik="", kk_number="", joined_on="2020-01-01"),
        "left_on": today.isoformat(),
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "1",
        "children-0-id": str(child.pk),
        "children-0-name": child.name,
        "children-0-sex": "F",
        "children-0-birth_date": child.birth_date.isoformat(),
        "children-0-birth_weight_kg": "",
        "children-0-birth_length_cm": "",
    }
    response = login(world["cadre_a"]).post(reverse("families:edit", args=[family.pk]), data)
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.left_on == today
    # Changing the birth date to another over-age one is still refused.
    data["children-0-birth_date"] = add_months(today, -80).isoformat()
    response = login(world["cadre_a"]).post(reverse("families:edit", args=[family.pk]), data)
    assert "Anak sudah berumur 80 bulan" in _errors(response, "birth_date", "children", 0)
