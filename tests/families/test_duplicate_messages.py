"""An NIK or KK already registered: where it is, said as much as the person typing may know."""

import datetime

import pytest

from families import services
from families.models import Child, Family
from tests import factories as f
from tests.families.test_registration import _errors, _post

pytestmark = pytest.mark.django_db

MOTHER_NIK, KK, CHILD_NIK = "3211014506900001", "3211010101200001", "3211015505250009"


def _holder(group):
    family = f.family(group, mother_name="Euis", mother_nik=MOTHER_NIK, kk_number=KK)
    f.child(family, datetime.date(2025, 1, 1), nik=CHILD_NIK, name="Dinda")
    return family


def _messages(world, login, holder_group, persona="cadre_a"):
    _holder(world[holder_group])
    response = _post(login(world[persona]), world["group_a"], **{"children-0-nik": CHILD_NIK})
    assert response.status_code == 400
    return (
        _errors(response, "mother_nik"),
        _errors(response, "kk_number"),
        _errors(response, "nik", "children", 0),
    )


def test_in_her_own_group_the_family_is_named(world, login):
    mother, kk, child = _messages(world, login, "group_a")
    assert mother == "NIK ini sudah terdaftar untuk ibu Euis di kelompok BKB Melati, Desa Cikeruh."
    assert kk == "Nomor KK ini sudah terdaftar untuk keluarga ibu Euis di kelompok BKB Melati, Desa Cikeruh."
    assert child == "NIK ini sudah terdaftar untuk anak Dinda di kelompok BKB Melati, Desa Cikeruh."


def test_in_another_group_of_the_kabupaten_only_group_and_desa(world, login):
    messages = _messages(world, login, "group_c")
    for message in messages:
        assert "kelompok BKB Dahlia, Desa Gudang" in message, message
        assert "Euis" not in message and "Dinda" not in message
    assert messages[0].startswith("NIK ini sudah terdaftar sebagai ibu")
    assert messages[1].startswith("Nomor KK ini sudah terdaftar di")
    assert messages[2].startswith("NIK ini sudah terdaftar sebagai anak")


def test_in_another_kabupaten_nothing_of_it(world, login):
    for message in _messages(world, login, "group_x"):
        assert message == "Nomor ini sudah terdaftar di kabupaten lain. Tanyakan kepada admin Anda."


def test_the_admin_sees_her_whole_kabupaten_by_name(world, login):
    mother, kk, child = _messages(world, login, "group_c", persona="admin")
    assert "ibu Euis" in mother and "ibu Euis" in kk and "anak Dinda" in child


def test_a_number_taken_between_check_and_save_is_no_error_500(world):
    # What a concurrent registration leaves: the form's check passed, the row exists by the save.
    _holder(world["group_c"])
    family = Family(
        group=world["group_a"], mother_name="Siti", mother_nik=MOTHER_NIK, joined_on=datetime.date(2026, 1, 1)
    )
    child = Child(name="Raka", sex="M", birth_date=datetime.date(2025, 5, 1))
    with pytest.raises(services.NumberTaken):
        services.family_save_with_children(family=family, children=[child])
    assert family.pk is None and child.pk is None
    assert Family.objects.filter(group=world["group_a"]).count() == 0
