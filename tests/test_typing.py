"""Issue 9, typing: dates that crashed pages, the decimal comma, double submits, RT/RW,
NIK letters, forgiving search and instrument CSVs from Excel."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bkb.lib import inputs
from bkb.lib.ages import add_months, born_after_for_programme
from families.instruments import load_instrument
from families.models import Child, Family, Measurement, Referral
from families.services import search_families
from groups.models import SubmitToken
from reports.models import BatchPrint
from sessions.models import CoachingSession, HomeVisit
from tests import factories as f
from tests.pageforms import post_forms

pytestmark = pytest.mark.django_db


# --- Dates and parameters that answered 500 ---------------------------------------------------


def test_add_months_stays_inside_the_calendar():
    assert add_months(datetime.date(2, 11, 24), -72) == datetime.date.min
    assert add_months(datetime.date(9999, 12, 1), 1) == datetime.date.max
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 3, 31), -1) == datetime.date(2024, 2, 29)
    assert born_after_for_programme(datetime.date(1, 1, 1)) == datetime.date.min


@pytest.mark.parametrize("day", ["0002-11-24", "0001-01-01", "9999-12-31", "2026-02-30", "kemarin"])
def test_session_form_with_an_impossible_date_shows_the_form_with_a_message(world, login, day):
    response = login(world["cadre_a"]).get(reverse("sessions:create", args=[world["group_a"].pk]), {"tanggal": day})
    assert response.status_code == 200
    assert f"Tanggal &#x27;{day}&#x27; tidak dapat dibaca" in response.content.decode()
    assert response.context["form"].initial["date"] == timezone.localdate()


def test_session_form_refuses_a_posted_year_two_beside_the_field(world, login):
    client = login(world["cadre_a"])
    url = reverse("sessions:create", args=[world["group_a"].pk])
    response = client.post(url, {"date": "0002-11-24", "age_groups": ["1"], "topic": ""})
    assert response.status_code == 400
    assert "Tahun 0002 tidak mungkin" in str(response.context["form"].errors["date"])
    assert not CoachingSession.objects.exists()


def test_dashboard_with_unreadable_area_and_month_is_a_400_in_indonesian(world, login):
    response = login(world["supervisor"]).get(reverse("reports:dashboard"), {"wilayah": "abc", "bulan": "xyz"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Wilayah &#x27;abc&#x27; tidak dikenal." in text
    assert '<html lang="id">' in text
    response = login(world["supervisor"]).get(reverse("reports:dashboard"), {"bulan": "xyz"})
    assert response.status_code == 400
    assert "Bulan &#x27;xyz&#x27; tidak dikenal: tulis seperti 2026-10." in response.content.decode()


def test_sheet_pdf_with_an_impossible_date_is_a_400(world, login):
    response = login(world["cadre_a"]).get(
        reverse("sessions:sheet_pdf", args=[world["group_a"].pk]), {"tanggal": "0001-01-01"}
    )
    assert response.status_code == 400


def test_batch_print_with_an_unreadable_area_gives_the_form_back(world, login):
    response = login(world["admin"]).post(reverse("reports:batch_print"), {"area": "abc", "month": "2026-10"})
    assert response.status_code == 400
    assert response.context["form"].errors["area"] == ["Pilih wilayah dari daftar."]
    response = login(world["admin"]).post(reverse("reports:batch_print"), {"area": world["kec_a"].pk, "month": "xyz"})
    assert response.context["form"].errors["month"] == ["Tulis bulan seperti 2026-10."]
    assert not BatchPrint.objects.exists()


# --- The decimal comma ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, value",
    [("14,5", "14.5"), ("14.5", "14.5"), (" 3,10 ", "3.10"), ("7", "7"), (",5", "0.5"), ("-1,5", "-1.5")],
)
def test_decimals_read_with_comma_or_point(typed, value):
    assert inputs.parse_decimal(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["1.500,5", "14,5,1", "abc", "1e3", "NaN", "Infinity", "١٤", "14 kg"])
def test_anything_else_is_not_a_decimal(typed):
    assert inputs.parse_decimal(typed) is None


def test_decimals_are_shown_with_a_comma():
    assert [inputs.format_decimal(v) for v in (Decimal("14.50"), Decimal("3.10"), Decimal("82.0"), 7, None)] == [
        "14,5",
        "3,1",
        "82",
        "7",
        "",
    ]


def _child(world, months=30):
    born = add_months(timezone.localdate(), -months) - datetime.timedelta(days=5)
    return f.child(f.family(world["group_a"]), born, name="Salsa", sex="F")


@pytest.mark.parametrize("weight, height", [("14,5", "92,5"), ("14.5", "92.5")])
def test_measurement_form_reads_comma_and_point_alike(world, login, weight, height):
    child = _child(world)
    client = login(world["cadre_a"])
    url = reverse("families:measurement_add", args=[child.pk])
    response = client.post(
        url,
        {"date": timezone.localdate().isoformat(), "weight_kg": weight, "height_cm": height, "position": "standing"},
    )
    assert response.status_code == 302, response.context["form"].errors
    measurement = Measurement.objects.get(child=child)
    assert (measurement.weight_kg, measurement.height_cm) == (Decimal("14.5"), Decimal("92.5"))


def test_measurement_form_says_how_to_write_a_number_and_uses_a_decimal_keypad(world, login):
    child = _child(world)
    client = login(world["cadre_a"])
    url = reverse("families:measurement_add", args=[child.pk])
    page = client.get(url).content.decode()
    for name in ("weight_kg", "height_cm", "head_cm", "arm_cm"):
        assert f'inputmode="decimal" name="{name}"' in page or f'name="{name}"' in page
    assert 'type="number"' not in page
    response = client.post(
        url, {"date": timezone.localdate().isoformat(), "weight_kg": "14,5,1", "height_cm": "92,5", "position": "lying"}
    )
    assert response.context["form"].errors["weight_kg"] == ["Tulis angka, misalnya 14,5."]
    assert not Measurement.objects.exists()


def test_back_entry_grid_shows_a_saved_weight_with_a_comma(world, login):
    child = _child(world)
    day = timezone.localdate()
    f.measurement(child, day, weight_kg="14.50", height_cm="92.5", position="standing")
    page = login(world["cadre_a"]).get(
        reverse("sessions:back_entry", args=[world["group_a"].pk]), {"tanggal": day.isoformat()}
    )
    assert f'name="c{child.pk}-weight" value="14,5"' in page.content.decode()


def test_family_form_reads_birth_weight_with_a_comma(world, login):
    client = login(world["cadre_a"])
    url = reverse("families:create", args=[world["group_a"].pk])
    form = post_forms(client.get(url).content.decode())[0]
    data = form.payload(
        mother_name="Nur'aini",
        rt="3",
        rw="12",
        **{
            "children-TOTAL_FORMS": "1",
            "children-0-name": "Zahra",
            "children-0-sex": "F",
            "children-0-birth_date": add_months(timezone.localdate(), -14).isoformat(),
            "children-0-birth_weight_kg": "3,1",
            "children-0-birth_length_cm": "49,5",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    family = Family.objects.get(mother_name="Nur'aini")
    child = family.children.get()
    assert (child.birth_weight_kg, child.birth_length_cm) == (Decimal("3.1"), Decimal("49.5"))
    assert (family.rt, family.rw) == ("003", "012")
    edit = client.get(reverse("families:edit", args=[family.pk])).content.decode()
    assert 'value="3,1"' in edit and 'value="49,5"' in edit


def test_birth_weight_typo_is_explained_beside_the_field(world, login):
    client = login(world["cadre_a"])
    url = reverse("families:create", args=[world["group_a"].pk])
    form = post_forms(client.get(url).content.decode())[0]
    data = form.payload(
        mother_name="Ani",
        **{
            "children-TOTAL_FORMS": "1",
            "children-0-name": "Zahra",
            "children-0-sex": "F",
            "children-0-birth_date": add_months(timezone.localdate(), -14).isoformat(),
            "children-0-birth_weight_kg": "3,1kg",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["children"].forms[0].errors["birth_weight_kg"] == ["Tulis angka, misalnya 3,1."]


# --- RT/RW, NIK/KK -----------------------------------------------------------------------------


@pytest.mark.parametrize("rt", ["abc", "1234", "٣", "-1"])
def test_rt_accepts_only_one_to_three_digits(world, login, rt):
    message = "Tulis nomor RT/RW dengan angka saja, misalnya 003."
    client = login(world["cadre_a"])
    url = reverse("families:create", args=[world["group_a"].pk])
    form = post_forms(client.get(url).content.decode())[0]
    response = client.post(url, form.payload(mother_name="Ani", rt=rt))
    assert message in " ".join(response.context["form"].errors["rt"])


def test_kk_with_letters_names_the_letters(world, login):
    client = login(world["cadre_a"])
    url = reverse("families:create", args=[world["group_a"].pk])
    form = post_forms(client.get(url).content.decode())[0]
    response = client.post(url, form.payload(mother_name="Ani", kk_number="32110O010l200001"))
    assert response.context["form"].errors["kk_number"] == ["Hanya angka 0-9. Bukan angka: 'O' (ke-6), 'l' (ke-10)."]


# --- Search -----------------------------------------------------------------------------------


@pytest.fixture
def names(world):
    group = world["group_a"]
    families = {
        "nuraini": f.family(group, mother_name="Nur'aini"),
        "maruf": f.family(group, mother_name="Siti", father_name="Ma'ruf"),
        "siti": f.family(group, mother_name="Sití Aisyah"),
        "other": f.family(group, mother_name="Euis"),
    }
    f.child(families["other"], add_months(timezone.localdate(), -20), name="Dédé Ma’mun")
    return families


@pytest.mark.parametrize(
    "query, found",
    [
        ("nuraini", {"nuraini"}),
        ("NUR'AINI", {"nuraini"}),
        ("Ma’ruf", {"maruf"}),
        ("maruf", {"maruf"}),
        ("Siti", {"maruf", "siti"}),
        ("sití aisyah", {"siti"}),
        ("dede ma'mun", {"other"}),
        ("'''", set()),
    ],
)
def test_search_ignores_case_accents_and_apostrophes(names, query, found):
    result = set(search_families(Family.objects.all(), query).values_list("pk", flat=True))
    assert result == {names[key].pk for key in found}


def test_search_key_follows_a_renamed_mother_and_child(names):
    family = names["nuraini"]
    family.mother_name = "Nur Hasanah"
    family.save(update_fields=["mother_name"])
    assert Family.objects.get(pk=family.pk).search_key == "nur hasanah|"
    child = Child.objects.get(name="Dédé Ma’mun")
    child.name = "Ujang"
    child.save(update_fields=["name"])
    assert Child.objects.get(pk=child.pk).search_key == "ujang"


def test_search_page_finds_nuraini_in_a_fixed_number_of_queries(names, world, login):
    client = login(world["admin"])
    url = reverse("families:search")
    counts = []
    for extra in (0, 30):
        for n in range(extra):
            f.family(world["group_a"], mother_name=f"Nur'aini {n}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": "nuraini"})
        counts.append(len(queries))
        assert names["nuraini"] in response.context["families"]
    assert counts[0] == counts[1], counts


# --- Instrument CSV from Excel ----------------------------------------------------------------


def test_instrument_csv_saved_by_excel_with_semicolons_and_bom_is_accepted():
    data = (
        "\ufeffcode;band_start_month;band_end_month;aspect;text_id;text_en\r\n"
        "K1;0;3;motorik_kasar;Tengkurap, lalu angkat kepala;Lies prone\r\n"
        ";;;;;\r\n"
    ).encode()
    instrument = load_instrument(io.BytesIO(data), name="Dari Excel")
    milestone = instrument.milestones.get()
    assert (milestone.code, milestone.text_id) == ("K1", "Tengkurap, lalu angkat kepala")


def test_instrument_csv_in_windows_1252_is_read():
    data = "code;band_start_month;band_end_month;aspect;text_id\nK1;0;3;kecerdasan;Menoleh ke suara ibu – cepat\n"
    instrument = load_instrument(io.BytesIO(data.encode("cp1252")), name="ANSI")
    assert instrument.milestones.get().text_id == "Menoleh ke suara ibu – cepat"


# --- Double submit ----------------------------------------------------------------------------


def _form(client, url, index=0):
    return post_forms(client.get(url).content.decode())[index]


def _twice(client, action, data):
    first = client.post(action, data)
    assert first.status_code == 302, (
        action,
        first.context and [first.context[k].errors for k in ("form", "roles") if k in first.context],
    )
    second = client.post(action, data)
    assert second.status_code == 302, action
    assert second.url == first.url
    return first


def test_home_visit_sent_twice_is_saved_once(world, login):
    family = f.family(world["group_a"])
    client = login(world["cadre_a"])
    url = reverse("sessions:home_visit_create", args=[family.pk])
    form = _form(client, url)
    assert form.data["once"][0]
    _twice(client, url, form.payload(note="Sehat"))
    assert HomeVisit.objects.filter(family=family).count() == 1
    # The second answer says so, instead of an error page.
    page = client.get(client.post(url, form.payload(note="Sehat")).url).content.decode()
    assert "sudah tersimpan sekali" in page
    # A new form is a new token: a second visit is still possible.
    _twice(client, url, _form(client, url).payload(note="Kunjungan kedua"))
    assert HomeVisit.objects.filter(family=family).count() == 2


def test_family_sent_twice_is_saved_once_and_ends_on_its_card(world, login):
    client = login(world["cadre_a"])
    url = reverse("families:create", args=[world["group_a"].pk])
    data = _form(client, url).payload(
        mother_name="Ani",
        **{
            "children-TOTAL_FORMS": "1",
            "children-0-name": "Zahra",
            "children-0-sex": "F",
            "children-0-birth_date": add_months(timezone.localdate(), -14).isoformat(),
        },
    )
    first = _twice(client, url, data)
    family = Family.objects.get()
    assert first.url == reverse("families:detail", args=[family.pk])
    assert Child.objects.count() == 1


def test_measurement_referral_session_cadre_and_report_sent_twice_are_saved_once(world, login):
    child = _child(world)
    client = login(world["cadre_a"])
    today = timezone.localdate()

    url = reverse("families:measurement_add", args=[child.pk])
    _twice(client, url, _form(client, url).payload(weight_kg="14,5", height_cm="92,5"))
    assert Measurement.objects.count() == 1

    url = reverse("families:referral_add", args=[child.pk])
    _twice(client, url, _form(client, url).payload(referred_to="Puskesmas", reason="BB turun"))
    assert Referral.objects.count() == 1

    topic = f.topic("Bermain")
    url = reverse("sessions:create", args=[world["group_a"].pk])
    _twice(client, url, _form(client, url).payload(age_groups=["2"], topic=str(topic.pk)))
    assert CoachingSession.objects.count() == 1

    url = reverse("cadres:create", args=[world["group_a"].pk])
    cadres_before = world["group_a"].cadre_roles.count()
    data = _form(client, url).payload(
        name="Kader Baru", **{"roles-0-role": "bantu", "roles-0-age_group": "1", "sex": "F"}
    )
    _twice(client, url, data)
    assert world["group_a"].cadre_roles.count() == cadres_before + 1

    month = add_months(today.replace(day=1), -1).strftime("%Y-%m")
    page = reverse("reports:group_month", args=[world["group_a"].pk, month])
    submit = next(form for form in post_forms(client.get(page).content.decode()) if "/kirim/" in form.action)
    _twice(client, submit.action, submit.payload())
    assert world["group_a"].monthly_reports.count() == 1


def test_a_token_is_bound_to_its_user(world, login):
    family = f.family(world["group_a"])
    url = reverse("sessions:home_visit_create", args=[family.pk])
    data = _form(login(world["cadre_a"]), url).payload()
    assert login(world["cadre_a"]).post(url, data).status_code == 302
    # Someone else sending cadre_a's form (token) is neither sent to her page nor saved again.
    response = login(world["admin"]).post(url, data)
    assert response.status_code == 400
    assert "sudah dipakai" in response.content.decode()
    assert HomeVisit.objects.filter(family=family).count() == 1
    assert SubmitToken.objects.get().user == world["cadre_a"]


def test_measurement_form_and_grid_round_the_same_way(world, login):
    """More decimals than are kept: rounded as on the back-entry grid, not Django's digits message."""
    child = _child(world)
    url = reverse("families:measurement_add", args=[child.pk])
    typed = {"weight_kg": "14,255", "height_cm": "92,55", "position": "standing"}
    response = login(world["cadre_a"]).post(url, {"date": timezone.localdate().isoformat(), **typed})
    assert response.status_code == 302, response.context["form"].errors
    measurement = Measurement.objects.get(child=child)
    assert (measurement.weight_kg, measurement.height_cm) == (Decimal("14.26"), Decimal("92.6"))


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_date_written_day_first_is_read_in_every_language(language):
    from django.utils import translation

    from bkb.lib.inputs import DayField

    with translation.override(language):
        assert DayField().clean("17-08-2025") == datetime.date(2025, 8, 17)
        assert DayField().clean("2025-08-17") == datetime.date(2025, 8, 17)
