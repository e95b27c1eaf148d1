"""Roster flags: KKA status, latest growth problems, seen this month; the "perlu perhatian" filter."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from sessions.models import Attendance, HomeVisit
from sessions.selectors import roster
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
MONTH_START = TODAY.replace(day=1)


@pytest.fixture
def task(world):
    return f.kka_instrument([("A", 0, 3, "motorik_kasar")]).milestones.get()


def by_name(group, on=TODAY, **kwargs):
    return {c.name: c for band in roster(group, on=on, **kwargs).bands for c in band.children}


def test_kka_status_growth_flags_and_seen(world, task):
    family = f.family(world["group_a"])
    on_track = f.child(family, add_months(TODAY, -2), name="Dua")
    owed = f.child(family, add_months(TODAY, -7), name="Tujuh")
    refer = f.child(family, add_months(TODAY, -10), name="Sepuluh")
    never = f.child(family, add_months(TODAY, -20), name="Baru")
    f.milestone_record(on_track, task, TODAY)
    f.kka_check(on_track, TODAY)
    f.kka_check(owed, owed.birth_date)
    f.kka_check(refer, refer.birth_date)
    f.measurement(never, TODAY, haz=0, waz=0, whz=0)
    # Latest measurement counts, not the earlier (stunted) one.
    f.measurement(owed, TODAY - 60 * DAY, haz=-2.5, waz=-1, whz=0)
    f.measurement(owed, TODAY - 40 * DAY, haz=-1.5, waz=-2.1, whz=-3.2)
    f.measurement(refer, TODAY - 60 * DAY, haz=-3.5, waz=-0.5, whz=0.2)
    f.measurement(refer, TODAY + DAY, haz=0, waz=0, whz=0)  # after the day: ignored

    children = by_name(world["group_a"])
    assert children["Dua"].kka_status == "sesuai"
    assert children["Tujuh"].kka_status == "terhutang"
    assert children["Sepuluh"].kka_status == "perlu_rujukan"
    # Never checked: not yet assessed, owing nothing, not a child needing attention.
    assert children["Baru"].kka_status == "belum_dinilai" and str(children["Baru"].kka_label) == "Belum dinilai"
    assert "Baru" not in by_name(world["group_a"], attention=True)
    assert [str(x) for x in children["Dua"].growth_flags] == []
    assert [str(x) for x in children["Tujuh"].growth_flags] == ["BB kurang", "Gizi buruk"]
    assert [str(x) for x in children["Sepuluh"].growth_flags] == ["Sangat pendek"]
    # A KKA check today counts as seen; the others were not seen this month.
    assert children["Dua"].seen_this_month is True
    assert children["Tujuh"].seen_this_month is False
    assert children["Sepuluh"].kka_referred is False


@pytest.mark.parametrize("how", ["attended", "family_attended", "measured", "checked", "visited"])
def test_each_way_of_being_seen_this_month(world, task, how):
    family = f.family(world["group_a"])
    child = f.child(family, add_months(TODAY, -20), name="Anak")
    f.child(family, add_months(TODAY, -40), name="Kakak")
    last_month = MONTH_START - DAY
    # Last month's contacts never count.
    f.measurement(child, last_month)
    HomeVisit.objects.create(family=family, date=last_month)
    old = f.coaching_session(world["group_a"], last_month)
    Attendance.objects.create(session=old, family=family, child=child)
    if how == "attended":
        Attendance.objects.create(session=f.coaching_session(world["group_a"], TODAY), family=family, child=child)
    elif how == "family_attended":
        Attendance.objects.create(session=f.coaching_session(world["group_a"], TODAY), family=family)
    elif how == "measured":
        f.measurement(child, MONTH_START)
    elif how == "checked":
        f.kka_check(child, MONTH_START)
    elif how == "visited":
        HomeVisit.objects.create(family=family, date=TODAY)
    children = by_name(world["group_a"])
    assert children["Anak"].seen_this_month is True
    # A family visit or a family-level attendance covers the sibling; the rest are the child's own.
    assert children["Kakak"].seen_this_month is (how in ("family_attended", "visited"))


def test_a_mark_typed_in_this_month_is_not_a_check(world, task):
    # Typing old marks into the card is not seeing the child; the check is the event.
    child = f.child(f.family(world["group_a"]), add_months(TODAY, -20), name="Anak")
    f.kka_check(child, MONTH_START - DAY)
    f.milestone_record(child, task, TODAY)
    assert by_name(world["group_a"])["Anak"].seen_this_month is False


def test_perlu_perhatian_keeps_only_children_needing_attention(world, task, login):
    family = f.family(world["group_a"])
    fine = f.child(family, add_months(TODAY, -2), name="Baik")
    f.milestone_record(fine, task, TODAY)
    f.kka_check(fine, TODAY)
    f.measurement(fine, TODAY, haz=0, waz=0, whz=0)
    stunted = f.child(family, add_months(TODAY, -2), name="Pendek")
    f.milestone_record(stunted, task, TODAY)
    f.kka_check(stunted, TODAY)
    f.measurement(stunted, TODAY, haz=-2.4, waz=0, whz=0)
    owed = f.child(family, add_months(TODAY, -7), name="Terhutang")
    f.measurement(owed, TODAY, haz=0, waz=0, whz=0)
    f.kka_check(owed, owed.birth_date)
    unseen = f.child(family, add_months(TODAY, -2), name="Belum")
    f.milestone_record(unseen, task, TODAY - 40 * DAY)
    f.kka_check(unseen, MONTH_START - DAY)  # last month's check
    assert set(by_name(world["group_a"], attention=True)) == {"Pendek", "Terhutang", "Belum"}

    client = login(world["cadre_a"])
    url = reverse("sessions:roster", args=[world["group_a"].pk])
    html = client.get(url, {"perhatian": "1"}).content.decode()
    assert "Baik" not in html and "Pendek" in html and "Terhutang (pantau" in html
    assert "belum ditemui bulan ini" in html
    partial = client.get(url, {"perhatian": "1", "q": "Pen"}, headers={"X-Partial": "1"}).content.decode()
    # Search finds families, so the whole family shows, still filtered to those needing attention.
    assert "<html" not in partial and "Pendek" in partial and "Baik" not in partial
    full = client.get(url).content.decode()
    assert "Baik" in full and reverse("families:child_detail", args=[fine.pk]) in full


def test_refer_without_open_referral_is_flagged(world, task, login):
    child = f.child(f.family(world["group_a"]), add_months(TODAY, -10), name="Rujuk")
    f.kka_check(child, child.birth_date)
    url = reverse("sessions:roster", args=[world["group_a"].pk])
    assert 'data-flag="belum-dirujuk"' in login(world["cadre_a"]).get(url).content.decode()
    child.referrals.create(date=TODAY, referred_to="Puskesmas")
    assert 'data-flag="belum-dirujuk"' not in login(world["cadre_a"]).get(url).content.decode()


def test_roster_query_count_does_not_grow_with_children(world, login, task):
    client = login(world["cadre_a"])
    url = reverse("sessions:roster", args=[world["group_a"].pk])
    session = f.coaching_session(world["group_a"], TODAY)
    counts = []
    made = 0
    for total in (10, 200):
        while made < total:
            family = f.family(world["group_a"])
            child = f.child(family, TODAY - (made * 9 + 1) * DAY)
            f.measurement(child, TODAY, haz=-2.5 if made % 3 else 0, waz=-1, whz=0)
            if made % 2:
                f.milestone_record(child, task, TODAY)
                Attendance.objects.create(session=session, family=family, child=child)
            made += 1
        client.get(url)  # the first view after the writes refreshes the kept status
        for params in ({}, {"perhatian": "1"}):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params)
            assert response.status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert max(counts) <= 7, counts
