"""Issue 13's weights for a group of 45 children: first cadre page <= 80 KB, later pages <= 10 KB,
the offline working set <= 600 KB, on the wire (bench/weights.py counts; `make bench` reports)."""

import datetime

import pytest
from django.utils import timezone

from bench.weights import FIRST_LOAD_BUDGET, LATER_PAGE_BUDGET, WORKING_SET_BUDGET, cadre_weights
from bkb.lib.ages import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_of_45(world, reference_data):
    """35 families, 45 children of every age, each with a KKA check and two measurements; a session."""
    group = world["group_a"]
    today = timezone.localdate()
    n = 0
    for k in range(35):
        family = f.family(group, mother_name=f"Ibu Nur Hasanah {k}", address=f"Kp. Sukamaju RT 0{k % 9 + 1}")
        for _child in range(2 if k < 10 else 1):
            born = add_months(today, -(3 + (n * 7) % 68)) - datetime.timedelta(days=4)
            child = f.child(family, born, name=f"Muhammad Rizki Pratama {n}")
            f.kka_check(child, max(born, today - datetime.timedelta(days=40)))
            for months_ago in (2, 1):
                day = add_months(today, -months_ago)
                if day > born:
                    f.measurement(child, day, weight_kg="9.5", height_cm="76.0", position="lying")
            n += 1
    f.coaching_session(group, today, age_groups=(0, 1, 2, 3, 4, 5))
    assert n == 45
    return group


def test_a_cadres_phone_stays_within_its_budgets(world, login, group_of_45):
    weights = cadre_weights(login(world["cadre_a"]), group_of_45)
    assert weights["first_load"] <= FIRST_LOAD_BUDGET, weights
    assert weights["later_max"] <= LATER_PAGE_BUDGET, weights
    assert weights["working_set"] <= WORKING_SET_BUDGET, weights
    # 6 group pages, 35 families x 2, 45 children x 3, the session x 2, two shared pages.
    assert weights["pages"] == 6 + 35 * 2 + 45 * 3 + 2 + 2
