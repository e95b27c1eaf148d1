"""KKA status rules (belum dinilai until a first check, owed at band end + 3 months, refer when
the three-month watch ends, sudah dirujuk), their SQL twin, and the KKA page."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bkb.lib.ages import add_months, age_in_months
from families import kka
from families.models import Child, KkaCheck, Milestone, MilestoneRecord, MilestoneRecordRemoval, Referral
from sessions.services import kka_check_save
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 15)
DAY = datetime.timedelta(days=1)


def sql_status(child, on):
    return kka.annotate_kka_status(Child.objects.filter(pk=child.pk), on).get().kka_status


def status(child, on):
    """Both computations, which must agree (on the referral flag too)."""
    card = kka.child_card(child, on)
    row = kka.annotate_kka_status(Child.objects.filter(pk=child.pk), on).get()
    assert (row.kka_status, row.kka_status == kka.KkaStatus.PERLU_RUJUKAN and row.kka_referred) == (
        card.status,
        card.referred,
    )
    return card.status


def checked(child, day=None):
    """A first check long ago (at birth): the age rules alone then decide."""
    return f.kka_check(child, day or child.birth_date)


@pytest.fixture
def one_task(world):
    """An instrument with one task expected by the end of month 3."""
    instrument = f.kka_instrument([("A1", 0, 3, "motorik_kasar")])
    return instrument.milestones.get()


# --- the age threshold the SQL relies on ------------------------------------


@pytest.mark.parametrize(
    "on",
    [
        datetime.date(2024, 2, 29),
        datetime.date(2024, 3, 31),
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 29),
        datetime.date(2025, 3, 30),
        datetime.date(2025, 3, 31),
        datetime.date(2025, 4, 30),
        datetime.date(2025, 5, 31),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 1),
        ON,
    ],
)
def test_age_threshold_equivalence_holds_at_month_ends(on):
    # age_in_months(born, on) >= n  <=>  born <= add_months(on, -n), for every
    # birth date over the last two years and more, including 29-31sts.
    born = on - datetime.timedelta(days=800)
    while born <= on + 3 * DAY:
        months = age_in_months(born, on)
        for n in range(0, 27):
            assert (months >= n) == (born <= add_months(on, -n)), (born, on, n)
        born += DAY


def test_age_in_sql_matches_python_at_edges(world):
    family = f.family(world["group_a"])
    births = [
        datetime.date(2024, 1, 31),
        datetime.date(2024, 2, 29),
        datetime.date(2025, 8, 31),
        datetime.date(2025, 9, 30),
        add_months(ON, -6),
        add_months(ON, -6) + DAY,
        ON,
    ]
    for on in (ON, datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)):
        children = [f.child(family, born) for born in births if born <= on]
        ages = dict(
            Child.objects.filter(pk__in=[c.pk for c in children])
            .annotate(age=kka.age_months_expression(on))
            .values_list("pk", "age")
        )
        assert ages == {c.pk: age_in_months(c.birth_date, on) for c in children}
        Child.objects.filter(pk__in=[c.pk for c in children]).delete()


# --- the rule at its edges --------------------------------------------------


@pytest.mark.parametrize("on", [ON, datetime.date(2026, 2, 28), datetime.date(2026, 3, 31), datetime.date(2028, 2, 29)])
def test_task_is_owed_at_exactly_band_end_plus_three_months(world, one_task, on):
    family = f.family(world["group_a"])
    exactly = f.child(family, add_months(on, -6))
    day_short = f.child(family, add_months(on, -6) + DAY)
    checked(exactly), checked(day_short)
    assert age_in_months(exactly.birth_date, on) == 6
    assert status(exactly, on) == kka.KkaStatus.TERHUTANG
    assert status(day_short, on) == kka.KkaStatus.SESUAI


@pytest.mark.parametrize("on", [ON, datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)])
def test_task_needs_referral_at_exactly_band_end_plus_six_months(world, one_task, on):
    family = f.family(world["group_a"])
    exactly = f.child(family, add_months(on, -9))
    day_short = f.child(family, add_months(on, -9) + DAY)
    checked(exactly), checked(day_short)
    assert status(exactly, on) == kka.KkaStatus.PERLU_RUJUKAN
    assert status(day_short, on) == kka.KkaStatus.TERHUTANG


def test_marking_the_task_clears_it(world, one_task):
    child = f.child(f.family(world["group_a"]), add_months(ON, -12))
    checked(child)
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN
    f.milestone_record(child, one_task, ON)
    assert status(child, ON) == kka.KkaStatus.SESUAI


def test_a_mark_dated_after_the_day_does_not_count(world, one_task):
    child = f.child(f.family(world["group_a"]), add_months(ON, -7))
    checked(child)
    f.milestone_record(child, one_task, ON + DAY)
    assert status(child, ON) == kka.KkaStatus.TERHUTANG
    assert status(child, ON + DAY) == kka.KkaStatus.SESUAI


def test_refer_wins_over_owed_and_future_bands_are_not_owed(world):
    f.kka_instrument(
        [
            ("A", 0, 3, "motorik_kasar"),
            ("B", 3, 6, "motorik_halus"),
            ("C", 6, 9, "kecerdasan"),
            ("D", 12, 18, "kecerdasan"),
        ]
    )
    child = f.child(f.family(world["group_a"]), add_months(ON, -10))  # A refer, B owed, C not yet
    checked(child)
    card = kka.child_card(child, ON)
    assert {i.milestone.code: i.status for i in card.items} == {
        "A": kka.ItemStatus.REFER,
        "B": kka.ItemStatus.OWED,
        "C": kka.ItemStatus.NOT_YET,
    }
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN


def test_only_the_active_instrument_counts(world, one_task):
    other = f.kka_instrument([("X", 0, 3, "motorik_kasar")], active=False)
    child = f.child(f.family(world["group_a"]), add_months(ON, -12))
    checked(child)
    f.milestone_record(child, one_task, ON)
    assert status(child, ON) == kka.KkaStatus.SESUAI
    f.kka_instrument([], active=False)  # a third, inactive, changes nothing
    assert not other.active


def test_sql_and_python_agree_on_many_random_children(world):
    f.kka_instrument([(f"M{i}", s, e, "kecerdasan") for i, (s, e) in enumerate([(0, 3), (3, 6), (6, 12), (12, 24)])])
    milestones = list(Milestone.objects.filter(instrument__active=True))
    family = f.family(world["group_a"])
    rng = random.Random(7)
    children = []
    for _ in range(80):
        child = f.child(family, ON - datetime.timedelta(days=rng.randint(0, 1100)))
        for milestone in milestones:
            if rng.random() < 0.4:
                f.milestone_record(child, milestone, ON + datetime.timedelta(days=rng.randint(-300, 20)))
        # Never checked, checked long ago, checked lately (watch running), checked after ON.
        for _check in range(rng.choice([0, 1, 1, 2])):
            day = ON - datetime.timedelta(days=rng.choice([rng.randint(0, 120), rng.randint(-20, 400)]))
            if not child.kka_checks.filter(date=day).exists():
                f.kka_check(child, day)
        # Referrals: none, open, closed, made before or after the tasks fell due.
        for _referral in range(rng.choice([0, 0, 1, 2])):
            day = ON - datetime.timedelta(days=rng.randint(-10, 300))
            closed = day + datetime.timedelta(days=rng.randint(0, 60)) if rng.random() < 0.6 else None
            Referral.objects.create(child=child, date=day, referred_to="Bidan", closed_on=closed, outcome="x")
        children.append(child)
    rows = kka.annotate_kka_status(Child.objects.filter(family=family), ON).values_list(
        "pk", "kka_status", "kka_referred"
    )
    sql = {pk: (state, state == kka.KkaStatus.PERLU_RUJUKAN and referred) for pk, state, referred in rows}
    python = {}
    for c in children:
        card = kka.child_card(c, ON)
        python[c.pk] = (card.status, card.referred)
    assert sql == python
    assert {state for state, _referred in sql.values()} == {
        kka.KkaStatus.BELUM_DINILAI,
        kka.KkaStatus.SESUAI,
        kka.KkaStatus.TERHUTANG,
        kka.KkaStatus.PERLU_RUJUKAN,
    }
    assert {referred for state, referred in sql.values() if state == kka.KkaStatus.PERLU_RUJUKAN} == {True, False}


def test_annotation_adds_no_query(world, one_task, django_assert_num_queries):
    family = f.family(world["group_a"])
    for months in range(0, 40, 2):
        f.child(family, add_months(ON, -months))
    queryset = kka.annotate_kka_status(Child.objects.filter(family=family), ON)
    with django_assert_num_queries(1):
        assert len(list(queryset)) == 20


def test_no_active_instrument_means_not_assessed(world, one_task):
    child = f.child(f.family(world["group_a"]), add_months(ON, -20))
    checked(child)
    one_task.instrument.active = False
    one_task.instrument.save()
    assert status(child, ON) == kka.KkaStatus.BELUM_DINILAI


# --- belum dinilai and the watch that starts at the first check -------------


@pytest.fixture
def bands_to_12(world):
    """Tasks of the 0-3, 3-6, 6-9 and 9-12 month bands, and one of 12-18."""
    instrument = f.kka_instrument(
        [
            ("A", 0, 3, "motorik_kasar"),
            ("B", 3, 6, "motorik_halus"),
            ("C", 6, 9, "kecerdasan"),
            ("D", 9, 12, "komunikasi_aktif"),
            ("E", 12, 18, "kecerdasan"),
        ]
    )
    return {m.code: m for m in instrument.milestones.all()}


def test_a_child_never_checked_is_not_yet_assessed_and_owes_nothing(world, bands_to_12):
    child = f.child(f.family(world["group_a"]), add_months(ON, -20))
    assert status(child, ON) == kka.KkaStatus.BELUM_DINILAI
    card = kka.child_card(child, ON)
    assert not card.assessed and card.refer_count == card.owed_count == 0 and not card.needs_referral
    # A check dated after the day judged does not count yet.
    f.kka_check(child, ON + DAY)
    assert status(child, ON) == kka.KkaStatus.BELUM_DINILAI


def test_first_check_at_20_months_starts_the_watch_that_day(world, bands_to_12):
    first = add_months(ON, -3)  # the first check, at exactly 20 months
    child = f.child(f.family(world["group_a"]), add_months(first, -20))
    for code in "ABC":
        f.milestone_record(child, bands_to_12[code], first)
    f.kka_check(child, first)
    # D (9-12) is 8 months past its band end, E (12-18) not yet owed at 20 months.
    assert status(child, first) == kka.KkaStatus.TERHUTANG
    card = kka.child_card(child, first)
    assert {i.milestone.code: i.status for i in card.items}["D"] == kka.ItemStatus.OWED
    # The watch is three months from the first check: the day before, still owed.
    assert status(child, ON - DAY) == kka.KkaStatus.TERHUTANG
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN
    assert kka.child_card(child, ON).needs_referral


def test_the_watch_counts_completed_months_at_month_ends(world, bands_to_12):
    first = datetime.date(2026, 11, 30)
    child = f.child(f.family(world["group_a"]), datetime.date(2025, 3, 5))  # 20 months on 30 November
    for code in "ABC":
        f.milestone_record(child, bands_to_12[code], first)
    f.kka_check(child, first)
    assert status(child, datetime.date(2027, 2, 28)) == kka.KkaStatus.TERHUTANG
    assert status(child, datetime.date(2027, 3, 1)) == kka.KkaStatus.PERLU_RUJUKAN


def test_a_task_done_during_the_watch_ends_it(world, bands_to_12):
    first = add_months(ON, -3)
    child = f.child(f.family(world["group_a"]), add_months(first, -20))
    for code in "ABC":
        f.milestone_record(child, bands_to_12[code], first)
    f.kka_check(child, first)
    f.milestone_record(child, bands_to_12["D"], first + 30 * DAY)
    assert status(child, first + 29 * DAY) == kka.KkaStatus.TERHUTANG
    assert status(child, first + 30 * DAY) == kka.KkaStatus.SESUAI
    # When the watch would have ended: no referral; only E (12-18), owed since 21 months.
    assert status(child, ON) == kka.KkaStatus.TERHUTANG
    items = {i.milestone.code: i.status for i in kka.child_card(child, ON).items}
    assert items["D"] == kka.ItemStatus.DONE and items["E"] == kka.ItemStatus.OWED


def test_a_task_owed_after_the_first_check_keeps_the_band_watch(world, bands_to_12):
    # First checked at 10 months with everything done that was due; E (12-18)
    # falls owed at 21 months and needs referral at 24, as before.
    child = f.child(f.family(world["group_a"]), add_months(ON, -24))
    for code in "ABCD":
        f.milestone_record(child, bands_to_12[code], add_months(child.birth_date, 9))
    f.kka_check(child, add_months(child.birth_date, 10))
    assert status(child, add_months(child.birth_date, 21) - DAY) == kka.KkaStatus.SESUAI
    assert status(child, add_months(child.birth_date, 21)) == kka.KkaStatus.TERHUTANG
    assert status(child, ON - DAY) == kka.KkaStatus.TERHUTANG
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN


def test_watch_from_the_band_when_the_first_check_is_earlier(world, bands_to_12):
    # First check 2 months before D is owed: the watch starts at band end + 3.
    child = f.child(f.family(world["group_a"]), add_months(ON, -18))
    for code in "ABC":
        f.milestone_record(child, bands_to_12[code], add_months(child.birth_date, 9))
    f.kka_check(child, add_months(child.birth_date, 13))
    assert status(child, add_months(child.birth_date, 15)) == kka.KkaStatus.TERHUTANG
    assert status(child, ON - DAY) == kka.KkaStatus.TERHUTANG
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN


# --- sudah dirujuk ------------------------------------------------------------


def test_a_closed_referral_covers_its_tasks_until_a_new_one_falls_due(world, bands_to_12):
    # Referred 10 September 2026 for D (9-12), closed on 30 September with an outcome.
    child = f.child(f.family(world["group_a"]), datetime.date(2025, 3, 5))
    checked(child)
    for code in "ABC":
        f.milestone_record(child, bands_to_12[code], datetime.date(2025, 11, 1))
    f.milestone_record(child, bands_to_12["E"], datetime.date(2026, 8, 1))
    sept, october = datetime.date(2026, 9, 30), datetime.date(2026, 10, 31)
    assert status(child, datetime.date(2026, 9, 9)) == kka.KkaStatus.PERLU_RUJUKAN
    assert kka.child_card(child, datetime.date(2026, 9, 9)).needs_referral
    Referral.objects.create(
        child=child, date=datetime.date(2026, 9, 10), referred_to="Puskesmas", closed_on=sept, outcome="Stimulasi"
    )
    for day in (sept, october):
        assert status(child, day) == kka.KkaStatus.PERLU_RUJUKAN
        card = kka.child_card(child, day)
        assert card.referred and not card.needs_referral
        assert card.shown_status == kka.KkaStatus.SUDAH_DIRUJUK
    # E's mark removed: E (12-18) fell due for referral at 24 months, March
    # 2027, after the referral: the child needs referral again.
    MilestoneRecord.objects.filter(child=child, milestone=bands_to_12["E"]).delete()
    assert status(child, datetime.date(2027, 3, 4)) == kka.KkaStatus.PERLU_RUJUKAN
    assert kka.child_card(child, datetime.date(2027, 3, 4)).referred
    assert status(child, datetime.date(2027, 3, 5)) == kka.KkaStatus.PERLU_RUJUKAN
    assert not kka.child_card(child, datetime.date(2027, 3, 5)).referred


def test_an_open_referral_covers_everything_and_a_later_one_does_not_count_yet(world, bands_to_12):
    child = f.child(f.family(world["group_a"]), add_months(ON, -20))
    checked(child)
    Referral.objects.create(child=child, date=ON + DAY, referred_to="Bidan")
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN
    assert kka.child_card(child, ON).needs_referral
    assert status(child, ON + DAY) == kka.KkaStatus.PERLU_RUJUKAN
    assert kka.child_card(child, ON + DAY).referred


# --- checks are per instrument ----------------------------------------------


def test_switching_instrument_makes_children_not_yet_assessed(world, bands_to_12):
    from families.instruments import instrument_activate

    child = f.child(f.family(world["group_a"]), add_months(ON, -20))
    checked(child)
    assert status(child, ON) == kka.KkaStatus.PERLU_RUJUKAN
    other = f.kka_instrument([("X", 0, 3, "motorik_kasar")], active=False)
    assert kka.children_to_reassess(other, ON) == 1
    instrument_activate(other)
    assert status(child, ON) == kka.KkaStatus.BELUM_DINILAI
    f.kka_check(child, ON, instrument=other)
    assert status(child, ON) == kka.KkaStatus.TERHUTANG
    assert kka.children_to_reassess(other, ON) == 0


# --- saving a check -------------------------------------------------------------


def test_check_save_creates_redates_removes_and_links_the_session(world):
    instrument = f.kka_instrument(
        [("A", 0, 3, "motorik_kasar"), ("B", 0, 3, "motorik_halus"), ("C", 3, 6, "kecerdasan"), ("D", 3, 6, "x")]
    )
    a, b, c, d = instrument.milestones.order_by("code")
    child = f.child(f.family(world["group_a"]), add_months(ON, -8))
    session = f.coaching_session(world["group_a"], ON - 2 * DAY)
    today_session = f.coaching_session(world["group_a"], ON)
    f.coaching_session(world["group_b"], ON - 3 * DAY)  # another group's session that day: not linked
    f.milestone_record(child, b, ON - 40 * DAY)
    f.milestone_record(child, c, ON - 40 * DAY)
    f.milestone_record(child, d, ON - 40 * DAY)

    changed = kka_check_save(
        child=child,
        instrument=instrument,
        on=ON,
        marks={a.pk: ON - 2 * DAY, c.pk: ON - 3 * DAY},
        removals={b.pk},
        user=world["cadre_a"],
    )
    assert changed == 3
    records = {r.milestone.code: r for r in child.milestone_records.select_related("milestone")}
    assert set(records) == {"A", "C", "D"}  # D was not named: left alone
    assert records["A"].session == session and records["A"].recorded_by == world["cadre_a"]
    assert records["C"].achieved_on == ON - 3 * DAY and records["C"].session is None
    removal = MilestoneRecordRemoval.objects.get()
    assert (removal.child, removal.milestone, removal.achieved_on, removal.removed_by) == (
        child,
        b,
        ON - 40 * DAY,
        world["cadre_a"],
    )
    check = KkaCheck.objects.get()
    assert (check.child, check.instrument, check.date, check.checked_by, check.session) == (
        child,
        instrument,
        ON,
        world["cadre_a"],
        today_session,
    )
    # A check on the day of a home visit is linked to it.
    from sessions.models import HomeVisit

    visit = HomeVisit.objects.create(family=child.family, date=ON - DAY)
    kka_check_save(child=child, instrument=instrument, on=ON - DAY, marks={}, user=world["cadre_a"])
    assert KkaCheck.objects.get(date=ON - DAY).home_visit == visit
    KkaCheck.objects.filter(date=ON - DAY).delete()
    # A second save the same day is the same check.
    assert kka_check_save(child=child, instrument=instrument, on=ON, marks={}, user=world["cadre_a"]) == 0
    assert KkaCheck.objects.count() == 1


# --- the KKA page -------------------------------------------------------------


def kka_url(child):
    return reverse("sessions:child_kka", args=[child.pk])


@pytest.fixture
def child_7m(world):
    f.kka_instrument(
        [
            ("MK1", 0, 3, "motorik_kasar"),
            ("SO1", 0, 3, "tingkah_laku_sosial"),
            ("KP1", 3, 6, "komunikasi_pasif"),
            ("KC1", 6, 9, "kecerdasan"),
            ("LATER", 12, 18, "kecerdasan"),
        ],
        name="Penanda uji",
    )
    today = datetime.date.today()
    child = f.child(f.family(world["group_a"]), add_months(today, -7))
    checked(child)
    return child


def sections(html):
    """{section key: [task codes]} in page order, with whether it is open."""
    import re

    found = {}
    for key, is_open, body in re.findall(
        r'<details class="kka-section[^"]*" data-section="([^"]+)"( open)?>(.*?)</details>', html, re.S
    ):
        found[key] = (bool(is_open), re.findall(r'data-milestone="([^"]+)"', body))
    return found


def test_page_shows_owed_tasks_and_the_current_band_first_earlier_bands_folded(world, login, child_7m):
    f.milestone_record(child_7m, Milestone.objects.get(code="SO1"), datetime.date.today() - 30 * DAY)
    response = login(world["cadre_a"]).get(kka_url(child_7m))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Penanda uji" in html
    assert 'data-kka="terhutang"' in html and "Terhutang (pantau &amp; stimulasi)" in html
    assert list(sections(html).items()) == [
        ("perhatian", (True, ["MK1"])),  # 0-3 owed at 7 months
        ("sekarang", (True, ["KC1"])),
        ("3-6", (False, ["KP1"])),
        ("0-3", (False, ["SO1"])),
    ]
    # Every input has a label; a marked task offers "hapus tanda", not an untick.
    import re

    for input_id in re.findall(r'<input[^>]+type="(?:date|checkbox)"[^>]*id="([^"]+)"', html) + re.findall(
        r'<input[^>]+id="([^"]+)"[^>]*type="(?:date|checkbox)"', html
    ):
        assert f'for="{input_id}"' in html, input_id
    so1 = Milestone.objects.get(code="SO1").pk
    assert f'name="remove_{so1}"' in html and f'name="done_{so1}"' not in html


def test_default_instrument_label_is_shown(world, login):
    child = f.child(f.family(world["group_a"]), datetime.date.today() - datetime.timedelta(days=100))
    response = login(world["cadre_a"]).get(kka_url(child))
    assert "Penanda perkembangan Buku KIA" in response.content.decode()


def _post_data(marks=(), *, removals=()):
    """marks: {code: date or ""}: ticked (new) or re-dated (marked); removals: codes to un-mark."""
    data = {}
    by_code = {m.code: m.pk for m in kka.active_instrument().milestones.all()}
    for code, day in dict(marks).items():
        pk = by_code[code]
        data[f"done_{pk}"] = "on"
        data[f"date_{pk}"] = day.isoformat() if isinstance(day, datetime.date) else day
    for code in removals:
        data[f"remove_{by_code[code]}"] = "on"
    return data


def test_saving_marks_records_a_check_and_leaves_what_the_post_did_not_name(world, login, child_7m):
    client = login(world["cadre_a"])
    today = datetime.date.today()
    response = client.post(kka_url(child_7m), _post_data({"MK1": today - 30 * DAY, "KP1": ""}))
    assert response.status_code == 302
    assert dict(child_7m.milestone_records.values_list("milestone__code", "achieved_on")) == {
        "MK1": today - 30 * DAY,
        "KP1": today,  # no date given: the day of the check
    }
    assert list(child_7m.kka_checks.values_list("date", flat=True)) == [child_7m.birth_date, today]
    # A post naming only SO1 adds SO1 and removes nothing.
    response = client.post(kka_url(child_7m), _post_data({"SO1": today}))
    assert response.status_code == 302
    assert set(child_7m.milestone_records.values_list("milestone__code", flat=True)) == {"MK1", "KP1", "SO1"}
    assert child_7m.kka_checks.count() == 2  # one check a day


def test_an_empty_save_is_a_check_too(world, login, child_7m):
    assert login(world["cadre_a"]).post(kka_url(child_7m), {}).status_code == 302
    assert child_7m.kka_checks.filter(date=datetime.date.today()).exists()


def test_removing_a_mark_is_explicit_and_kept_in_history(world, login, child_7m):
    today = datetime.date.today()
    mk1 = Milestone.objects.get(code="MK1")
    f.milestone_record(child_7m, mk1, today - 60 * DAY)
    response = login(world["cadre_a"]).post(kka_url(child_7m), _post_data(removals=["MK1"]))
    assert response.status_code == 302
    assert not child_7m.milestone_records.exists()
    removal = MilestoneRecordRemoval.objects.get(child=child_7m)
    assert (removal.milestone, removal.achieved_on, removal.removed_by) == (mk1, today - 60 * DAY, world["cadre_a"])


@pytest.mark.parametrize("field", ["done_{}", "date_{}", "remove_{}", "band_0_3"])
def test_an_unknown_or_foreign_task_in_the_post_changes_nothing(world, login, child_7m, field):
    today = datetime.date.today()
    for milestone in Milestone.objects.filter(instrument__active=True).exclude(code="LATER"):
        f.milestone_record(child_7m, milestone, today - 30 * DAY)
    other = f.kka_instrument([("X", 0, 3, "motorik_kasar")], active=False).milestones.get()
    for foreign in (999999, other.pk, Milestone.objects.get(code="LATER").pk):
        response = login(world["cadre_a"]).post(kka_url(child_7m), {field.format(foreign): "on"})
        assert response.status_code == 400
        assert "Isian tidak dikenal" in response.content.decode()
    assert child_7m.milestone_records.count() == 4
    assert child_7m.kka_checks.count() == 1 and not MilestoneRecordRemoval.objects.exists()


@pytest.mark.parametrize("offset, message", [(1, "masa depan"), (-400, "sebelum anak lahir")])
def test_a_future_or_prebirth_date_is_refused_and_nothing_is_saved(world, login, child_7m, offset, message):
    client = login(world["cadre_a"])
    today = datetime.date.today()
    bad = today + offset * DAY
    response = client.post(kka_url(child_7m), _post_data({"MK1": today, "SO1": bad}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert bad.strftime("%d-%m-%Y") in html
    # The first field in error is focused (the browser scrolls to it) and its band opened.
    so1 = Milestone.objects.get(code="SO1").pk
    assert html.count("autofocus") == 1
    import re

    assert re.search(rf'<input[^>]*name="date_{so1}"[^>]*autofocus', html)
    assert not MilestoneRecord.objects.filter(child=child_7m).exists()
    assert child_7m.kka_checks.count() == 1


def test_emptying_the_date_of_a_mark_is_refused(world, login, child_7m):
    mk1 = Milestone.objects.get(code="MK1")
    f.milestone_record(child_7m, mk1, datetime.date.today() - 30 * DAY)
    response = login(world["cadre_a"]).post(kka_url(child_7m), {f"date_{mk1.pk}": ""})
    assert response.status_code == 400
    assert "Isi tanggal" in response.content.decode()
    assert child_7m.milestone_records.count() == 1


def test_first_check_page_offers_bands_with_the_whole_band_shortcut(world, login):
    f.kka_instrument(
        [
            ("A1", 0, 3, "motorik_kasar"),
            ("A2", 0, 3, "kecerdasan"),
            ("B1", 3, 6, "motorik_halus"),
            ("C1", 6, 9, "kecerdasan"),
            ("D1", 9, 12, "komunikasi_aktif"),
            ("E1", 12, 18, "kecerdasan"),
        ]
    )
    today = datetime.date.today()
    child = f.child(f.family(world["group_a"]), add_months(today, -20))
    client = login(world["cadre_a"])
    html = client.get(kka_url(child)).content.decode()
    assert 'data-kka="belum_dinilai"' in html and "Pemeriksaan KKA pertama" in html
    assert list(sections(html)) == ["0-3", "3-6", "6-9", "9-12", "12-18"]
    assert 'name="band_0_3"' in html
    b1 = Milestone.objects.get(code="B1").pk
    data = {"band_0_3": "on", f"done_{b1}": "on", f"date_{b1}": (today - 400 * DAY).isoformat(), "band_6_9": "on"}
    assert client.post(kka_url(child), data).status_code == 302
    assert dict(child.milestone_records.values_list("milestone__code", "achieved_on")) == {
        "A1": today,
        "A2": today,
        "B1": today - 400 * DAY,
        "C1": today,
    }
    assert list(child.kka_checks.values_list("date", flat=True)) == [today]
    # D1 (9-12) is owed, not yet to refer: the watch starts today.
    assert kka.child_card(child, today).status == kka.KkaStatus.TERHUTANG
    html = client.get(kka_url(child)).content.decode()
    assert 'data-kka="terhutang"' in html and 'name="band_0_3"' not in html


def test_supervisor_reads_but_cannot_save_and_others_get_404(world, login, child_7m):
    data = _post_data({"MK1": datetime.date.today()})
    supervisor = login(world["supervisor"])
    assert supervisor.get(kka_url(child_7m)).status_code == 200
    assert supervisor.post(kka_url(child_7m), data).status_code == 403
    for person in ("cadre_b", "outsider"):
        assert login(world[person]).get(kka_url(child_7m)).status_code == 404
        assert login(world[person]).post(kka_url(child_7m), data).status_code == 404
    assert login(world["admin"]).post(kka_url(child_7m), data).status_code == 302
    assert not login(world["cadre_a"]).get(reverse("sessions:child_kka", args=[999999])).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_kka_page_query_count_is_fixed(world, login, method):
    today = datetime.date.today()
    aspects = ["motorik_kasar", "motorik_halus", "kecerdasan", "tingkah_laku_sosial"]
    instrument = f.kka_instrument([(f"T{i:03d}", 0, 3, aspects[i % 4]) for i in range(200)])
    milestones = list(instrument.milestones.order_by("code"))
    counts = []
    client = login(world["cadre_a"])
    f.coaching_session(world["group_a"], today)
    for n in (10, 200):
        child = f.child(f.family(world["group_a"]), add_months(today, -30))
        checked(child)
        for milestone in milestones[:n]:
            f.milestone_record(child, milestone, today - 100 * DAY)
        if method == "get":
            with CaptureQueriesContext(connection) as queries:
                assert client.get(kka_url(child)).status_code == 200
        else:
            # Re-date every existing mark and add the rest: n updates, 200 - n creates.
            data = {}
            for milestone in milestones[:n]:
                data[f"date_{milestone.pk}"] = today.isoformat()
            for milestone in milestones[n:]:
                data[f"done_{milestone.pk}"] = "on"
                data[f"date_{milestone.pk}"] = today.isoformat()
            with CaptureQueriesContext(connection) as queries:
                assert client.post(kka_url(child), data).status_code == 302
            assert child.milestone_records.filter(achieved_on=today).count() == 200
        counts.append(len(queries))
    # Session, auth, child, instrument, checks, items, marks, referrals (+ on
    # POST: the sessions of those dates, one insert/update each, the check,
    # savepoints, the message, and marking the group's kept figures stale: groups.changes;
    # the change history: the new marks and the check read back, three history inserts).
    assert max(counts) <= 26, counts
    if method == "get":
        assert counts[0] == counts[1], counts


def test_a_date_typed_beside_an_unticked_task_marks_it(world, login, child_7m):
    client = login(world["cadre_a"])
    today = datetime.date.today()
    pk = kka.active_instrument().milestones.get(code="SO1").pk
    response = client.post(kka_url(child_7m), {f"date_{pk}": (today - 3 * DAY).isoformat()})
    assert response.status_code == 302
    assert dict(child_7m.milestone_records.values_list("milestone__code", "achieved_on")) == {"SO1": today - 3 * DAY}
