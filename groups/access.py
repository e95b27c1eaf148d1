"""Role rules that need nothing but the user, and the area fetch-and-check.

The scope of groups (and all that hangs from them) depends on cadres' roles, so
it lives one app up, in `cadres.access`. Out-of-scope answers 404 (not 403) so
that a URL never confirms that someone else's record exists; in scope but
read-only answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from groups.models import Area


def can_write_registers(user) -> bool:
    """Cadres keep their group's registers; admins may correct them. Supervisors read."""
    return user.is_cadre or user.is_bkb_admin


def can_edit_groups(user) -> bool:
    """Creating a group and changing its data is the admin's."""
    return user.is_bkb_admin


def can_record_supervision(user) -> bool:
    """A supervision visit is the PKB/PLKB's record (or an admin's, for them)."""
    return user.is_supervisor or user.is_bkb_admin


def can_use_admin(user) -> bool:
    """The Django admin is the kabupaten admin's (and the superuser's), in her scope; not a supervisor's or cadre's.

    Decided by role, not by Django's per-model permission table, so that no forgotten checkbox opens it wider.
    """
    return user.is_active and user.is_staff and user.is_bkb_admin


def can_move_families(user) -> bool:
    """Moving a family to another group is for those who oversee several groups."""
    return user.is_supervisor or user.is_bkb_admin


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def get_area_for(user, pk) -> Area:
    return get_object_or_404(Area.objects.visible_to(user).select_related("parent"), pk=pk)
