"""WhatsApp texts: a wa.me link per member with a number, the text urlencoded."""

import datetime
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse

from sessions.models import Attendance
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_invitation_and_reminder_links(world, members, login, day):
    group = world["group_a"]
    group.meeting_place = "Posyandu Melati"
    group.save()
    session = f.coaching_session(group, day, topic_=f.topic("Gizi uji"))
    Attendance.objects.create(session=session, family=members["ani"])
    response = login(world["cadre_a"]).get(
        reverse("sessions:whatsapp", args=[session.pk]),
        {"tanggal": (day + datetime.timedelta(days=30)).isoformat(), "jam": "08.30", "tempat": "", "materi": "MPASI"},
    )
    assert response.status_code == 200
    invitation = response.context["invitation"]
    assert "Jam: 08.30" in invitation and "Materi: MPASI" in invitation
    invitees = {r.family.mother_name: r for r in response.context["invitees"]}
    # Siti's WhatsApp "0812 3456 7890" becomes 62812…; Ani has only a phone; Rina no number.
    assert invitees["Siti"].number == "6281234567890"
    assert invitees["Siti"].link == "https://wa.me/6281234567890?text=" + quote("Ibu Siti,\n" + invitation, safe="")
    assert invitees["Ani"].link.startswith("https://wa.me/6281298765432?text=Ibu%20Ani%2C%0A")
    assert invitees["Rina"].link == ""
    # Ani came, so the reminder goes to Siti and Rina only.
    absentees = [r.family.mother_name for r in response.context["absentees"]]
    assert absentees == ["Rina", "Siti"]
    reminder_link = response.context["absentees"][1].link
    assert reminder_link.startswith("https://wa.me/6281234567890?text=")
    assert quote("Gizi uji", safe="") in reminder_link and " " not in reminder_link
    assert 'data-copy="wa-invitation"' in response.text and 'id="wa-invitation"' in response.text


def test_invitation_defaults_to_the_groups_meeting_place(world, members, login, day):
    group = world["group_a"]
    group.meeting_place = "Balai RW 03"
    group.save()
    session = f.coaching_session(group, day)
    response = login(world["supervisor"]).get(reverse("sessions:whatsapp", args=[session.pk]))
    assert "Tempat: Balai RW 03" in response.context["invitation"]


def test_texts_go_out_in_the_familys_language_not_the_cadres(world, members, login, day):
    members["ani"].language = "en"
    members["ani"].save(update_fields=["language"])
    session = f.coaching_session(world["group_a"], day, topic_=f.topic("Gizi uji"))
    client = login(world["cadre_a"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("sessions:whatsapp", args=[session.pk]))
    assert response.status_code == 200
    assert 'lang="en"' in response.text  # the cadre reads the page in English
    invitees = {r.family.mother_name: unquote(r.link) for r in response.context["invitees"]}
    # Siti's family keeps the default, Indonesian, although the page is in English.
    assert "Ibu Siti,\nUndangan pertemuan BKB Melati" in invitees["Siti"]
    assert "Kader BKB Melati" in invitees["Siti"] and "Invitation" not in invitees["Siti"]
    # Ani's family asked for English.
    assert "Dear Ani,\nInvitation to the BKB Melati session" in invitees["Ani"]
    absentees = {r.family.mother_name: unquote(r.link) for r in response.context["absentees"]}
    assert "Ibu/Bapak belum sempat hadir di pertemuan BKB Melati" in absentees["Siti"]
    assert "You were not able to attend the BKB Melati session" in absentees["Ani"]
    # The text shown for copying into a group chat is the default language's.
    assert response.context["invitation"].startswith("Undangan pertemuan BKB Melati")


@pytest.mark.parametrize(("sent", "stored"), [({}, "id"), ({"language": "en"}, "en")])
def test_family_form_keeps_the_message_language(world, login, sent, stored):
    from families.models import Family

    data = {
        "mother_name": "Siti Aminah",
        "caregiver": "ibu",
        "rt": "02",
        "rw": "03",
        "joined_on": "2026-01-05",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "1",
        "children-MAX_NUM_FORMS": "1000",
        "children-0-name": "Zahra",
        "children-0-sex": "F",
        "children-0-birth_date": "2025-10-01",
        **sent,
    }
    response = login(world["cadre_a"]).post(reverse("families:create", args=[world["group_a"].pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Family.objects.get(mother_name="Siti Aminah").language == stored
