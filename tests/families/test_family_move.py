"""Moving a family between groups: supervisors and admins, inside their scope."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bkb.lib.months import Month
from families import services
from families.models import Child, Family
from reports import kept
from reports.models import GroupMonthFigures
from sessions.models import Attendance
from tests import factories as f

pytestmark = pytest.mark.django_db


def _family(group):
    family = f.family(group, mother_name="Euis", joined_on=datetime.date(2025, 1, 1))
    f.child(family, timezone.localdate() - datetime.timedelta(days=400), name="Dinda")
    return family


def _move(client, family, group):
    return client.post(reverse("families:move", args=[family.pk]), {"to_group": group.pk})


def test_the_supervisor_moves_a_family_with_its_children(world, login):
    family = _family(world["group_a"])
    response = _move(login(world["supervisor"]), family, world["group_b"])
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.group == world["group_b"]
    assert Child.objects.get(family=family).family.group == world["group_b"]


def test_past_attendance_stays_on_the_old_groups_sessions(world, login):
    family = _family(world["group_a"])
    session = f.coaching_session(world["group_a"], timezone.localdate() - datetime.timedelta(days=3))
    Attendance.objects.create(session=session, family=family)
    _move(login(world["admin"]), family, world["group_c"])
    family.refresh_from_db()
    assert family.group == world["group_c"]
    assert session.attendances.filter(family=family).exists()


def test_the_target_must_be_in_scope_and_a_cadre_may_not_move(world, login):
    family = _family(world["group_a"])
    # group_c is in the kabupaten but not the supervisor's kecamatan; group_x another kabupaten.
    assert _move(login(world["supervisor"]), family, world["group_c"]).status_code == 404
    assert _move(login(world["admin"]), family, world["group_x"]).status_code == 404
    assert _move(login(world["cadre_a"]), family, world["group_b"]).status_code == 403
    assert (
        login(world["supervisor"]).post(reverse("families:move", args=[family.pk]), {"to_group": "x"}).status_code
        == 400
    )
    assert Family.objects.get(pk=family.pk).group == world["group_a"]


def test_the_form_offers_only_visible_groups_to_those_who_may_move(world, login):
    family = _family(world["group_a"])
    html = login(world["supervisor"]).get(reverse("families:detail", args=[family.pk])).content.decode()
    assert "BKB Mawar" in html and "BKB Dahlia" not in html and "BKB Garut" not in html
    assert reverse("families:move", args=[family.pk]) in html
    html = login(world["cadre_a"]).get(reverse("families:detail", args=[family.pk])).content.decode()
    assert reverse("families:move", args=[family.pk]) not in html


def test_both_groups_kept_figures_change(world):
    family = _family(world["group_a"])
    month = Month.of(timezone.localdate())
    groups = [world["group_a"].pk, world["group_b"].pk]
    kept.refresh(groups, [month], children=False)
    rows = GroupMonthFigures.objects.filter(group_id__in=groups, month=month.first)
    before = {row.group_id: row.families_members for row in rows}
    assert before == {world["group_a"].pk: 1, world["group_b"].pk: 0}
    services.family_move(family=family, to_group=world["group_b"], by=world["supervisor"])
    assert all(row.stale for row in rows.all())  # both marked by the family's save
    kept.refresh(groups)  # what the worker runs for stale rows
    after = {row.group_id: row.families_members for row in rows.all()}
    assert after == {world["group_a"].pk: 0, world["group_b"].pk: 1}
