"""KKA (*Kartu Kembang Anak*) status rules: not yet assessed, on track, owed, refer.

The rule, as a cadre and a health worker read it:

- *Belum dinilai* (not yet assessed): no KKA check of the child is recorded
  on the instrument in use (a KkaCheck dated by the day we judge, `on`).
  Nothing is owed and nobody is referred before someone has looked: a
  newly registered child, or every child just after the admin switched
  instruments, is *belum dinilai* until its first check.
- A developmental task is expected by the end of its age band
  (band_end_month). "Done" means a mark (MilestoneRecord) dated on or before
  `on`; a mark dated later does not count yet.
- Not done three completed months after its band end, an assessed child
  *owes* the task (*terhutang*): watch and stimulate for three months.
- The three-month watch starts at the LATER of "band end + 3 months" and the
  child's first check on the instrument (the check that found the task
  owed, for a task already owed then). Still not done when the watch ends,
  the child *perlu rujukan* (needs referral). So a task needs referral when
  both hold: the child is band end + 6 completed months old, and three
  completed months have passed since the first check (counted like an age:
  a check on 30 November has run three months on 1 March, not 28 February).
  A child first checked at 20 months with a 9-12 month task not done owes
  it from that day and needs referral three months later, not at once.
- After the first check, a task that falls owed later is watched from its
  band end + 3 months, as the card has been looked at since: no new check
  is needed for it to count.
- *Sudah dirujuk* (already referred): a child who needs referral and has a
  referral that is still open on `on`, or whose latest referral was made on
  or after the day every task now needing referral became due for it by
  age (band end + 6 months). A referral made and closed covers the tasks it
  was made for; a NEW task that becomes due after the referral's date makes
  the child *perlu rujukan, belum dirujuk* again.

Two computations of the same rule live here and are tested against each other:
- `child_card()` for one child's KKA page (items grouped by band and aspect);
- `annotate_kka_status()` for any Child queryset, in SQL, adding no queries,
  for the roster flags and the monthly reports.
"Checked on the KKA in a period" (`checked_between`) has its one home here
too. Saving a check links it to the day's session or home visit, so its one
writer is `sessions.services.kka_check_save`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.deletion import Collector
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from bkb.lib.ages import add_months, age_in_months
from families.models import (
    Aspect,
    Child,
    Instrument,
    KkaCheck,
    Milestone,
    MilestoneRecord,
    MilestoneRecordRemoval,
    Referral,
)

OWED_AFTER_MONTHS = 3
REFER_AFTER_MONTHS = 6
WATCH_MONTHS = REFER_AFTER_MONTHS - OWED_AFTER_MONTHS


class KkaStatus:
    BELUM_DINILAI = "belum_dinilai"
    SESUAI = "sesuai"
    TERHUTANG = "terhutang"
    PERLU_RUJUKAN = "perlu_rujukan"
    # Not a value of kka_status: how a referred child needing referral is shown.
    SUDAH_DIRUJUK = "sudah_dirujuk"
    LABELS = {
        BELUM_DINILAI: _("Belum dinilai"),
        SESUAI: _("Sesuai"),
        TERHUTANG: _("Terhutang (pantau & stimulasi)"),
        PERLU_RUJUKAN: _("Perlu rujukan"),
        SUDAH_DIRUJUK: _("Perlu rujukan, sudah dirujuk"),
    }
    # Bootstrap colour of the badge shown on the roster and child page.
    COLOURS = {
        BELUM_DINILAI: "secondary",
        SESUAI: "success",
        TERHUTANG: "warning",
        PERLU_RUJUKAN: "danger",
        SUDAH_DIRUJUK: "info",
    }

    @classmethod
    def needs_referral(cls, status: str, referred: bool) -> bool:
        """Perlu rujukan and not yet referred: the cadre is asked to refer (the "belum dirujuk" flag)."""
        return status == cls.PERLU_RUJUKAN and not referred

    @classmethod
    def needs_referral_q(cls) -> Q:
        """needs_referral for a queryset annotated by annotate_kka_status."""
        return Q(kka_status=cls.PERLU_RUJUKAN, kka_referred=False)

    @classmethod
    def shown(cls, status: str, referred: bool) -> str:
        """The state a page shows: "perlu rujukan" of a referred child reads "sudah dirujuk"."""
        return cls.SUDAH_DIRUJUK if status == cls.PERLU_RUJUKAN and referred else status


class ItemStatus:
    DONE = "done"
    NOT_YET = "not_yet"
    OWED = "owed"
    REFER = "refer"
    LABELS = {
        DONE: _("Sudah bisa"),
        NOT_YET: _("Belum"),
        OWED: _("Terhutang"),
        REFER: _("Perlu rujukan"),
    }


def active_instrument() -> Instrument | None:
    return Instrument.objects.filter(active=True).first()


def item_status(
    band_end_month: int,
    age_months: int,
    achieved_on: datetime.date | None,
    on: datetime.date,
    first_check: datetime.date | None,
) -> str:
    """Status of one task for a child of `age_months` (completed months) on `on`.

    `first_check` is the child's first check on the instrument (by `on`); a
    child never checked owes nothing yet.
    """
    if achieved_on is not None and achieved_on <= on:
        return ItemStatus.DONE
    if first_check is None or age_months < band_end_month + OWED_AFTER_MONTHS:
        return ItemStatus.NOT_YET
    if age_months >= band_end_month + REFER_AFTER_MONTHS and age_in_months(first_check, on) >= WATCH_MONTHS:
        return ItemStatus.REFER
    return ItemStatus.OWED


def status_from_items(statuses, *, assessed: bool = True) -> str:
    if not assessed:
        return KkaStatus.BELUM_DINILAI
    statuses = set(statuses)
    if ItemStatus.REFER in statuses:
        return KkaStatus.PERLU_RUJUKAN
    if ItemStatus.OWED in statuses:
        return KkaStatus.TERHUTANG
    return KkaStatus.SESUAI


def is_referred(born: datetime.date, refer_band_ends, referrals, on: datetime.date) -> bool:
    """Whether the referrals dated by `on` cover the tasks now needing referral.

    `referrals`: (date, closed_on) pairs. An open referral covers everything;
    otherwise the latest one covers the tasks due for referral by age on its
    date, and a task due after it is new.
    """
    made = [(day, closed_on) for day, closed_on in referrals if day <= on]
    if not made:
        return False
    if any(closed_on is None or closed_on > on for _day, closed_on in made):
        return True
    age_then = age_in_months(born, max(day for day, _closed in made))
    return all(band_end + REFER_AFTER_MONTHS <= age_then for band_end in refer_band_ends)


@dataclass
class KkaItem:
    milestone: Milestone
    record: MilestoneRecord | None
    status: str

    @property
    def status_label(self) -> str:
        return ItemStatus.LABELS[self.status]


@dataclass
class AspectItems:
    value: str
    label: str
    items: list[KkaItem] = field(default_factory=list)


@dataclass
class KkaCard:
    """One child's KKA on a day: the items of past and current bands by aspect."""

    child: Child
    on: datetime.date
    instrument: Instrument | None
    age_months: int
    aspects: list[AspectItems]
    status: str
    first_check: datetime.date | None = None
    last_check: datetime.date | None = None
    referred: bool = False

    @property
    def items(self) -> list[KkaItem]:
        return [item for aspect in self.aspects for item in aspect.items]

    @property
    def assessed(self) -> bool:
        return self.status != KkaStatus.BELUM_DINILAI

    @property
    def shown_status(self) -> str:
        return KkaStatus.shown(self.status, self.referred)

    @property
    def status_label(self) -> str:
        return KkaStatus.LABELS[self.shown_status]

    @property
    def status_colour(self) -> str:
        return KkaStatus.COLOURS[self.shown_status]

    @property
    def needs_referral(self) -> bool:
        """Perlu rujukan and not yet referred: the page asks the cadre to refer."""
        return KkaStatus.needs_referral(self.status, self.referred)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def done_count(self) -> int:
        return self.count(ItemStatus.DONE)

    @property
    def owed_count(self) -> int:
        return self.count(ItemStatus.OWED)

    @property
    def refer_count(self) -> int:
        return self.count(ItemStatus.REFER)


def child_card(child: Child, on: datetime.date, *, instrument: Instrument | None = None) -> KkaCard:
    """The child's KKA on `on` (five queries: instrument, checks, items, marks, referrals).

    Only items whose band has started are shown: later bands are not the
    parent's concern yet. Tasks of future bands cannot be owed anyway.
    """
    instrument = instrument or active_instrument()
    age = age_in_months(child.birth_date, on)
    aspects = [AspectItems(value, label) for value, label in Aspect.choices]
    if instrument is None:
        return KkaCard(child, on, None, age, aspects, KkaStatus.BELUM_DINILAI)
    by_aspect = {aspect.value: aspect for aspect in aspects}
    checks = list(
        KkaCheck.objects.filter(child=child, instrument=instrument, date__lte=on)
        .order_by("date")
        .values_list("date", flat=True)
    )
    first_check = checks[0] if checks else None
    records = {
        record.milestone_id: record
        for record in MilestoneRecord.objects.filter(child=child, milestone__instrument=instrument).select_related(
            "session"
        )
    }
    milestones = instrument.milestones.filter(band_start_month__lte=age).order_by(
        "band_start_month", "band_end_month", "code"
    )
    statuses = []
    refer_band_ends = []
    for milestone in milestones:
        record = records.get(milestone.pk)
        status = item_status(milestone.band_end_month, age, record.achieved_on if record else None, on, first_check)
        statuses.append(status)
        if status == ItemStatus.REFER:
            refer_band_ends.append(milestone.band_end_month)
        by_aspect[milestone.aspect].items.append(KkaItem(milestone, record, status))
    status = status_from_items(statuses, assessed=first_check is not None)
    referrals = list(child.referrals.values_list("date", "closed_on"))  # always: a fixed query count
    referred = status == KkaStatus.PERLU_RUJUKAN and is_referred(child.birth_date, refer_band_ends, referrals, on)
    return KkaCard(
        child,
        on,
        instrument,
        age,
        aspects,
        status,
        first_check=first_check,
        last_check=checks[-1] if checks else None,
        referred=referred,
    )


def _date_parts(day) -> tuple:
    if isinstance(day, datetime.date):
        return Value(day.year), Value(day.month), Value(day.day)
    return ExtractYear(day), ExtractMonth(day), ExtractDay(day)


def age_months_sql(born, on) -> Case:
    """age_in_months(born, on) as SQL: completed months, the day of birth each month.

    `born` and `on` are each a date or an expression (a column name, an OuterRef).
    Built from the year, month and day parts, the same on PostgreSQL and SQLite,
    unlike date arithmetic. Negative before birth.
    """
    born_year, born_month, born_day = _date_parts(born)
    on_year, on_month, on_day = _date_parts(on)
    months = (on_year - born_year) * 12 + on_month - born_month
    return Case(
        When(LessThan(on_day, born_day), then=months - 1),
        default=months,
        output_field=IntegerField(),
    )


def age_months_expression(on: datetime.date) -> Case:
    """A Child's completed months on `on`, as SQL."""
    return age_months_sql("birth_date", on)


def _tasks_missing_by(on: datetime.date, months_late: int, *, due_after: str | None = None) -> Exists:
    # Active-instrument tasks expected `months_late` or more months before the
    # child's age, with no mark dated by `on`; with `due_after`, only those
    # whose band end + months_late is after that age column (due later).
    marked = MilestoneRecord.objects.filter(
        child=OuterRef(OuterRef("pk")), milestone=OuterRef("pk"), achieved_on__lte=on
    )
    tasks = Milestone.objects.filter(
        instrument__active=True, band_end_month__lte=OuterRef("kka_age_months") - months_late
    )
    if due_after:
        tasks = tasks.filter(band_end_month__gt=OuterRef(due_after) - months_late)
    return Exists(tasks.exclude(Exists(marked)))


def checked_by(on: datetime.date, *, instrument: Instrument | None = None) -> Exists:
    """For a Child queryset: a KKA check dated by `on` on `instrument` (default: the one in use)."""
    on_instrument = {"instrument": instrument} if instrument is not None else {"instrument__active": True}
    return Exists(KkaCheck.objects.filter(child=OuterRef("pk"), date__lte=on, **on_instrument))


def _age_at_latest_referral(on: datetime.date) -> Subquery:
    """The child's age in months at its latest referral dated by `on`, in SQL."""
    age = age_months_sql(OuterRef("birth_date"), "date")
    referrals = Referral.objects.filter(child=OuterRef("pk"), date__lte=on).order_by("-date", "-pk")
    return Subquery(referrals.annotate(age=age).values("age")[:1])


def annotate_kka_status(children: QuerySet, on: datetime.date) -> QuerySet:
    """Add `kka_status` ("belum_dinilai", "sesuai", "terhutang", "perlu_rujukan")
    and `kka_referred` (only meaningful with "perlu_rujukan": see the module rule).

    Pure SQL over the active instrument: no query is run here and none is
    added per row, so a roster or report of any size stays at its count.
    Only EXISTS tests, each condition once: a costlier-looking plan makes
    PostgreSQL spend seconds compiling it (JIT) on a large report.
    """
    referrals = Referral.objects.filter(child=OuterRef("pk"), date__lte=on)
    children = children.annotate(
        kka_age_months=age_months_expression(on),
        kka_age_at_referral=_age_at_latest_referral(on),
    )
    return children.annotate(
        kka_status=Case(
            When(~checked_by(on), then=Value(KkaStatus.BELUM_DINILAI)),
            # The watch ends three months after the first check at the earliest.
            When(
                Q(checked_by(add_months(on, -WATCH_MONTHS))) & Q(_tasks_missing_by(on, REFER_AFTER_MONTHS)),
                then=Value(KkaStatus.PERLU_RUJUKAN),
            ),
            When(_tasks_missing_by(on, OWED_AFTER_MONTHS), then=Value(KkaStatus.TERHUTANG)),
            default=Value(KkaStatus.SESUAI),
            output_field=CharField(),
        ),
        # Most children have no referral: that cheap test comes first, so the
        # task subquery runs only for the referred few.
        kka_referred=Case(
            When(~Exists(referrals), then=Value(False)),
            When(Exists(referrals.open_on(on)), then=Value(True)),
            When(
                _tasks_missing_by(on, REFER_AFTER_MONTHS, due_after="kka_age_at_referral"),
                then=Value(False),
            ),
            default=Value(True),
            output_field=BooleanField(),
        ),
    )


def checked_between(first: datetime.date, last: datetime.date) -> Exists:
    """For a Child queryset: a KKA check dated from `first` to `last` (any instrument).

    The one meaning of "checked on the KKA this month", for the reports and
    the roster's "seen this month".
    """
    return Exists(KkaCheck.objects.between(first, last).filter(child=OuterRef("pk")))


def marks_remove(records, *, user=None) -> int:
    """Take marks off the card, keeping what they said in MilestoneRecordRemoval."""
    records = list(records)
    if not records:
        return 0
    MilestoneRecordRemoval.objects.bulk_create(
        MilestoneRecordRemoval(
            child_id=record.child_id,
            milestone_id=record.milestone_id,
            achieved_on=record.achieved_on,
            recorded_by_id=record.recorded_by_id,
            recorded_at=record.recorded_at,
            removed_by=user,
        )
        for record in records
    )
    # One DELETE for them all, with the signals (kept figures, history) sent for these very
    # instances, so the history names the remover even outside a request.
    if user is not None:
        for record in records:
            record._history_user = user
    collector = Collector(using=MilestoneRecord.objects.db)
    collector.collect(records)
    collector.delete()
    return len(records)


def children_to_reassess(instrument: Instrument, on: datetime.date) -> int:
    """How many children in the programme on `on` would be *belum dinilai* on `instrument`."""
    return Child.objects.in_programme_on(on).exclude(checked_by(on, instrument=instrument)).count()
