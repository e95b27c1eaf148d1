"""A group with members in two age groups, for the session tests."""

import datetime

import pytest
from django.utils import timezone

from bkb.lib.ages import add_months
from tests import factories as f


@pytest.fixture
def day():
    """A recent past session date (whatever today is when the tests run)."""
    return timezone.localdate() - datetime.timedelta(days=3)


@pytest.fixture
def members(world, day):
    """Siti's child is 6 months old on `day` (0-1), Ani's 18 months (1-2), Rina has both."""
    group = world["group_a"]
    siti = f.family(group, mother_name="Siti", whatsapp="0812 3456 7890")
    ani = f.family(group, mother_name="Ani", phone="081298765432")
    rina = f.family(group, mother_name="Rina")
    return {
        "siti": siti,
        "ani": ani,
        "rina": rina,
        "siti_child": f.child(siti, add_months(day, -6), name="Bayu"),
        "ani_child": f.child(ani, add_months(day, -18), name="Cici"),
        "rina_baby": f.child(rina, add_months(day, -3), name="Dodi"),
        "rina_toddler": f.child(rina, add_months(day, -30), name="Euis"),
    }


@pytest.fixture
def topic(db):
    return f.topic("Stimulasi uji")
