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


# Each page starts with 3 queries: the login session, the user, and the group
# or session in scope (cadres.access / sessions.access). The rest are its own
# reads, named one per line below, none per family.
PAGES = [
    # 4. the group's sessions with their attendance counts
    ("sessions:list", "group", 4),
    # 4. cadres serving the group   5. their current roles here (prefetch)
    # 6. the group's families (the `hadir` choices)
    # 7. members on the date   8. their children in the programme (prefetch)
    # 9. topics (when the select renders)
    # (nine today: the budget's tenth was the families' children, whose check moved to the service)
    ("sessions:create", "group", 10),
    # as create, plus: the session's cadres and roles (`ran`), the session's attendance
    ("sessions:edit", "session", 12),
    # 4. cadres who ran it   5. attendance with family and child   6. absent members
    # 7-10. the change history: the session's and its attendance's newest rows, and the rows
    # before those that are changes (bkb.lib.history.entries)
    ("sessions:detail", "session", 10),
    # 4. cadres   5. attendance   6. absent members   7. current members (the invitation)
    ("sessions:whatsapp", "session", 7),
    # 4. members who came to no session that month   5. their visits that month (prefetch)
    ("sessions:home_visits", "group", 5),
    # 4. children in the programme   5. the active instrument   6. its milestones for their ages
    # 7. marks of those children   8. measurements on the day
    ("sessions:sheet_pdf", "group", 8),
    # 4. the date's session   5-9. the sheet's five reads (as sheet_pdf)
    # 10. the session's attendance   11. topics (when the select renders)
    ("sessions:back_entry", "group", 11),
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
