"""Fetch-and-check helpers: the object if the user may see it, else 404.

Out-of-scope answers 404 (not 403) so that a URL never confirms that
someone else's record exists. In scope but read-only answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from groups.models import Area, BkbGroup


def can_write_registers(user) -> bool:
    """Cadres keep their group's registers; admins may correct them. Supervisors read."""
    return user.is_cadre or user.is_bkb_admin


def get_group_for(user, pk, *, write: bool = False) -> BkbGroup:
    group = get_object_or_404(BkbGroup.objects.visible_to(user).select_related("desa__parent"), pk=pk)
    if write and not can_write_registers(user):
        raise PermissionDenied
    return group


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def get_area_for(user, pk) -> Area:
    return get_object_or_404(Area.objects.visible_to(user).select_related("parent"), pk=pk)
