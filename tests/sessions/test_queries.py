"""Every session page runs a fixed number of queries, for 10 families or 200."""

import datetime

import pytest
from django.urls import reverse

from bkb.lib.ages import add_months
from families.models import Child, Family
from sessions.models import Attendance, HomeVisit
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[10, 200])
def big_group(request, world, day):
    group = world["group_a"]
    families = Family.objects.bulk_create(
        Family(group=group, mother_name=f"Ibu {i:03d}", joined_on=datetime.date(2024, 1, 1), whatsapp="081234567890")
        for i in range(request.param)
    )
    Child.objects.bulk_create(
        Child(family=family, name=f"Anak {i:03d}", sex="F", birth_date=add_months(day, -(i % 70) - 1))
        for i, family in enumerate(families)
    )
    f.instrument_with_milestones()
    sessions = [f.coaching_session(group, day - datetime.timedelta(days=30 * k), age_groups=(0, 1)) for k in range(3)]
    Attendance.objects.bulk_create(Attendance(session=sessions[0], family=family) for family in families[::2])
    HomeVisit.objects.bulk_create(HomeVisit(family=family, date=day) for family in families[1::4])
    for _ in range(3):
        f.cadre(group)
    return {"group": group, "session": sessions[0], "size": request.param}


# Each page starts with 3 queries (login session, user, group or session in
# scope); the rest are its own reads, none per family.
PAGES = [
    ("sessions:list", "group", 4),  # + sessions with attendance counts
    # + cadres, their roles, families (choices), their children, members on the date,
    #   their children in the programme, topics
    ("sessions:create", "group", 10),
    ("sessions:edit", "session", 12),  # + the session's cadres and attendance
    ("sessions:detail", "session", 6),  # + cadres, attendance, absent members
    ("sessions:whatsapp", "session", 7),  # + attendance, absent members, current members
    ("sessions:home_visits", "group", 5),  # + members without attendance, their visits that month
    ("sessions:sheet_pdf", "group", 8),  # + children, instrument, milestones, records, measurements
    ("sessions:back_entry", "group", 11),  # + the date's session, topics, the sheet's reads, attendance
]


@pytest.mark.parametrize(("name", "arg", "budget"), PAGES)
def test_page_query_count_does_not_grow_with_members(
    big_group, login, world, day, name, arg, budget, django_assert_max_num_queries
):
    client = login(world["cadre_a"])
    pk = big_group[arg].pk
    url = reverse(name, args=[pk]) + (f"?tanggal={day}" if arg == "group" else "")
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
