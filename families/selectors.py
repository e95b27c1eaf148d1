"""Shaped reads for family pages: the group roster."""

import datetime
from dataclasses import dataclass, field

from families.ages import AgeGroup
from families.models import Child, Family
from families.services import search_families
from groups.models import BkbGroup


@dataclass
class AgeBand:
    value: int
    label: str
    children: list = field(default_factory=list)


def roster(group: BkbGroup, *, on: datetime.date, query: str = "") -> list[AgeBand]:
    """The group's children in the programme on `on`, by age group (one query)."""
    families = search_families(Family.objects.filter(group=group), query)
    children = (
        Child.objects.filter(family__in=families)
        .in_programme_on(on)
        .select_related("family")
        .order_by("birth_date", "name")
    )
    bands = [AgeBand(value, label) for value, label in AgeGroup.choices]
    for child in children:
        child.months = child.age_months(on)
        bands[child.months // 12].children.append(child)
    return bands
