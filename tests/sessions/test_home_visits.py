"""Members who missed every session of the month need a home visit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Attendance, HomeVisit
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_session(world, members):
    # A date inside last month, so the whole month lies in the past.
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    session = f.coaching_session(world["group_a"], last_month.replace(day=10))
    Attendance.objects.create(session=session, family=members["siti"], child=members["siti_child"])
    return session


def test_list_excludes_families_who_attended_that_month(world, members, login, month_session):
    client = login(world["cadre_a"])
    url = reverse("sessions:home_visits", args=[world["group_a"].pk])
    response = client.get(url, {"bulan": month_session.date.strftime("%Y-%m")})
    assert [row.family.mother_name for row in response.context["rows"]] == ["Ani", "Rina"]
    # In the current month nobody has come yet: everyone is listed.
    response = client.get(url)
    assert [row.family.mother_name for row in response.context["rows"]] == ["Ani", "Rina", "Siti"]


def test_attendance_in_another_group_does_not_count(world, members, login, month_session):
    other = f.coaching_session(world["group_b"], month_session.date)
    Attendance.objects.create(session=other, family=members["ani"])  # data repaired by admin, still not group_a
    response = login(world["cadre_a"]).get(
        reverse("sessions:home_visits", args=[world["group_a"].pk]), {"bulan": month_session.date.strftime("%Y-%m")}
    )
    assert "Ani" in [row.family.mother_name for row in response.context["rows"]]


def test_logging_a_visit_shows_it_in_the_list(world, members, login, month_session):
    client = login(world["cadre_a"])
    month = month_session.date.strftime("%Y-%m")
    url = reverse("sessions:home_visit_create", args=[members["ani"].pk]) + f"?bulan={month}"
    response = client.post(
        url, {"date": month_session.date.replace(day=15).isoformat(), "met": "ayah", "note": "Anak sakit"}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"?bulan={month}")
    visit = HomeVisit.objects.get()
    assert (visit.family, visit.met, visit.visited_by) == (members["ani"], "ayah", world["cadre_a"])
    response = client.get(response.url)
    rows = {row.family.mother_name: row for row in response.context["rows"]}
    assert rows["Ani"].visits == [visit] and rows["Rina"].visits == []
    assert "Anak sakit" in response.text


def test_visit_in_the_future_is_refused_and_input_kept(world, members, login):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(world["cadre_a"]).post(
        reverse("sessions:home_visit_create", args=[members["ani"].pk]),
        {"date": tomorrow.isoformat(), "met": "tidak_ada", "note": "Rumah kosong"},
    )
    assert response.status_code == 400
    assert "masa depan" in " ".join(response.context["form"].errors["date"])
    assert response.context["form"]["note"].value() == "Rumah kosong"
    assert not HomeVisit.objects.exists()


def test_cadre_cannot_log_a_visit_to_another_groups_family(world, login):
    stranger = f.family(world["group_b"])
    response = login(world["cadre_a"]).post(
        reverse("sessions:home_visit_create", args=[stranger.pk]), {"date": "2026-01-05", "met": "ibu"}
    )
    assert response.status_code == 404
