"""Writes to the cadre register that touch several rows.

A role is never deleted when it ends: it gets an end date, so the figures of
a past month still count the cadres who served in it.
"""

import datetime

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from bkb.lib import history
from cadres.models import Cadre, CadreRole, SupervisionVisit, Training
from groups import changes
from groups.models import BkbGroup


def role_end(*, role: CadreRole, on: datetime.date) -> CadreRole:
    """End an open role on `on` (not before the day it started)."""
    if role.ended_on is None:
        role.ended_on = max(on, role.started_on)
        role.save(update_fields=["ended_on"])
    return role


def role_change(*, role: CadreRole, on: datetime.date) -> CadreRole:
    """Save `role` (edited in memory) as a new role from `on`, ending the one it replaces.

    A correction made the day the role started just edits it: no day was
    ever counted with the old value. Call it inside a transaction (cadre_save's).
    """
    old = CadreRole.objects.select_for_update().get(pk=role.pk)
    if old.started_on >= on:
        role.save(update_fields=["role", "age_group"])
        return role
    role_end(role=old, on=on)
    new = CadreRole(cadre_id=role.cadre_id, group_id=role.group_id, role=role.role, age_group=role.age_group)
    new.started_on = on
    new.save()
    return new


def cadre_roles_end(*, cadre: Cadre, on: datetime.date) -> int:
    """A cadre who stops serving keeps her roles as history, each ending on `on`."""
    roles = list(CadreRole.objects.current().filter(cadre=cadre))
    changes.changed({role.group_id for role in roles}, on)
    for role in roles:
        role.ended_on = max(role.started_on, on)
    if not roles:
        return 0
    return bulk_update_with_history(roles, CadreRole, ["ended_on"], custom_historical_attrs=history.request_stamp())


def cadre_save(
    *,
    cadre: Cadre,
    group: BkbGroup,
    on: datetime.date,
    new_roles: list[CadreRole] = (),
    changed_roles: list[CadreRole] = (),
    removed_roles: list[CadreRole] = (),
) -> Cadre:
    """Save a cadre (new or edited in memory) and her roles in `group`, as of `on`.

    A cadre entered into the register with her roles served from the day she
    joined; a role added to a cadre already on record starts on `on`. A changed
    or removed role ends on `on` and stays as history; a cadre no longer active
    ends all her open roles.
    """
    with transaction.atomic():
        new_cadre = cadre.pk is None or not CadreRole.objects.filter(cadre=cadre).exists()
        cadre.save()
        starts_on = min(cadre.date_joined, on) if new_cadre else on
        for role in removed_roles:
            role_end(role=role, on=on)
        for role in changed_roles:
            role_change(role=role, on=on)
        for role in new_roles:
            role.cadre, role.group, role.started_on = cadre, group, starts_on
            role.save()
        if not cadre.active:
            cadre_roles_end(cadre=cadre, on=on)
    return cadre


def training_record(*, cadre: Cadre, kind: str, date: datetime.date, organiser: str = "") -> Training:
    with transaction.atomic():
        return Training.objects.create(cadre=cadre, kind=kind, date=date, organiser=organiser)


def supervision_visit_record(
    *, group: BkbGroup, supervisor, date: datetime.date, findings: str = "", follow_up: str = ""
) -> SupervisionVisit:
    with transaction.atomic():
        return SupervisionVisit.objects.create(
            group=group, supervisor=supervisor, date=date, findings=findings, follow_up=follow_up
        )
