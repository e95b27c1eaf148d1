"""Each role sees exactly its part: walk every URL as every persona."""

import datetime

import pytest
from django.urls import reverse

from cadres.access import cadres_visible_to, groups_visible_to
from cadres.models import Cadre
from families.models import Child, Family
from groups.models import BkbGroup
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_groups_visible_to_each_role(world):
    def names(user):
        return set(groups_visible_to(user).values_list("name", flat=True))

    assert names(world["cadre_a"]) == {"BKB Melati"}
    assert names(world["cadre_b"]) == {"BKB Mawar"}
    assert names(world["supervisor"]) == {"BKB Melati", "BKB Mawar"}
    assert names(world["admin"]) == {"BKB Melati", "BKB Mawar", "BKB Dahlia"}
    assert names(world["outsider"]) == set()


def test_without_areas_an_admin_or_supervisor_sees_none_and_only_a_superuser_sees_all(world):
    # An admin whose last area was removed is not a national admin (issue 12): nobody is, below a superuser.
    world["admin"].areas.clear()
    world["supervisor"].areas.clear()
    assert groups_visible_to(world["admin"]).count() == 0
    assert groups_visible_to(world["supervisor"]).count() == 0
    world["admin"].is_superuser = True
    assert groups_visible_to(world["admin"]).count() == 4


def test_inactive_cadre_loses_access(world):
    Cadre.objects.filter(user=world["cadre_a"]).update(active=False)
    assert not groups_visible_to(world["cadre_a"]).exists()


def test_families_children_and_cadres_follow_group_scope(world):
    fam_a = f.family(world["group_a"])
    fam_b = f.family(world["group_b"])
    f.child(fam_a, datetime.date(2025, 1, 1))
    f.child(fam_b, datetime.date(2025, 1, 1))
    assert list(Family.objects.visible_to(world["cadre_a"])) == [fam_a]
    assert set(Family.objects.visible_to(world["supervisor"])) == {fam_a, fam_b}
    assert [c.family for c in Child.objects.visible_to(world["cadre_b"])] == [fam_b]
    assert set(cadres_visible_to(world["cadre_a"]).values_list("name", flat=True)) == {"Imas"}


def _urls(world):
    fam_a = f.family(world["group_a"], mother_name="Siti")
    cadre_a = Cadre.objects.get(user=world["cadre_a"])
    g = world["group_a"].pk
    return [
        reverse("sessions:roster", args=[g]),
        reverse("families:detail", args=[fam_a.pk]),
        reverse("groups:detail", args=[g]),
        reverse("cadres:detail", args=[cadre_a.pk]),
    ], [
        reverse("families:create", args=[g]),
        reverse("families:edit", args=[fam_a.pk]),
    ]


@pytest.mark.parametrize(
    "persona, read, write",
    [
        ("cadre_a", 200, 200),
        ("cadre_b", 404, 404),
        ("supervisor", 200, 403),
        ("admin", 200, 200),
        ("outsider", 404, 404),
    ],
)
def test_every_group_a_url_as_each_persona(world, login, persona, read, write):
    read_urls, write_urls = _urls(world)
    client = login(world[persona])
    for url in read_urls:
        assert client.get(url).status_code == read, url
    for url in write_urls:
        assert client.get(url).status_code == write, url


def test_cadre_of_group_a_gets_404_on_family_of_group_b(world, login):
    fam_b = f.family(world["group_b"], mother_name="Rahasia")
    response = login(world["cadre_a"]).get(reverse("families:detail", args=[fam_b.pk]))
    assert response.status_code == 404
    assert b"Rahasia" not in response.content


def test_cadre_cannot_post_a_family_into_another_group(world, login):
    client = login(world["cadre_a"])
    response = client.post(reverse("families:create", args=[world["group_b"].pk]), {"mother_name": "X"})
    assert response.status_code == 404
    assert not Family.objects.filter(mother_name="X").exists()


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("sessions:roster", args=[world["group_a"].pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_group_list_and_edit_are_scoped(world, login):
    admin = login(world["admin"])
    page = admin.get(reverse("groups:list")).content.decode()
    assert "BKB Dahlia" in page and "BKB Garut" not in page
    assert admin.get(reverse("groups:edit", args=[world["group_x"].pk])).status_code == 404
    assert login(world["supervisor"]).get(reverse("groups:create")).status_code == 403


def test_cadre_home_goes_to_own_tasks(world, login):
    response = login(world["cadre_a"]).get("/")
    assert response.url == reverse("reports:tasks", args=[world["group_a"].pk])
    assert login(world["supervisor"]).get("/").url == reverse("reports:dashboard")


def test_admin_creates_a_group_in_own_kabupaten_only(world, login):
    client = login(world["admin"])
    data = {
        "name": "BKB Kenanga",
        "desa": world["desa_a1"].pk,
        "rw": "07",
        "year_formed": "2030",
        "stratum": "dasar",
        "integration": "none",
        "active": "on",
    }
    response = client.post(reverse("groups:create"), data)
    assert response.status_code == 200
    assert "Tahun dibentuk tidak boleh di masa depan." in response.content.decode()
    response = client.post(reverse("groups:create"), {**data, "desa": world["desa_x"].pk, "year_formed": "2020"})
    assert "desa" in response.context["form"].errors  # Garut is not this admin's kabupaten
    response = client.post(reverse("groups:create"), {**data, "year_formed": "2020"})
    assert response.status_code == 302
    assert BkbGroup.objects.get(name="BKB Kenanga").desa == world["desa_a1"]
