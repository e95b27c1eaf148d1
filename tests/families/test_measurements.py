"""measurement_record: refuses impossible and implausible values, asks to confirm unlikely ones,
stores rounded WHO z-scores; and the child page's measurement form."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bkb.lib.ages import add_months
from families import growth
from families.measurements import CONFIRM, default_position, growth_flags, measurement_record
from families.models import Measurement
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def girl(world):
    # 365 days old a week ago, so a measurement then is at exactly one year.
    return f.child(f.family(world["group_a"]), TODAY - 7 * DAY - 365 * DAY, sex="F", name="Naura")


def record(child, **kwargs):
    values = {"date": TODAY - 7 * DAY, "weight_kg": "9.0", "height_cm": "74.0", "position": "lying"}
    values.update(kwargs)
    return measurement_record(child=child, **values)


def errors_of(excinfo) -> dict:
    return {field: " ".join(messages) for field, messages in excinfo.value.message_dict.items()}


@pytest.mark.parametrize("weight, shown", [("0", "0"), ("-2", "-2"), ("300", "300"), ("0.4", "0,4"), ("45", "45")])
def test_impossible_weights_are_refused_naming_the_value(girl, weight, shown):
    with pytest.raises(ValidationError) as excinfo:
        record(girl, weight_kg=weight)
    message = errors_of(excinfo)["weight_kg"]
    assert f"Berat {shown} kg" in message
    assert "periksa lagi" in message
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("height, shown", [("0", "0"), ("20", "20"), ("150.5", "150,5")])
def test_impossible_heights_are_refused_naming_the_value(girl, height, shown):
    with pytest.raises(ValidationError) as excinfo:
        record(girl, height_cm=height)
    assert f"{shown} cm" in errors_of(excinfo)["height_cm"]


def test_missing_or_unparsable_numbers_are_refused(girl):
    with pytest.raises(ValidationError) as excinfo:
        record(girl, weight_kg="", height_cm="abc")
    assert set(errors_of(excinfo)) == {"weight_kg", "height_cm"}


def test_future_and_prebirth_dates_are_refused(girl):
    with pytest.raises(ValidationError) as excinfo:
        record(girl, date=TODAY + DAY)
    assert "masa depan" in errors_of(excinfo)["date"]
    with pytest.raises(ValidationError) as excinfo:
        record(girl, date=girl.birth_date - DAY)
    assert "sebelum tanggal lahir" in errors_of(excinfo)["date"]


def test_who_implausible_z_scores_are_refused_by_field(girl):
    # 50 cm at one year is z -9.3: a typing error, not a child.
    with pytest.raises(ValidationError) as excinfo:
        record(girl, height_cm="50", weight_kg="3.5")
    errors = errors_of(excinfo)
    assert "50 cm" in errors["height_cm"] and "ukur ulang" in errors["height_cm"]
    assert "3,5 kg" in errors["weight_kg"]
    with pytest.raises(ValidationError) as excinfo:
        record(girl, weight_kg="30")
    assert "30 kg" in errors_of(excinfo)["weight_kg"]


def test_z_scores_are_computed_rounded_and_stored(girl):
    measurement = record(girl, weight_kg="7.0", height_cm="70.1", user=None)
    measurement.refresh_from_db()
    assert measurement.waz == round(growth.zscore("wfa", "F", 365, 7.0), 2) == pytest.approx(-2.05, abs=0.01)
    assert measurement.haz == round(growth.zscore("hfa", "F", 365, 70.1, measured="lying"), 2)
    assert measurement.whz == round(growth.zscore("wfh", "F", 365, 7.0, length_cm=70.1, measured="lying"), 2)
    assert measurement.baz == round(growth.zscore("bfa", "F", 365, 7.0, length_cm=70.1, measured="lying"), 2)
    assert growth_flags(measurement.haz, measurement.waz, measurement.whz)[-1:] != ["gizi_buruk"]
    assert "bb_kurang" in growth_flags(measurement.haz, measurement.waz, measurement.whz)


def test_same_day_replaces_the_measurement(girl, world):
    record(girl, weight_kg="9.0")
    record(girl, weight_kg="9.2", user=world["cadre_a"])
    assert Measurement.objects.get().weight_kg == Decimal("9.20")
    assert Measurement.objects.get().recorded_by == world["cadre_a"]


def test_a_lower_length_asks_for_confirmation_then_saves(girl):
    record(girl, date=TODAY - 40 * DAY, height_cm="74.0")
    with pytest.raises(ValidationError) as excinfo:
        record(girl, height_cm="73.4")
    assert excinfo.value.code == CONFIRM
    assert "73,4 cm" in excinfo.value.messages[0] and "74 cm" in excinfo.value.messages[0]
    assert Measurement.objects.count() == 1
    record(girl, height_cm="73.4", confirmed=True)
    assert Measurement.objects.count() == 2


def test_half_a_centimetre_less_is_measuring_noise(girl):
    record(girl, date=TODAY - 40 * DAY, height_cm="74.0")
    record(girl, height_cm="73.5")


def test_standing_height_is_compared_after_the_07_cm_correction(world):
    child = f.child(f.family(world["group_a"]), add_months(TODAY, -25), sex="M")
    record(child, date=TODAY - 40 * DAY, height_cm="85.0", weight_kg="12", position="lying")
    # Standing reads 0.7 cm lower: 84.4 standing is 85.1 lying, not a decrease.
    record(child, date=TODAY - 5 * DAY, height_cm="84.4", weight_kg="12.2", position="standing")
    with pytest.raises(ValidationError) as excinfo:
        record(child, date=TODAY, height_cm="83.7", weight_kg="12.2", position="standing")
    assert excinfo.value.code == CONFIRM


def test_back_entry_taller_than_a_later_measurement_asks(girl):
    record(girl, date=TODAY - DAY, height_cm="74.0")
    with pytest.raises(ValidationError) as excinfo:
        record(girl, date=TODAY - 30 * DAY, height_cm="75.0")
    assert excinfo.value.code == CONFIRM


@pytest.mark.parametrize("weight, asks", [("9.9", False), ("10.2", True), ("7.7", False), ("7.5", True)])
def test_weight_change_beyond_plausible_asks(girl, weight, asks):
    record(girl, date=TODAY - 37 * DAY, weight_kg="9.0")  # 30 days before
    if asks:
        with pytest.raises(ValidationError) as excinfo:
            record(girl, weight_kg=weight)
        assert excinfo.value.code == CONFIRM
        assert "Berat" in excinfo.value.messages[0]
    else:
        record(girl, weight_kg=weight)


def test_session_of_another_group_is_refused(girl, world):
    session = f.coaching_session(world["group_b"], TODAY - 7 * DAY)
    with pytest.raises(ValidationError) as excinfo:
        record(girl, session=session)
    assert "session" in excinfo.value.message_dict


def test_position_defaults_by_age(world):
    family = f.family(world["group_a"])
    assert default_position(f.child(family, add_months(TODAY, -23)), TODAY) == "lying"
    assert default_position(f.child(family, add_months(TODAY, -24)), TODAY) == "standing"


# --- the form on the child page ------------------------------------------------


def url(child):
    return reverse("families:measurement_add", args=[child.pk])


def form_data(**kwargs):
    data = {"date": (TODAY - 7 * DAY).isoformat(), "weight_kg": "7.0", "height_cm": "70.1", "position": "lying"}
    data.update(kwargs)
    return data


def test_form_saves_and_shows_categories_in_indonesian(world, login, girl):
    client = login(world["cadre_a"])
    page = client.get(url(girl))
    assert page.status_code == 200 and 'value="lying" selected' in page.content.decode()
    response = client.post(url(girl), form_data(), follow=True)
    html = response.content.decode()
    assert "Berat badan kurang" in html
    assert Measurement.objects.get().recorded_by == world["cadre_a"]


def test_form_keeps_input_and_shows_the_error_beside_the_field(world, login, girl):
    response = login(world["cadre_a"]).post(url(girl), form_data(weight_kg="300"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Berat 300 kg" in html
    assert 'value="300"' in html
    assert not Measurement.objects.exists()


def test_form_confirm_flow(world, login, girl):
    client = login(world["cadre_a"])
    record(girl, date=TODAY - 40 * DAY, height_cm="72.0", weight_kg="7.0")
    response = client.post(url(girl), form_data(height_cm="70.1"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saya sudah cek ulang, angka ini benar" in html
    response = client.post(url(girl), form_data(height_cm="70.1", confirmed="on"))
    assert response.status_code == 302
    assert Measurement.objects.count() == 2


def test_form_access(world, login, girl):
    assert login(world["supervisor"]).get(url(girl)).status_code == 403
    assert login(world["supervisor"]).post(url(girl), form_data()).status_code == 403
    assert login(world["cadre_b"]).get(url(girl)).status_code == 404
    assert login(world["outsider"]).post(url(girl), form_data()).status_code == 404
    assert login(world["admin"]).post(url(girl), form_data()).status_code == 302
