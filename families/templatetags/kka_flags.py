"""Template filters that ask families.kka's rules of a roster row."""

from django import template

from families.kka import KkaStatus

register = template.Library()


@register.filter
def kka_needs_referral(child) -> bool:
    """For a child annotated by annotate_kka_status: needs referral and not yet referred."""
    return KkaStatus.needs_referral(child.kka_status, child.kka_referred)
