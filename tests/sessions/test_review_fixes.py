"""Edits of past sessions must not lose what was recorded."""

import datetime

import pytest
from django.urls import reverse

from cadres.models import Cadre
from sessions.models import Attendance, SessionCadre
from sessions.services import GridRow, session_back_fill
from tests import factories as f

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 15)


def test_back_entry_keeps_attendance_of_families_without_a_grid_row(world):
    group = world["group_a"]
    with_child = f.family(group, joined_on=datetime.date(2025, 1, 1))
    toddler = f.child(with_child, datetime.date(2025, 5, 1))
    expecting = f.family(group, mother_name="Hamil", joined_on=datetime.date(2025, 1, 1))  # no child yet
    session = f.coaching_session(group, DAY, age_groups=(0, 1))
    Attendance.objects.create(session=session, family=expecting, attendee="ibu")

    session_back_fill(session=session, rows=[GridRow(child=toddler, present=True, attendee="ibu")], user=None)

    assert set(session.attendances.values_list("family__mother_name", flat=True)) == {"Hamil", with_child.mother_name}


def test_editing_a_past_session_keeps_a_cadre_who_has_since_left(world, login):
    group = world["group_a"]
    leaver = f.cadre(group, name="Sudah Berhenti", role="inti", age_group=1)
    session = f.coaching_session(group, DAY, age_groups=(1,))
    SessionCadre.objects.create(session=session, cadre=leaver, role="inti")
    Cadre.objects.filter(pk=leaver.pk).update(active=False)

    html = login(world["cadre_a"]).get(reverse("sessions:edit", args=[session.pk])).content.decode()
    assert "Sudah Berhenti" in html


def test_a_month_parameter_out_of_range_falls_back_instead_of_failing(world, login):
    client = login(world["cadre_a"])
    for month in ("0001-01", "9999-12", "2026-13", "abc"):
        response = client.get(reverse("sessions:home_visits", args=[world["group_a"].pk]), {"bulan": month})
        assert response.status_code == 200, month
