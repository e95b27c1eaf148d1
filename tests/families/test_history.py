"""Change history: every write of the registers records who, when, which request, before and after;
the record's page shows it to those who may see the record; an admin restores a deleted family."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from families.models import Child, Family, KkaCheck, Measurement, MilestoneRecord, Referral
from sessions.services import kka_check_save
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def family(world):
    family = f.family(world["group_a"], mother_name="Sumirah", father_name="Asep")
    f.child(family, add_months(TODAY, -14), name="Zahra")
    return family


@pytest.fixture
def child(family):
    return family.children.get()


def _family_form(family, child, **overrides) -> dict:
    data = {
        "mother_name": family.mother_name,
        "caregiver": "ibu",
        "mother_nik": "",
        "father_name": family.father_name,
        "kk_number": "",
        "phone": "",
        "whatsapp": "",
        "language": "id",
        "address": "",
        "rt": "",
        "rw": "",
        "is_pus": "on",
        "kb_method": "",
        "welfare_stage": "",
        "joined_on": family.joined_on.isoformat(),
        "notes": "",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "1",
        "children-MIN_NUM_FORMS": "1",
        "children-MAX_NUM_FORMS": "1000",
        "children-0-id": str(child.pk),
        "children-0-name": child.name,
        "children-0-sex": child.sex,
        "children-0-birth_date": child.birth_date.isoformat(),
        "children-0-nik": "",
        "children-0-birth_weight_kg": "",
        "children-0-birth_length_cm": "",
    }
    data.update(overrides)
    return data


def _diff(record) -> dict:
    """{field: (before, after)} between a historical record and the one before it."""
    before = record.prev_record
    assert before is not None
    return {change.field: (change.old, change.new) for change in record.diff_against(before).changes}


# --- Every model's create, change and delete ----------------------------------------------


def test_family_and_child_edit_through_the_form_record_who_before_after_and_the_request(world, login, family, child):
    client = login(world["cadre_a"])
    response = client.post(
        reverse("families:edit", args=[family.pk]),
        _family_form(family, child, father_name="Ujang", **{"children-0-name": "Zahra Putri"}),
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302

    changed = Family.history.filter(id=family.pk).latest()
    assert changed.history_type == "~" and changed.history_user == world["cadre_a"]
    assert _diff(changed)["father_name"] == ("Asep", "Ujang")
    assert changed.ip_address == "10.1.2.3"
    assert changed.request_method == "POST" and changed.request_path == f"/keluarga/{family.pk}/ubah/"
    assert len(changed.request_id) == 32

    renamed = Child.history.filter(id=child.pk).latest()
    assert renamed.history_user == world["cadre_a"] and _diff(renamed)["name"] == ("Zahra", "Zahra Putri")
    assert renamed.request_id == changed.request_id  # one request, one id


def test_a_registration_records_the_family_and_children_created_by_the_cadre(world, login):
    client = login(world["cadre_a"])
    family = Family(group=world["group_a"], mother_name="Neneng", joined_on=TODAY)
    data = _family_form(
        family, Child(name="Raka", sex="M", birth_date=add_months(TODAY, -10)), **{"children-INITIAL_FORMS": "0"}
    )
    del data["children-0-id"]
    assert client.post(reverse("families:create", args=[world["group_a"].pk]), data).status_code == 302
    created = Family.history.get(mother_name="Neneng")
    assert created.history_type == "+" and created.history_user == world["cadre_a"]
    assert Child.history.get(name="Raka", history_type="+").history_user == world["cadre_a"]


def test_removing_a_child_on_the_form_records_its_delete_with_its_values(world, login, family, child):
    f.child(family, add_months(TODAY, -30), name="Raka")
    client = login(world["cadre_a"])
    data = _family_form(family, child, **{"children-0-DELETE": "on"})
    raka = family.children.get(name="Raka")
    data.update(
        {
            "children-TOTAL_FORMS": "2",
            "children-INITIAL_FORMS": "2",
            "children-1-id": str(raka.pk),
            "children-1-name": "Raka",
            "children-1-sex": "F",
            "children-1-birth_date": raka.birth_date.isoformat(),
        }
    )
    assert client.post(reverse("families:edit", args=[family.pk]), data).status_code == 302
    gone = Child.history.filter(id=child.pk).latest()
    assert gone.history_type == "-" and gone.name == "Zahra" and gone.history_user == world["cadre_a"]


def test_measurement_created_and_corrected_records_weight_before_and_after(world, login, child):
    client = login(world["cadre_a"])
    url = reverse("families:measurement_add", args=[child.pk])
    data = {"date": (TODAY - DAY).isoformat(), "weight_kg": "10.2", "height_cm": "76.0", "position": "lying"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "weight_kg": "10.4"}).status_code == 302

    measurement = Measurement.objects.get(child=child)
    created, changed = Measurement.history.filter(id=measurement.pk).order_by("history_date")
    assert created.history_type == "+" and created.weight_kg == Decimal("10.20")
    assert changed.history_user == world["cadre_a"] and changed.request_path == url
    before, after = _diff(changed)["weight_kg"]
    assert (before, after) == (Decimal("10.20"), Decimal("10.40"))

    pk = measurement.pk
    measurement.delete()
    assert Measurement.history.filter(id=pk).latest().history_type == "-"


def test_referral_made_and_closed_through_the_pages(world, login, child):
    client = login(world["cadre_a"])
    made = client.post(
        reverse("families:referral_add", args=[child.pk]),
        {"date": TODAY.isoformat(), "referred_to": "Puskesmas Jatinangor", "reason": "BB turun"},
    )
    assert made.status_code == 302
    referral = Referral.objects.get(child=child)
    assert Referral.history.get(id=referral.pk).history_user == world["cadre_a"]
    closed = client.post(
        reverse("families:referral_close", args=[referral.pk]), {"closed_on": TODAY.isoformat(), "outcome": "Sehat"}
    )
    assert closed.status_code == 302
    record = Referral.history.filter(id=referral.pk).latest()
    assert _diff(record)["closed_on"] == (None, TODAY)
    assert _diff(record)["outcome"] == ("", "Sehat")


def test_kka_marks_and_checks_saved_in_bulk_leave_history(world, child):
    instrument = f.instrument_with_milestones()
    first, second = instrument.milestones.order_by("band_start_month")[:2]
    user = world["cadre_a"]
    kka_check_save(child=child, instrument=instrument, on=TODAY - 2 * DAY, marks={first.pk: TODAY - 3 * DAY}, user=user)
    record = MilestoneRecord.objects.get(child=child, milestone=first)
    created = MilestoneRecord.history.get(id=record.pk)
    assert created.history_type == "+" and created.achieved_on == TODAY - 3 * DAY and created.history_user == user
    check = KkaCheck.objects.get(child=child)
    assert KkaCheck.history.get(id=check.pk).history_type == "+"

    # The same day again: the check exists, so no second "created"; the mark is re-dated.
    kka_check_save(
        child=child,
        instrument=instrument,
        on=TODAY - 2 * DAY,
        marks={first.pk: TODAY - 5 * DAY, second.pk: TODAY - 2 * DAY},
        user=world["admin"],
    )
    assert KkaCheck.history.filter(id=check.pk).count() == 1
    redated = MilestoneRecord.history.filter(id=record.pk).latest()
    assert redated.history_user == world["admin"]
    assert _diff(redated)["achieved_on"] == (TODAY - 3 * DAY, TODAY - 5 * DAY)

    kka_check_save(child=child, instrument=instrument, on=TODAY - DAY, marks={}, removals={first.pk}, user=user)
    removed = MilestoneRecord.history.filter(id=record.pk).latest()
    assert removed.history_type == "-" and removed.achieved_on == TODAY - 5 * DAY and removed.history_user == user


# --- Showing it ------------------------------------------------------------------------------


def test_family_page_shows_the_history_to_its_cadre_and_404_to_another_groups(world, login, family, child):
    f.measurement(child, TODAY - 3 * DAY, weight_kg="10.2")
    measurement = Measurement.objects.get(child=child)
    measurement.weight_kg = Decimal("10.4")
    measurement.save()

    page = login(world["cadre_a"]).get(reverse("families:detail", args=[family.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Riwayat perubahan" in text and "<details" in text
    assert "berat badan (kg)".capitalize() in text and "10,2 → 10,4" in text
    assert login(world["cadre_b"]).get(reverse("families:detail", args=[family.pk])).status_code == 404


def _family_with_history(group, rows: int) -> Family:
    """A family whose history has `rows` rows: created, then (past 2) changes of it and a measurement."""
    family = f.family(group, mother_name="Warsih")
    child = f.child(family, add_months(TODAY, -20), name="Dewi")
    if rows > 2:
        family.father_name = "Dadang"
        family.save()
        measurement = f.measurement(child, TODAY - DAY, weight_kg="9.0")
        for n in range(rows - 4):
            measurement.weight_kg = Decimal("9.1") + n * Decimal("0.1")
            measurement.save()
    return family


@pytest.mark.parametrize("rows", [2, 20])
def test_family_page_history_in_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, rows):
    family = _family_with_history(world["group_a"], rows)
    client = login(world["cadre_a"])
    # The page's own queries and 12 for the history (tests/families/test_roster.py).
    with django_assert_max_num_queries(20):
        page = client.get(reverse("families:detail", args=[family.pk]))
    text = page.content.decode()
    assert text.count("data-history-type=") == rows
    if rows > 2:
        assert "Asep" not in text and "– → Dadang" in text and "9,1 → 9,2" in text


def test_history_shows_the_last_twenty_only(world, login):
    family = _family_with_history(world["group_a"], 25)
    page = login(world["cadre_a"]).get(reverse("families:detail", args=[family.pk]))
    assert page.content.decode().count("data-history-type=") == 20


# --- Restore ------------------------------------------------------------------------------------


def test_admin_restores_a_deleted_family_with_its_children_and_their_data(world, login, family, child):
    f.measurement(child, TODAY - 3 * DAY, weight_kg="10.2")
    referral = Referral.objects.create(child=child, date=TODAY - 2 * DAY, referred_to="Puskesmas")
    family_pk, child_pk = family.pk, child.pk
    admin = login(world["admin"])
    admin.post(reverse("admin:families_family_delete", args=[family_pk]), {"post": "yes"})
    if Family.objects.filter(pk=family_pk).exists():  # the Django admin may answer differently: delete here
        Family.objects.get(pk=family_pk).delete()
    assert not Child.objects.filter(pk=child_pk).exists()

    listing = admin.get(reverse("families:deleted"))
    assert listing.status_code == 200 and "Sumirah" in listing.content.decode()
    # A cadre neither lists nor restores; an admin of another kabupaten does not find it.
    assert login(world["cadre_a"]).get(reverse("families:deleted")).status_code == 403
    assert login(world["cadre_a"]).post(reverse("families:restore", args=[family_pk])).status_code == 403
    other = f.user("admin_x", "admin", areas=[world["other_kab"]])
    assert login(other).post(reverse("families:restore", args=[family_pk])).status_code == 404

    response = admin.post(reverse("families:restore", args=[family_pk]))
    assert response.status_code == 302 and response.url == reverse("families:detail", args=[family_pk])
    restored = Family.objects.get(pk=family_pk)
    assert (restored.mother_name, restored.father_name, restored.group) == ("Sumirah", "Asep", world["group_a"])
    restored_child = Child.objects.get(pk=child_pk)
    assert restored_child.family == restored and restored_child.name == "Zahra"
    assert restored_child.measurements.get().weight_kg == Decimal("10.20")
    assert Referral.objects.get(pk=referral.pk).referred_to == "Puskesmas"
    back = Family.history.filter(id=family_pk).latest()
    assert back.history_type == "+" and back.history_user == world["admin"]
    # Restored once: the family is no longer deleted.
    assert admin.post(reverse("families:restore", args=[family_pk])).status_code == 404


def test_restore_leaves_a_child_deleted_before_the_family_deleted(world, login, family, child):
    earlier = f.child(family, add_months(TODAY, -30), name="Raka")
    earlier_pk = earlier.pk
    Child.history.filter(id=earlier_pk).update(history_date=timezone.now() - datetime.timedelta(days=3))
    earlier.delete()
    Child.history.filter(id=earlier_pk, history_type="-").update(
        history_date=timezone.now() - datetime.timedelta(days=2)
    )
    pk = family.pk
    family.delete()
    assert login(world["admin"]).post(reverse("families:restore", args=[pk])).status_code == 302
    assert list(Family.objects.get(pk=pk).children.values_list("name", flat=True)) == ["Zahra"]


def test_restore_refused_when_the_nik_is_registered_again(world, login, family):
    family.mother_nik = "3211014506900001"
    family.save()
    pk = family.pk
    family.delete()
    f.family(world["group_b"], mother_nik="3211014506900001")
    response = login(world["admin"]).post(reverse("families:restore", args=[pk]), follow=True)
    assert "tidak dapat dipulihkan" in response.content.decode()
    assert not Family.objects.filter(pk=pk).exists()


def test_restoring_a_family_twice_is_refused_with_a_message(world, family, child):
    # Two tabs or two admins: each found it deleted; the second restore says so, not a 500.
    from django.core.exceptions import ValidationError

    from families.services import family_restore

    pk = family.pk
    family.delete()
    deleted = Family.history.filter(id=pk, history_type="-").latest()
    family_restore(deleted=deleted)
    with pytest.raises(ValidationError, match="sudah dipulihkan"):
        family_restore(deleted=deleted)
    assert Family.objects.filter(pk=pk).count() == 1
