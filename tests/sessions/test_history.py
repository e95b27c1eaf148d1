"""A session's and its attendance's changes are recorded and shown on the session page."""

import pytest
from django.urls import reverse

from sessions.models import Attendance, CoachingSession
from sessions.services import AttendanceEntry, session_save
from tests import factories as f

pytestmark = pytest.mark.django_db


def _save(session, attendance, user):
    return session_save(session=session, cadres={}, attendance=attendance, user=user)


def test_session_and_attendance_create_change_delete_leave_who_before_and_after(world, members, day, topic):
    user = world["cadre_a"]
    siti, ani = members["siti"], members["ani"]
    session = CoachingSession(group=world["group_a"], date=day, age_groups=[0, 1], topic=topic, place="Posyandu")
    _save(session, [AttendanceEntry(siti.pk, "ibu"), AttendanceEntry(ani.pk, "ibu")], user)
    created = CoachingSession.history.get(id=session.pk)
    assert created.history_type == "+" and created.history_user == user and created.place == "Posyandu"
    siti_row = Attendance.objects.get(session=session, family=siti)
    assert Attendance.history.get(id=siti_row.pk).history_type == "+"

    # Siti came with the father this time; Ani did not come after all; the place is corrected.
    session.place = "Balai desa"
    _save(session, [AttendanceEntry(siti.pk, "ayah")], user)
    changed = CoachingSession.history.filter(id=session.pk).latest()
    assert changed.diff_against(changed.prev_record).changes[0].field == "place"
    assert (changed.prev_record.place, changed.place) == ("Posyandu", "Balai desa")
    siti_after = Attendance.history.filter(id=siti_row.pk).latest()
    assert siti_after.pk != Attendance.history.get(id=siti_row.pk, history_type="+").pk
    assert (siti_after.prev_record.attendee, siti_after.attendee) == ("ibu", "ayah")
    assert siti_after.history_type == "~" and Attendance.objects.get(session=session).pk == siti_row.pk
    gone = Attendance.history.get(family_id=ani.pk, history_type="-")
    assert gone.session_id == session.pk and gone.attendee == "ibu"

    session_pk = session.pk
    session.delete()
    assert CoachingSession.history.filter(id=session_pk).latest().history_type == "-"


def test_session_page_shows_its_history_to_the_group_and_404_to_others(world, members, day, topic, login):
    session = CoachingSession(group=world["group_a"], date=day, age_groups=[0], topic=topic, place="Posyandu")
    _save(session, [AttendanceEntry(members["siti"].pk, "ibu")], world["cadre_a"])
    session.place = "Balai desa"
    _save(session, [AttendanceEntry(members["siti"].pk, "ayah")], world["cadre_a"])
    page = login(world["cadre_a"]).get(reverse("sessions:detail", args=[session.pk]))
    text = page.content.decode()
    assert "Riwayat perubahan" in text and "Posyandu → Balai desa" in text and "Ibu → Ayah" in text
    assert login(world["cadre_b"]).get(reverse("sessions:detail", args=[session.pk])).status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_session_page_history_in_a_fixed_number_of_queries(
    world, members, day, topic, login, django_assert_max_num_queries, rows
):
    session = f.coaching_session(world["group_a"], day, place="0")
    Attendance.objects.create(session=session, family=members["siti"])
    for n in range(rows - 2):
        session.place = str(n + 1)
        session.save()
    client = login(world["cadre_a"])
    # The page's 6 (tests/sessions/test_queries.py) and 4 for the history.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("sessions:detail", args=[session.pk]))
    assert page.content.decode().count("data-history-type=") == rows
