"""Fetch-and-check for families, children and referrals: 404 outside the user's groups,
403 for a write by someone who only reads."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cadres.access import can_write_registers, groups_visible_to, require
from families.models import Child, Family, Referral


def get_family_for(user, pk, *, write: bool = False) -> Family:
    family = get_object_or_404(Family.objects.visible_to(user).select_related("group__desa"), pk=pk)
    if write:
        require(can_write_registers(user))
    return family


def get_child_for(user, pk, *, write: bool = False) -> Child:
    child = get_object_or_404(Child.objects.visible_to(user).select_related("family__group"), pk=pk)
    if write:
        require(can_write_registers(user))
    return child


def get_referral_for(user, pk, *, write: bool = False) -> Referral:
    referral = get_object_or_404(
        Referral.objects.filter(child__in=Child.objects.visible_to(user)).select_related("child"), pk=pk
    )
    if write:
        require(can_write_registers(user))
    return referral


def deleted_families_for(user):
    """Deleted families an admin may restore: the history's delete records in her groups.
    403 for anyone but an admin (or superuser)."""
    require(user.is_bkb_admin)
    return Family.history.filter(history_type="-", group__in=groups_visible_to(user)).exclude(
        id__in=Family.objects.values("id")
    )


def get_deleted_family_for(user, pk):
    """The delete record of family `pk`: 403 for a non-admin, 404 outside her groups or if it is not deleted."""
    record = deleted_families_for(user).filter(id=pk).order_by("-history_date").first()
    if record is None:
        raise Http404
    return record
