"""A session edited on a page older than the session is refused and shown beside the server's, never
silently written over it; saving the page shown again overwrites on purpose."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from bkb.lib.ages import add_months
from cadres.models import Cadre
from families.models import Child, Family
from sessions import selectors, services
from sessions.models import Attendance, CoachingSession
from tests import factories as f
from tests.pageforms import post_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, members, day, topic):
    """A saved session of group_a: Siti came with Bayu."""
    session = f.coaching_session(world["group_a"], day, age_groups=(0,), topic_=topic, place="Posyandu Melati")
    Attendance.objects.create(session=session, family=members["siti"], child=members["siti_child"])
    return session


@pytest.fixture
def nani(world):
    """A second cadre of group_a, on another phone."""
    user = f.user("nani", "cadre", first_name="Nani", last_name="Rahmawati")
    f.cadre(world["group_a"], user=user, name="Nani")
    return user


def _url(session):
    return reverse("sessions:edit", args=[session.pk])


def _page(client, session):
    """The edit form as her phone has it: every value the page was made with, hidden ones too."""
    return post_forms(client.get(_url(session)).content.decode())[0]


def _ids(*families):
    return [str(family.pk) for family in families]


def _came(session):
    return set(session.attendances.values_list("family__mother_name", flat=True))


def _nani_saves(login, nani, session, **changes):
    response = login(nani).post(_url(session), _page(login(nani), session).payload(**changes))
    assert response.status_code == 302, response.context and response.context["form"].errors
    session.refresh_from_db()
    return session.updated_at


def test_the_edit_page_carries_the_version_and_a_new_session_none(world, held, login):
    client = login(world["cadre_a"])
    assert _page(client, held).data["version"] == [services.session_version(held.updated_at)]
    new = post_forms(client.get(reverse("sessions:create", args=[world["group_a"].pk])).content.decode())[0]
    assert "version" not in new.data


def test_a_stale_save_saves_nothing_and_shows_both_side_by_side(world, members, held, nani, login):
    mine = login(world["cadre_a"])
    page = _page(mine, held)  # opened before Nani's save (the phone was offline)
    saved_at = _nani_saves(login, nani, held, place="Balai RW 03", hadir=_ids(members["ani"]))

    response = mine.post(_url(held), page.payload(notes="Ramai", hadir=_ids(members["siti"], members["rina"])))
    assert response.status_code == 400
    held.refresh_from_db()
    assert held.updated_at == saved_at
    assert (held.place, held.notes) == ("Balai RW 03", "")
    assert _came(held) == {"Ani"}

    text = response.content.decode()
    assert 'id="stale-edit"' in text
    assert "Pertemuan ini sudah diubah orang lain sejak halaman ini dibuka." in text
    assert "Nani Rahmawati" in text  # who saved the server's version
    rows = {row.key: row for row in response.context["stale"].differences}
    assert set(rows) == {"place", "notes", "hadir"}
    assert (rows["place"].label, rows["place"].yours, rows["place"].server) == (
        "Tempat",
        "Posyandu Melati",
        "Balai RW 03",
    )
    assert (rows["notes"].yours, rows["notes"].server) == ("Ramai", "–")
    assert rows["hadir"].yours == "hadir di isian Anda saja: Rina, Siti"
    assert rows["hadir"].server == "hadir di server saja: Ani"
    assert '<td data-side="yours">Posyandu Melati</td><td data-side="server">Balai RW 03</td>' in text
    # What she typed is still in the form.
    form = response.context["form"]
    assert form["notes"].value() == "Ramai" and form["place"].value() == "Posyandu Melati"
    assert f'value="{members["rina"].pk}" id="hadir_{members["rina"].pk}" checked' in text


def test_a_stale_entry_replayed_from_the_phone_is_refused_with_the_comparison_in_its_form(
    world, members, held, nani, login
):
    """The outbox keeps a refused entry's form alone for the unsent page: the comparison goes with it."""
    mine = login(world["cadre_a"])
    page = _page(mine, held)
    saved_at = _nani_saves(login, nani, held, place="Balai RW 03")
    answer = mine.post(_url(held), page.payload(), HTTP_X_BKB_OUTBOX="1")
    assert (answer.status_code, answer["X-Bkb-Outbox"]) == (400, "refused")
    text = answer.content.decode()
    start = text.index('<form method="post" novalidate data-outbox=')
    form = text[start : text.index("</form>", start)]
    assert 'id="stale-edit"' in form and "sudah diubah orang lain" in form
    assert f'name="version" value="{services.session_version(saved_at)}"' in form
    # Nothing needs fixing: no red "isian yang perlu diperbaiki".
    assert "perlu diperbaiki" not in text and not answer.context["form"].errors


def test_saving_the_page_shown_again_overwrites_on_purpose(world, members, held, nani, login):
    mine = login(world["cadre_a"])
    page = _page(mine, held)
    saved_at = _nani_saves(login, nani, held, place="Balai RW 03", hadir=_ids(members["ani"]))
    refused = mine.post(_url(held), page.payload(notes="Ramai", hadir=_ids(members["siti"], members["rina"])))
    assert refused.status_code == 400

    again = post_forms(refused.content.decode())[0]
    # The page now carries the server's version, and the same unused one-time token.
    assert again.data["version"] == [services.session_version(saved_at)] != page.data["version"]
    assert again.data["once"] == page.data["once"]
    response = mine.post(_url(held), again.payload())
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.place, held.notes) == ("Posyandu Melati", "Ramai")
    assert _came(held) == {"Siti", "Rina"}
    assert held.updated_at > saved_at


def test_a_save_on_the_current_version_saves(world, members, held, login):
    client = login(world["cadre_a"])
    before = held.updated_at
    response = client.post(_url(held), _page(client, held).payload(place="Balai RW 03"))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.place == "Balai RW 03" and held.updated_at > before


def test_a_save_without_a_version_overwrites_as_before(world, members, held, nani, login):
    """An old page, a script: no version, no check."""
    mine = login(world["cadre_a"])
    data = _page(mine, held).payload(notes="Ramai")
    del data["version"]
    _nani_saves(login, nani, held, place="Balai RW 03")
    assert mine.post(_url(held), data).status_code == 302
    held.refresh_from_db()
    assert (held.place, held.notes) == ("Posyandu Melati", "Ramai")


@pytest.mark.parametrize("version", ["abc", "9" * 40, "-1", "ab\x00cd", "😀", "x" * 100_000, " "])
def test_a_mangled_version_is_a_stale_page_never_an_error(world, members, held, login, version):
    client = login(world["cadre_a"])
    before = held.updated_at
    response = client.post(_url(held), _page(client, held).payload(version=version, place="Balai RW 03"))
    assert response.status_code == 400
    held.refresh_from_db()
    assert held.place == "Posyandu Melati" and held.updated_at == before
    assert 'id="stale-edit"' in response.content.decode()
    assert [row.key for row in response.context["stale"].differences] == ["place"]
    # The page shown again carries the real version: saving it works.
    assert client.post(_url(held), post_forms(response.content.decode())[0].payload()).status_code == 302


def test_a_version_posted_to_a_new_session_is_ignored(world, members, day, topic, login):
    client = login(world["cadre_a"])
    url = reverse("sessions:create", args=[world["group_a"].pk])
    page = post_forms(client.get(url, {"tanggal": day.isoformat()}).content.decode())[0]
    assert client.post(url, page.payload(topic=str(topic.pk), age_groups=["0"], version="abc")).status_code == 302
    assert CoachingSession.objects.count() == 1


def test_who_came_with_whom_and_the_cadres_on_duty_are_compared(world, members, held, nani, login, topic):
    mine = login(world["cadre_a"])
    page = _page(mine, held)
    imas = Cadre.objects.get(name="Imas")
    other_topic = f.topic("Gizi seimbang")
    siti = members["siti"].pk
    _nani_saves(
        login, nani, held, topic=str(other_topic.pk), **{f"attendee_{siti}": "ayah", f"cadre_{imas.pk}": "inti"}
    )
    response = mine.post(_url(held), page.payload(age_groups=["0", "1"]))
    assert response.status_code == 400
    rows = {row.key: row for row in response.context["stale"].differences}
    assert set(rows) == {"age_groups", "topic", "cadres", f"hadir_{siti}"}
    assert (rows["age_groups"].yours, rows["age_groups"].server) == ("0-1 tahun, 1-2 tahun", "0-1 tahun")
    assert (rows["topic"].yours, rows["topic"].server) == ("Stimulasi uji", "Gizi seimbang")
    assert (rows["cadres"].label, rows["cadres"].yours, rows["cadres"].server) == (
        "Kader yang bertugas",
        "–",
        "Imas (Kader inti)",
    )
    assert rows[f"hadir_{siti}"].label == "Kehadiran ibu Siti"
    assert (rows[f"hadir_{siti}"].yours, rows[f"hadir_{siti}"].server) == ("Ibu, bersama Bayu", "Ayah, bersama Bayu")


def test_a_save_identical_to_the_servers_still_says_so(world, members, held, nani, login):
    mine = login(world["cadre_a"])
    page = _page(mine, held)
    _nani_saves(login, nani, held)  # saved again, nothing changed
    response = mine.post(_url(held), page.payload())
    assert response.status_code == 400
    assert response.context["stale"].differences == []
    assert "Isian Anda sama dengan yang tersimpan di server." in response.content.decode()


def test_the_comparison_in_english(world, members, held, nani, login):
    mine = login(world["cadre_a"])
    mine.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _page(mine, held)
    _nani_saves(login, nani, held, hadir=_ids(members["ani"]))
    text = mine.post(_url(held), page.payload()).content.decode()
    for english in ("Your entry", "Saved on the server", "present in your entry only: Siti", "Someone else changed"):
        assert english in text


def test_the_server_version_says_who_only_when_its_history_does(world, members, held, login):
    """A write that left no history (a seed, a command) is shown by its time alone."""
    mine = login(world["cadre_a"])
    page = _page(mine, held)
    CoachingSession.objects.filter(pk=held.pk).update(
        place="Balai RW 03", updated_at=held.updated_at + datetime.timedelta(seconds=5)
    )
    response = mine.post(_url(held), page.payload())
    assert response.status_code == 400
    assert response.context["stale"].saved_by == ""
    assert "Yang di server disimpan pada" in response.content.decode()


# --- The rule, in the service --------------------------------------------------------------------


def _save(session, *, version=None, attendance=(), cadres=None):
    return services.session_save(
        session=session, cadres=cadres or {}, attendance=list(attendance), user=None, version=version
    )


def test_a_change_of_who_came_alone_moves_the_version(world, members, held):
    version = services.session_version(held.updated_at)
    session = CoachingSession.objects.get(pk=held.pk)
    _save(session, version=version, attendance=[services.AttendanceEntry(members["ani"].pk, "ibu")])
    session.refresh_from_db()
    assert services.session_version(session.updated_at) != version
    with pytest.raises(ValidationError) as refused:
        _save(CoachingSession.objects.get(pk=held.pk), version=version)
    assert services.is_stale(refused.value)
    assert _came(held) == {"Ani"}


def test_a_stale_save_is_refused_with_the_other_rules_at_once(world, members, held, day, topic):
    f.coaching_session(world["group_a"], day, age_groups=(1,), topic_=topic)
    version = services.session_version(held.updated_at)
    CoachingSession.objects.get(pk=held.pk).save()  # someone else's save
    session = CoachingSession.objects.get(pk=held.pk)
    session.age_groups = [0, 1]  # also overlaps the other session that day
    with pytest.raises(ValidationError) as refused:
        _save(session, version=version)
    errors = refused.value.update_error_dict({})
    assert services.is_stale(refused.value) and "age_groups" in errors
    assert not services.is_stale(ValidationError({"age_groups": ["x"]}))


def test_the_back_entry_grid_keeps_writing_without_a_version(world, members, held, login):
    """The grid posts no version: it writes as it always did."""
    client = login(world["cadre_a"])
    url = reverse("sessions:back_entry", args=[world["group_a"].pk]) + f"?tanggal={held.date}"
    page = post_forms(client.get(url).content.decode())[0]
    CoachingSession.objects.get(pk=held.pk).save()
    assert client.post(url, page.payload(place="Balai RW 03")).status_code == 302
    held.refresh_from_db()
    assert held.place == "Balai RW 03"


def test_the_comparison_is_a_pure_function():
    side = selectors.SessionSide(values={"place": "A", "notes": ""}, cadres={}, came={})
    assert selectors.stale_differences(side, side) == []
    other = selectors.SessionSide(
        values={"place": "B", "notes": ""}, cadres={}, came={7: selectors.Came("Siti", "ibu")}
    )
    rows = selectors.stale_differences(side, other)
    assert [(r.key, r.yours, r.server) for r in rows] == [
        ("place", "A", "B"),
        ("hadir", "–", "hadir di server saja: Siti"),
    ]


# --- Queries ----------------------------------------------------------------------------------


@pytest.fixture(params=[10, 200])
def many(request, world, day, held):
    group = world["group_a"]
    families = Family.objects.bulk_create(
        Family(group=group, mother_name=f"Ibu {i:03d}", joined_on=datetime.date(2024, 1, 1))
        for i in range(request.param)
    )
    Child.objects.bulk_create(
        Child(family=family, name=f"Anak {i:03d}", sex="F", birth_date=add_months(day, -(i % 70) - 1))
        for i, family in enumerate(families)
    )
    Attendance.objects.bulk_create(Attendance(session=held, family=family) for family in families[::2])
    return families


def test_the_edit_page_and_a_stale_save_run_a_fixed_number_of_queries(
    world, held, nani, many, login, django_assert_max_num_queries
):
    mine = login(world["cadre_a"])
    with django_assert_max_num_queries(12):  # as tests/sessions/test_queries.py: the version costs none
        page = post_forms(mine.get(_url(held)).content.decode())[0]
    _nani_saves(login, nani, held, hadir=[str(family.pk) for family in many[1::2]])
    # Her side: every family, each with a child; the server's: every other one.
    data = page.payload(hadir=[str(family.pk) for family in many])
    for child in Child.objects.filter(family__in=many):
        data[f"child_{child.family_id}"] = [str(child.pk)]
    # The edit page's reads and the one-time token's, the service's (the group's lock, the
    # version, the overlap, the members, their children) and six for the comparison (the
    # session, its cadres, its attendance, the names of her families and children, its
    # newest history row); savepoints count too.
    with django_assert_max_num_queries(31):
        response = mine.post(_url(held), data)
    assert response.status_code == 400
    rows = {row.key: row for row in response.context["stale"].differences}
    assert rows["hadir"].yours.count("Ibu ") == len(many[::2])


@pytest.fixture
def superuser(db):
    return f.user("root", "admin", is_staff=True, is_superuser=True)


def test_an_attendance_changed_in_the_admin_moves_the_version(world, members, held, superuser, login):
    mine = login(world["cadre_a"])
    page = _page(mine, held)
    row = held.attendances.get()
    url = reverse("admin:coaching_attendance_change", args=[row.pk])
    data = {"session": held.pk, "family": members["siti"].pk, "child": members["siti_child"].pk, "attendee": "ayah"}
    assert login(superuser).post(url, data).status_code == 302
    response = mine.post(_url(held), page.payload())
    assert response.status_code == 400
    assert [r.key for r in response.context["stale"].differences] == [f"hadir_{members['siti'].pk}"]
    assert response.context["stale"].saved_by == "root"


def test_a_cadre_or_attendance_deleted_in_the_admin_moves_the_version(world, members, held, superuser, login):
    before = held.updated_at
    row = held.attendances.get()
    response = login(superuser).post(reverse("admin:coaching_attendance_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.updated_at > before
    cadre = held.session_cadres.create(cadre=Cadre.objects.get(name="Imas"), role="inti")
    before = held.updated_at
    changelist = reverse("admin:coaching_sessioncadre_changelist")
    data = {"action": "delete_selected", "_selected_action": [cadre.pk], "post": "yes"}
    assert login(superuser).post(changelist, data).status_code == 302
    held.refresh_from_db()
    assert held.updated_at > before and not held.session_cadres.exists()


def test_a_session_deleted_before_the_stale_save_is_a_404(world, members, held, login, monkeypatch):
    client = login(world["cadre_a"])
    page = _page(client, held)
    real_save = services.session_save

    def deleted_meanwhile(**kwargs):
        CoachingSession.objects.filter(pk=held.pk).delete()
        return real_save(**kwargs)

    monkeypatch.setattr(services, "session_save", deleted_meanwhile)
    # Gone, every version is stale. (The deletion here is in the refused request's own transaction: rolled back too.)
    assert client.post(_url(held), page.payload(place="Balai RW 03")).status_code == 404
    held.refresh_from_db()
    assert held.place == "Posyandu Melati"
