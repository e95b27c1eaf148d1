"""Fetch-and-check for families, children and referrals: 404 outside the user's groups,
403 for a write by someone who only reads."""

from django.shortcuts import get_object_or_404

from cadres.access import can_write_registers, require
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
