"""The group roster: children by age group, search, and a fixed query count."""

import datetime

import pytest
from django.urls import reverse

from bkb.lib.ages import add_months, age_group, age_in_months
from sessions.selectors import roster
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 15)


@pytest.mark.parametrize(
    "born, months, group",
    [
        (add_months(ON, -11), 11, 0),
        (add_months(ON, -11) - datetime.timedelta(days=1), 11, 0),
        (add_months(ON, -12), 12, 1),
        (add_months(ON, -12) + datetime.timedelta(days=1), 11, 0),
        (add_months(ON, -71), 71, 5),
        (add_months(ON, -72) + datetime.timedelta(days=1), 71, 5),
        (add_months(ON, -72), 72, None),
        (ON, 0, 0),
        (ON + datetime.timedelta(days=1), -1, None),
    ],
)
def test_age_group_at_band_edges(born, months, group):
    assert age_in_months(born, ON) == months
    assert age_group(born, ON) == group


def test_age_counts_month_ends_like_a_cadre():
    # Born on the 31st: a month is complete on the last day of a shorter month? No:
    # the child is one month old once the day of birth comes round again.
    assert age_in_months(datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)) == 0
    assert age_in_months(datetime.date(2026, 1, 31), datetime.date(2026, 3, 1)) == 1
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


def test_roster_places_children_by_age_group_and_drops_72_months(world):
    family = f.family(world["group_a"])
    eleven = f.child(family, add_months(ON, -11), name="Sebelas")
    twelve = f.child(family, add_months(ON, -12), name="Duabelas")
    seventy_one = f.child(family, add_months(ON, -72) + datetime.timedelta(days=1), name="Tujuhsatu")
    f.child(family, add_months(ON, -72), name="Lulus")
    left = f.family(world["group_a"], left_on=datetime.date(2026, 10, 1))
    f.child(left, add_months(ON, -20), name="Pindah")
    f.child(f.family(world["group_b"]), add_months(ON, -20), name="Tetangga")

    bands = roster(world["group_a"], on=ON).bands
    placed = {band.value: [c.name for c in band.children] for band in bands}
    assert placed == {0: [eleven.name], 1: [twelve.name], 2: [], 3: [], 4: [], 5: [seventy_one.name]}


def test_roster_search_by_name_nik_and_kk(world, login):
    a = f.family(
        world["group_a"], mother_name="Euis Komariah", mother_nik="3211014506900001", kk_number="3211010101200009"
    )
    f.child(a, add_months(ON, -20), name="Naura")
    b = f.family(world["group_a"], mother_name="Rina Marlina")
    f.child(b, add_months(ON, -30), name="Bima", nik="3211011111250001")

    def found(query):
        return sorted(c.name for band in roster(world["group_a"], on=ON, query=query).bands for c in band.children)

    assert found("euis") == ["Naura"]
    assert found("Bim") == ["Bima"]
    assert found("3211014506") == ["Naura"]
    assert found("3211010101200009") == ["Naura"]
    assert found("3211011111") == ["Bima"]
    assert found("") == ["Bima", "Naura"]
    assert found("tidak ada") == []


def test_partial_request_returns_only_the_results(world, login):
    family = f.family(world["group_a"], mother_name="Euis")
    f.child(family, datetime.date.today() - datetime.timedelta(days=200), name="Naura")
    client = login(world["cadre_a"])
    url = reverse("sessions:roster", args=[world["group_a"].pk])
    partial = client.get(url, {"q": "eu"}, headers={"X-Partial": "1"}).content.decode()
    assert "Naura" in partial and "<html" not in partial
    assert "<html" in client.get(url).content.decode()


def _fill(group, families: int):
    born = datetime.date.today() - datetime.timedelta(days=400)
    for _ in range(families):
        f.child(f.family(group), born)


@pytest.mark.parametrize("families", [10, 200])
def test_roster_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, families):
    _fill(world["group_a"], families)
    client = login(world["cadre_a"])
    url = reverse("sessions:roster", args=[world["group_a"].pk])
    # The first view after the writes recomputes the kept status (sessions.kept),
    # the next reads it: session + user, group lookup (with scope subquery), the
    # group's KeptState, the children's status rows, the chair and returned-report checks.
    # The same bounds hold for 10 and 200 families.
    with django_assert_max_num_queries(17):
        client.get(url)
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count('class="roster-row"') == families


@pytest.mark.parametrize("families", [10, 200])
def test_group_list_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, families):
    _fill(world["group_a"], families)
    client = login(world["admin"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("groups:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("cadres", [10, 200])
def test_group_detail_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, cadres):
    for index in range(cadres):
        person = f.cadre(world["group_a"], name=f"Kader {index}")
        if index % 2:
            f.training(person, datetime.date(2025, 1, 1))
    client = login(world["supervisor"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("groups:detail", args=[world["group_a"].pk]))
    assert response.content.decode().count("/kader/") >= cadres


@pytest.mark.parametrize("children", [1, 20])
def test_family_page_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, children):
    family = f.family(world["group_a"])
    for _ in range(children):
        f.child(family, datetime.date.today() - datetime.timedelta(days=300))
    client = login(world["cadre_a"])
    # 8, and 12 for the change history: six kinds of rows, each its newest rows and the rows
    # before those that are changes (bkb.lib.history.entries).
    with django_assert_max_num_queries(20):
        response = client.get(reverse("families:detail", args=[family.pk]))
    assert response.status_code == 200


def test_family_search_spans_the_users_scope_only(world, login):
    for group, name in (
        (world["group_a"], "Euis Melati"),
        (world["group_b"], "Euis Mawar"),
        (world["group_c"], "Euis Dahlia"),
        (world["group_x"], "Euis Garut"),
    ):
        f.child(f.family(group, mother_name=name), add_months(ON, -20))

    def found(persona, query="euis"):
        html = login(world[persona]).get(reverse("families:search"), {"q": query}).content.decode()
        return sorted(name for name in ("Euis Melati", "Euis Mawar", "Euis Dahlia", "Euis Garut") if name in html)

    assert found("admin") == ["Euis Dahlia", "Euis Mawar", "Euis Melati"]
    assert found("supervisor") == ["Euis Mawar", "Euis Melati"]
    assert found("cadre_a") == ["Euis Melati"]
    assert found("outsider") == []
    assert found("admin", "eu") == []  # too short to search a kabupaten


@pytest.mark.parametrize("families", [10, 200])
def test_family_search_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, families):
    for index in range(families):
        f.family(world["group_a"], mother_name=f"Siti {index}")
    client = login(world["admin"])
    with django_assert_max_num_queries(5):
        response = client.get(reverse("families:search"), {"q": "siti"})
    assert response.content.decode().count('class="roster-row"') == min(families, 50)
