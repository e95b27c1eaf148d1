"""The back-entry grid: a no-signal session typed in at once, all or nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from families.models import KkaCheck, Measurement, Milestone, MilestoneRecord, MilestoneRecordRemoval
from sessions.models import Attendance, CoachingSession
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(world, members, day, topic, login):
    f.instrument_with_milestones(bands=((0, 3), (3, 6), (6, 9), (18, 24), (24, 36)))
    tasks = {m.band_start_month: m for m in Milestone.objects.filter(instrument__active=True)}
    url = reverse("sessions:back_entry", args=[world["group_a"].pk]) + f"?tanggal={day}"
    return {"url": url, "tasks": tasks, "client": login(world["cadre_a"])}


def _data(members, topic, **rows):
    data = {"topic": str(topic.pk), "age_groups": ["0", "1"], "place": "Posyandu"}
    for key in ("siti_child", "ani_child", "rina_baby", "rina_toddler"):
        prefix = f"c{members[key].pk}"
        data[f"{prefix}-attendee"] = "ibu"
        data[f"{prefix}-position"] = "standing" if key == "rina_toddler" else "lying"
        for field, value in rows.get(key, {}).items():
            data[f"{prefix}-{field}"] = value
    return data


def test_grid_lists_member_children_with_due_tasks_and_position_by_age(grid, members):
    response = grid["client"].get(grid["url"])
    assert response.status_code == 200
    forms = {form.row.child.name: form for form in response.context["forms"]}
    assert set(forms) == {"Bayu", "Cici", "Dodi", "Euis"}
    assert [label for _, label in forms["Bayu"].fields["tasks"].choices] == ["Tugas 6-9 bln"]
    assert forms["Bayu"]["position"].value() == "lying" and forms["Euis"]["position"].value() == "standing"
    assert response.context["session"] is None


def test_grid_saves_session_attendance_kka_and_measurements_together(grid, members, topic, day, world):
    bayu_task = grid["tasks"][6]
    data = _data(
        members,
        topic,
        siti_child={"hadir": "on", "attendee": "ayah", "weight": "7,3", "height": "65,7", "tasks": [str(bayu_task.pk)]},
        ani_child={"hadir": "on"},
    )
    response = grid["client"].post(grid["url"], data)
    assert response.status_code == 302, response.context and response.context["forms"][0].errors
    session = CoachingSession.objects.get()
    assert (session.group, session.date, session.topic, session.age_groups) == (world["group_a"], day, topic, [0, 1])
    attended = set(Attendance.objects.values_list("family__mother_name", "attendee", "child__name"))
    assert attended == {("Siti", "ayah", "Bayu"), ("Ani", "ibu", "Cici")}
    record = MilestoneRecord.objects.get()
    assert (record.child, record.milestone, record.achieved_on, record.session) == (
        members["siti_child"],
        bayu_task,
        day,
        session,
    )
    measurement = Measurement.objects.get()
    assert (measurement.child, measurement.date, measurement.session) == (members["siti_child"], day, session)
    assert str(measurement.weight_kg) == "7.30" and measurement.position == "lying"

    # Opening the grid again shows what was saved; unticking the task removes it.
    response = grid["client"].get(grid["url"])
    bayu = next(form for form in response.context["forms"] if form.row.child.name == "Bayu")
    assert bayu["tasks"].value() == [bayu_task.pk] and bayu["hadir"].value() is True
    data = _data(members, topic, siti_child={"hadir": "on", "weight": "7,3", "height": "65,7"})
    assert grid["client"].post(grid["url"], data).status_code == 302
    assert not MilestoneRecord.objects.exists()
    removal = MilestoneRecordRemoval.objects.get()  # un-ticking is kept in the history
    assert (removal.child, removal.milestone, removal.removed_by) == (
        members["siti_child"],
        bayu_task,
        world["cadre_a"],
    )
    assert CoachingSession.objects.count() == 1


def test_grid_records_a_check_for_present_children_already_assessed(grid, members, topic, day):
    f.kka_check(members["siti_child"], members["siti_child"].birth_date)
    data = _data(members, topic, siti_child={"hadir": "on"}, ani_child={"hadir": "on"})
    assert grid["client"].post(grid["url"], data).status_code == 302
    session = CoachingSession.objects.get()
    # Bayu was assessed: the session day is a check. Cici never was: her first
    # check is on her KKA page, band by band, so she stays belum dinilai.
    assert set(KkaCheck.objects.values_list("child__name", "date", "session")) == {
        ("Bayu", members["siti_child"].birth_date, None),
        ("Bayu", day, session.pk),
    }
    assert grid["client"].post(grid["url"], data).status_code == 302  # saved again: still one check that day
    assert KkaCheck.objects.filter(date=day).count() == 1


def test_refused_measurement_saves_nothing_and_keeps_input(grid, members, topic):
    bayu_task = grid["tasks"][6]
    data = _data(
        members,
        topic,
        siti_child={"hadir": "on", "weight": "7,3", "height": "65,7", "tasks": [str(bayu_task.pk)]},
        rina_toddler={"hadir": "on", "weight": "300", "height": "90"},
    )
    response = grid["client"].post(grid["url"], data)
    assert response.status_code == 400
    for model in (CoachingSession, Attendance, MilestoneRecord, Measurement):
        assert not model.objects.exists(), model
    forms = {form.row.child.name: form for form in response.context["forms"]}
    assert "tidak mungkin" in " ".join(forms["Euis"].errors["weight"])
    assert forms["Euis"]["weight"].value() == "300"
    assert forms["Bayu"]["weight"].value() == "7,3" and forms["Bayu"]["tasks"].value() == [str(bayu_task.pk)]
    assert 'value="300"' in response.text


def test_weight_without_height_is_refused_in_the_row(grid, members, topic):
    response = grid["client"].post(grid["url"], _data(members, topic, ani_child={"weight": "10"}))
    assert response.status_code == 400
    cici = next(form for form in response.context["forms"] if form.row.child.name == "Cici")
    assert cici.errors["height"] == ["Isi berat dan panjang/tinggi bersama."]
    assert not CoachingSession.objects.exists()


def test_grid_fills_the_existing_session_of_that_date(grid, members, topic, day, world):
    session = f.coaching_session(world["group_a"], day, age_groups=(0,), topic_=topic)
    response = grid["client"].get(grid["url"])
    assert response.context["session"] == session
    response = grid["client"].post(grid["url"], _data(members, topic, ani_child={"hadir": "on"}))
    assert response.status_code == 302
    assert CoachingSession.objects.get().age_groups == [0, 1]
    assert list(Attendance.objects.values_list("session", flat=True)) == [session.pk]


def test_grid_for_a_future_date_is_turned_away(grid, world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    url = reverse("sessions:back_entry", args=[world["group_a"].pk]) + f"?tanggal={tomorrow}"
    response = grid["client"].get(url)
    assert response.status_code == 302 and timezone.localdate().isoformat() in response.url


def test_all_errors_of_the_grid_come_back_in_one_round(grid, members, topic):
    """A typing error in one row, an impossible weight in another, a missing topic:
    all three are reported by the first save, none waits for the next one."""
    data = _data(
        members,
        topic,
        siti_child={"hadir": "on", "weight": "abc", "height": "65"},
        rina_toddler={"hadir": "on", "weight": "300", "height": "90"},
        ani_child={"weight": "10"},
    )
    data["topic"] = ""
    response = grid["client"].post(grid["url"], data)
    assert response.status_code == 400
    forms = {form.row.child.name: form for form in response.context["forms"]}
    assert forms["Bayu"].errors["weight"]  # not a number
    assert "tidak mungkin" in " ".join(forms["Euis"].errors["weight"])  # checked although Bayu's row did not parse
    assert forms["Cici"].errors["height"] == ["Isi berat dan panjang/tinggi bersama."]
    assert response.context["top"].errors["topic"]
    assert not forms["Dodi"].errors
    assert {form.row.child.name for form in response.context["rows_with_errors"]} == {"Bayu", "Cici", "Euis"}
    # Each error sits in its child's card, and the summary links to the cards.
    for name in ("Bayu", "Cici", "Euis"):
        assert f'href="#anak-{members[_KEYS[name]].pk}"' in response.text
    for model in (CoachingSession, Attendance, MilestoneRecord, Measurement):
        assert not model.objects.exists(), model


def test_overlapping_session_is_reported_with_the_row_errors(grid, members, topic, day, world):
    babies = f.coaching_session(world["group_a"], day, age_groups=(0,), topic_=topic)
    f.coaching_session(world["group_a"], day, age_groups=(1,), topic_=topic)
    data = _data(members, topic, rina_toddler={"hadir": "on", "weight": "300", "height": "90"})  # ages 0 and 1
    response = grid["client"].post(grid["url"] + f"&pertemuan={babies.pk}", data)
    assert response.status_code == 400
    assert "Sudah ada pertemuan" in " ".join(response.context["top"].errors["age_groups"])
    forms = {form.row.child.name: form for form in response.context["forms"]}
    assert "tidak mungkin" in " ".join(forms["Euis"].errors["weight"])
    assert CoachingSession.objects.get(pk=babies.pk).age_groups == [0]


_KEYS = {"Bayu": "siti_child", "Cici": "ani_child", "Dodi": "rina_baby", "Euis": "rina_toddler"}


def test_a_session_entered_back_before_the_first_check_records_no_check(grid, members, topic, day):
    # Bayu's first check is today; the grid fills a session three days earlier.
    f.kka_check(members["siti_child"], timezone.localdate())
    data = _data(members, topic, siti_child={"hadir": "on"})
    assert grid["client"].post(grid["url"], data).status_code == 302
    # Still belum dinilai on the session day: no check there, so no watch starts early.
    assert list(KkaCheck.objects.values_list("date", flat=True)) == [timezone.localdate()]
