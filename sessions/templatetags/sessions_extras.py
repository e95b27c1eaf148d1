from django import template

from bkb.lib.ages import AgeGroup

register = template.Library()


@register.filter
def age_group_labels(values) -> str:
    """[0, 2] -> "0-1 tahun, 2-3 tahun" (CoachingSession.age_groups is a plain list)."""
    return ", ".join(str(AgeGroup(v).label) for v in sorted(values or []) if v in AgeGroup.values)
