"""Cadre roles have a start and an end: a past month counts the cadres who served then."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole
from reports import figures
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
OCT = Month(2026, 10)


@pytest.fixture
def oom(world):
    """Oom serves BKB Melati as kader inti 1-2 since March 2026, next to Imas, the chair since 2020."""
    Cadre.objects.filter(user=world["cadre_a"]).update(date_joined=D(2020, 1, 1))
    CadreRole.objects.filter(cadre__user=world["cadre_a"]).update(started_on=D(2020, 1, 1))
    return f.cadre(world["group_a"], name="Oom Komariah", role="inti", age_group=1, date_joined=D(2026, 3, 1))


def cadre_edit_form(cadre: Cadre, role: CadreRole, **overrides) -> dict:
    """The cadre edit page's POST for a cadre with one role (also used by test_cadre_history)."""
    data = {
        "name": cadre.name,
        "nik": "",
        "phone": "",
        "sex": "F",
        "education": "",
        "date_joined": cadre.date_joined.isoformat(),
        "active": "on",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-id": str(role.pk),
        "roles-0-role": role.role,
        "roles-0-age_group": "" if role.age_group is None else str(role.age_group),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _cadres(group, month):
    found = figures.group_figures(group, month)
    return found["cadres_active"], found["cadres_role_inti"], found["cadres_role_piket"]


def test_past_months_do_not_change_when_a_cadre_leaves_today(world, login, oom):
    group, today = world["group_a"], timezone.localdate()
    this_month = Month.of(today)
    assert _cadres(group, OCT) == (2, 1, 0)
    assert _cadres(group, this_month) == (2, 1, 0)
    role = oom.roles.get()

    response = login(world["cadre_a"]).post(
        reverse("cadres:edit", args=[group.pk, oom.pk]), cadre_edit_form(oom, role, active=None)
    )

    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.started_on, role.ended_on) == (D(2026, 3, 1), today)  # kept, with its end
    assert _cadres(group, OCT) == (2, 1, 0)
    assert _cadres(group, this_month) == (1, 0, 0)
    assert [c.name for c in figures.rows_behind(group, OCT, "cadres_active")] == ["Imas", "Oom Komariah"]


def test_removing_a_role_ends_it_and_the_role_can_be_held_again(world, login, oom):
    group, client = world["group_a"], login(world["cadre_a"])
    role = oom.roles.get()
    client.post(reverse("cadres:edit", args=[group.pk, oom.pk]), cadre_edit_form(oom, role, **{"roles-0-DELETE": "on"}))

    role.refresh_from_db()
    assert role.ended_on == timezone.localdate()
    assert _cadres(group, OCT) == (2, 1, 0)
    assert _cadres(group, Month.of(timezone.localdate())) == (1, 0, 0)
    page = client.get(reverse("cadres:edit", args=[group.pk, oom.pk])).content.decode()
    assert f'value="{role.pk}"' not in page  # an ended role is history, not a role to edit

    again = cadre_edit_form(oom, role, **{"roles-INITIAL_FORMS": "0", "roles-0-id": ""})
    assert client.post(reverse("cadres:edit", args=[group.pk, oom.pk]), again).status_code == 302
    assert oom.roles.count() == 2
    assert oom.roles.current().get().started_on == timezone.localdate()


def test_changing_a_role_keeps_the_old_one_for_the_months_it_was_held(world, login, oom):
    group = world["group_a"]
    role = oom.roles.get()
    login(world["cadre_a"]).post(
        reverse("cadres:edit", args=[group.pk, oom.pk]), cadre_edit_form(oom, role, **{"roles-0-role": "piket"})
    )

    today = timezone.localdate()
    assert list(oom.roles.order_by("started_on").values_list("role", "started_on", "ended_on")) == [
        ("inti", D(2026, 3, 1), today),
        ("piket", today, None),
    ]
    assert _cadres(group, OCT) == (2, 1, 0)


def test_a_new_cadres_roles_start_the_day_she_joined(world, login):
    data = {
        "name": "Nunung",
        "nik": "",
        "phone": "",
        "sex": "F",
        "education": "",
        "date_joined": "2025-01-15",
        "active": "on",
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": "inti",
        "roles-0-age_group": "1",
        "roles-1-role": "sekretaris",
        "roles-1-age_group": "",
    }
    login(world["cadre_a"]).post(reverse("cadres:create", args=[world["group_a"].pk]), data)
    roles = CadreRole.objects.filter(cadre__name="Nunung")
    assert set(roles.values_list("started_on", "ended_on")) == {(D(2025, 1, 15), None)}
    assert figures.group_figures(world["group_a"], Month(2025, 1))["cadres_active"] == 1


def test_a_role_ending_on_the_last_day_is_not_held_that_month(world):
    cadre = f.cadre(world["group_b"], role="bantu", age_group=2, date_joined=D(2025, 1, 1))
    CadreRole.objects.filter(cadre=cadre).update(ended_on=D(2026, 10, 31))
    assert figures.group_figures(world["group_b"], Month(2026, 9))["cadres_role_bantu"] == 1
    assert figures.group_figures(world["group_b"], OCT)["cadres_role_bantu"] == 0


def test_the_migration_dates_roles_from_the_register(world):
    active = f.cadre(world["group_b"], name="Aktif", date_joined=D(2023, 5, 1))
    gone = f.cadre(world["group_b"], name="Keluar", date_joined=D(2021, 2, 1))
    Cadre.objects.filter(pk=gone.pk).update(active=False)
    CadreRole.objects.filter(cadre__in=[active, gone]).update(started_on=D(2026, 11, 1), ended_on=None)

    migration = importlib.import_module("cadres.migrations.0004_role_start_and_end_dates")
    migration.fill_dates(apps, None)

    assert active.roles.values_list("started_on", "ended_on").get() == (D(2023, 5, 1), None)
    # Her end was never recorded: she is counted in no month, as before roles had dates.
    assert gone.roles.values_list("started_on", "ended_on").get() == (D(2021, 2, 1), D(2021, 2, 1))
    assert figures.group_figures(world["group_b"], Month(2024, 1))["cadres_active"] == 1
