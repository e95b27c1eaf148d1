"""The one-screen session log: rules refused beside the field, attendance saved with it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cadres.models import Cadre
from sessions.models import Attendance, CoachingSession, SessionCadre, Topic
from tests import factories as f

pytestmark = pytest.mark.django_db


def _post(day, topic, age_groups=(0,), **extra):
    data = {
        "date": day.isoformat(),
        "place": "Posyandu Melati",
        "age_groups": [str(v) for v in age_groups],
        "topic": str(topic.pk),
        "ape_used": "",
        "supervising_agency": "",
        "notes": "",
    }
    data.update(extra)
    return data


def test_known_topics_are_seeded_with_english_names():
    topics = dict(Topic.objects.values_list("name", "name_en"))
    assert topics["Pencegahan stunting"] == "Stunting prevention"
    assert "Peran ayah dalam pengasuhan" in topics and "Gizi dan MPASI" in topics
    assert all(topics.values())


def test_new_form_defaults_to_meeting_place_and_lists_members_by_age_group(world, members, login, day):
    world["group_a"].meeting_place = "Balai RW 03"
    world["group_a"].save()
    response = login(world["cadre_a"]).get(reverse("sessions:create", args=[world["group_a"].pk]), {"tanggal": day})
    assert response.status_code == 200
    assert response.context["form"]["place"].value() == "Balai RW 03"
    bands = {band.value: [row.family.mother_name for row in band.rows] for band in response.context["bands"]}
    # Rina's youngest is 3 months old, so she is listed once, under 0-1.
    assert bands[0] == ["Rina", "Siti"] and bands[1] == ["Ani"]
    assert Topic.objects.filter(active=True).count() == len(response.context["form"].fields["topic"].queryset)


def test_session_saves_with_cadres_and_attendance_with_child(world, members, login, day, topic):
    imas = Cadre.objects.get(name="Imas")
    m = members
    data = _post(
        day,
        topic,
        age_groups=(0, 1),
        hadir=[str(m["siti"].pk), str(m["rina"].pk)],
        **{
            f"cadre_{imas.pk}": "inti",
            f"attendee_{m['siti'].pk}": "ayah",
            f"child_{m['siti'].pk}": str(m["siti_child"].pk),
            f"attendee_{m['rina'].pk}": "ibu",
            f"child_{m['rina'].pk}": str(m["rina_toddler"].pk),
        },
    )
    response = login(world["cadre_a"]).post(reverse("sessions:create", args=[world["group_a"].pk]), data)
    session = CoachingSession.objects.get()
    assert response.status_code == 302 and response.url == reverse("sessions:detail", args=[session.pk])
    assert session.age_groups == [0, 1] and session.created_by == world["cadre_a"]
    assert list(SessionCadre.objects.values_list("cadre__name", "role")) == [("Imas", "inti")]
    attended = {
        (a.family.mother_name, a.attendee, a.child.name) for a in Attendance.objects.select_related("family", "child")
    }
    assert attended == {("Siti", "ayah", "Bayu"), ("Rina", "ibu", "Euis")}


def test_session_in_the_future_is_refused_beside_the_date(world, members, login, topic):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = _post(tomorrow, topic, hadir=[str(members["siti"].pk)], notes="catatan saya")
    response = login(world["cadre_a"]).post(reverse("sessions:create", args=[world["group_a"].pk]), data)
    assert response.status_code == 400
    assert "tidak boleh di masa depan" in " ".join(response.context["form"].errors["date"])
    assert not CoachingSession.objects.exists()
    # What was typed is still there.
    assert response.context["form"]["notes"].value() == "catatan saya"
    assert 'value="{}" id="hadir_{}" checked'.format(members["siti"].pk, members["siti"].pk) in response.text


def test_second_session_same_day_overlapping_age_group_is_refused_with_link(world, members, login, day, topic):
    existing = f.coaching_session(world["group_a"], day, age_groups=(1, 2), topic_=topic)
    client = login(world["cadre_a"])
    url = reverse("sessions:create", args=[world["group_a"].pk])
    response = client.post(url, _post(day, topic, age_groups=(0, 1)))
    assert response.status_code == 400
    assert response.context["form"].errors["age_groups"] == [
        "Sudah ada pertemuan kelompok ini pada tanggal itu untuk kelompok umur 1-2 tahun."
    ]
    assert reverse("sessions:edit", args=[existing.pk]) in response.text
    assert CoachingSession.objects.count() == 1
    # A different age group on the same day is a separate session, and allowed.
    response = client.post(url, _post(day, topic, age_groups=(0,)))
    assert response.status_code == 302
    assert CoachingSession.objects.count() == 2


def test_same_age_group_in_another_group_or_day_is_allowed(world, members, login, day, topic):
    f.coaching_session(world["group_b"], day, age_groups=(0,), topic_=topic)
    f.coaching_session(world["group_a"], day - datetime.timedelta(days=1), age_groups=(0,), topic_=topic)
    response = login(world["cadre_a"]).post(reverse("sessions:create", args=[world["group_a"].pk]), _post(day, topic))
    assert response.status_code == 302


def test_family_of_another_group_in_post_is_refused(world, members, login, day, topic):
    stranger = f.family(world["group_b"], mother_name="Tetangga")
    data = _post(day, topic, hadir=[str(members["siti"].pk), str(stranger.pk)])
    response = login(world["cadre_a"]).post(reverse("sessions:create", args=[world["group_a"].pk]), data)
    assert response.status_code == 400
    assert "bukan anggota kelompok ini" in " ".join(response.context["form"].errors["hadir"])
    assert not CoachingSession.objects.exists() and not Attendance.objects.exists()


def test_family_not_yet_member_on_the_date_is_refused(world, members, login, day, topic):
    late = f.family(world["group_a"], mother_name="Baru", joined_on=timezone.localdate())
    data = _post(day, topic, hadir=[str(late.pk)])
    response = login(world["cadre_a"]).post(reverse("sessions:create", args=[world["group_a"].pk]), data)
    assert response.status_code == 400
    assert "Bukan anggota kelompok pada tanggal pertemuan: Baru." in response.context["form"].errors["hadir"]


def test_child_of_another_family_is_refused(world, members, login, day, topic):
    m = members
    data = _post(day, topic, hadir=[str(m["siti"].pk)], **{f"child_{m['siti'].pk}": str(m["ani_child"].pk)})
    response = login(world["cadre_a"]).post(reverse("sessions:create", args=[world["group_a"].pk]), data)
    assert response.status_code == 400
    assert "Anak yang dipilih bukan anak ibu Siti." in response.context["form"].errors["hadir"]


def test_edit_uses_the_same_screen_and_replaces_attendance(world, members, login, day, topic):
    m = members
    session = f.coaching_session(world["group_a"], day, age_groups=(0,), topic_=topic)
    Attendance.objects.create(session=session, family=m["siti"], child=m["siti_child"])
    Attendance.objects.create(session=session, family=m["rina"], child=m["rina_baby"])
    client = login(world["cadre_a"])
    url = reverse("sessions:edit", args=[session.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "sessions/session_form.html"
    assert set(response.context["form"]["hadir"].value()) == {m["siti"].pk, m["rina"].pk}

    data = _post(day, topic, age_groups=(0, 1), hadir=[str(m["ani"].pk)], **{f"attendee_{m['ani'].pk}": "lain"})
    response = client.post(url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.age_groups == [0, 1]
    assert list(session.attendances.values_list("family__mother_name", "attendee", "child")) == [("Ani", "lain", None)]
    assert CoachingSession.objects.count() == 1


def test_editing_a_session_does_not_conflict_with_itself(world, members, login, day, topic):
    session = f.coaching_session(world["group_a"], day, age_groups=(0,), topic_=topic)
    response = login(world["cadre_a"]).post(reverse("sessions:edit", args=[session.pk]), _post(day, topic))
    assert response.status_code == 302


def test_inactive_topic_is_not_offered_but_kept_on_edit(world, members, login, day, topic):
    old = f.topic("Materi lama", active=False)
    session = f.coaching_session(world["group_a"], day, topic_=old)
    client = login(world["cadre_a"])
    new_form = client.get(reverse("sessions:create", args=[world["group_a"].pk])).context["form"]
    assert old not in new_form.fields["topic"].queryset
    edit_form = client.get(reverse("sessions:edit", args=[session.pk])).context["form"]
    assert old in edit_form.fields["topic"].queryset


def test_detail_shows_who_came_and_who_did_not(world, members, login, day, topic):
    session = f.coaching_session(world["group_a"], day, topic_=topic)
    Attendance.objects.create(session=session, family=members["siti"], child=members["siti_child"], attendee="ayah")
    response = login(world["supervisor"]).get(reverse("sessions:detail", args=[session.pk]))
    assert response.status_code == 200
    assert [a.family.mother_name for a in response.context["attendances"]] == ["Siti"]
    assert [fam.mother_name for fam in response.context["absent"]] == ["Ani", "Rina"]
    assert "bersama Bayu" in response.text
