"""Writes to the cadre register that touch several rows.

A role is never deleted when it ends: it gets an end date, so the figures of
a past month still count the cadres who served in it.
"""

import datetime

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from cadres.models import Cadre, CadreRole


def role_end(*, role: CadreRole, on: datetime.date) -> CadreRole:
    """End an open role on `on` (not before the day it started)."""
    if role.ended_on is None:
        role.ended_on = max(on, role.started_on)
        role.save(update_fields=["ended_on"])
    return role


@transaction.atomic
def role_change(*, role: CadreRole, on: datetime.date) -> CadreRole:
    """Save `role` (edited in memory) as a new role from `on`, ending the one it replaces.

    A correction made the day the role started just edits it: no day was
    ever counted with the old value.
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
    return CadreRole.objects.current().filter(cadre=cadre).update(ended_on=Greatest(F("started_on"), Value(on)))
