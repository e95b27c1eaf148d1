"""KKA (*Kartu Kembang Anak*) status rules: on track, owed, refer.

A developmental task is expected by the end of its age band (band_end_month).
Not done three months after that it is *terhutang* (owed): watch and
stimulate. Still not done three months later the child *perlu rujukan*
(needs referral to the health worker). "Done" means a MilestoneRecord dated
on or before the day we judge (`on`); a mark dated later does not count yet.

Two computations of the same rule live here and are tested against each other:
- `child_card()` for one child's KKA page (items grouped by aspect);
- `annotate_kka_status()` for any Child queryset, in SQL, adding no queries,
  for the roster flags and the monthly reports.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.ages import add_months, age_in_months
from families.models import Aspect, Child, Instrument, Milestone, MilestoneRecord

OWED_AFTER_MONTHS = 3
REFER_AFTER_MONTHS = 6
# Instruments cover 0-72 months, so no task can reach "refer" after 78 months;
# the SQL age is capped there to keep its CASE short.
_AGE_CAP_MONTHS = 72 + REFER_AFTER_MONTHS


class KkaStatus:
    SESUAI = "sesuai"
    TERHUTANG = "terhutang"
    PERLU_RUJUKAN = "perlu_rujukan"
    LABELS = {
        SESUAI: _("Sesuai"),
        TERHUTANG: _("Terhutang (pantau & stimulasi)"),
        PERLU_RUJUKAN: _("Perlu rujukan"),
    }
    # Bootstrap colour of the badge shown on the roster and child page.
    COLOURS = {SESUAI: "success", TERHUTANG: "warning", PERLU_RUJUKAN: "danger"}


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


def item_status(band_end_month: int, age_months: int, achieved_on: datetime.date | None, on: datetime.date) -> str:
    """Status of one task for a child of `age_months` (completed months) on `on`."""
    if achieved_on is not None and achieved_on <= on:
        return ItemStatus.DONE
    if age_months >= band_end_month + REFER_AFTER_MONTHS:
        return ItemStatus.REFER
    if age_months >= band_end_month + OWED_AFTER_MONTHS:
        return ItemStatus.OWED
    return ItemStatus.NOT_YET


def status_from_items(statuses) -> str:
    statuses = set(statuses)
    if ItemStatus.REFER in statuses:
        return KkaStatus.PERLU_RUJUKAN
    if ItemStatus.OWED in statuses:
        return KkaStatus.TERHUTANG
    return KkaStatus.SESUAI


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

    @property
    def items(self) -> list[KkaItem]:
        return [item for aspect in self.aspects for item in aspect.items]

    @property
    def status_label(self) -> str:
        return KkaStatus.LABELS[self.status]

    @property
    def status_colour(self) -> str:
        return KkaStatus.COLOURS[self.status]

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
    """The child's KKA on `on` (three queries: instrument, items, marks).

    Only items whose band has started are shown: later bands are not the
    parent's concern yet. Tasks of future bands cannot be owed anyway.
    """
    instrument = instrument or active_instrument()
    age = age_in_months(child.birth_date, on)
    aspects = [AspectItems(value, label) for value, label in Aspect.choices]
    if instrument is None:
        return KkaCard(child, on, None, age, aspects, KkaStatus.SESUAI)
    by_aspect = {aspect.value: aspect for aspect in aspects}
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
    for milestone in milestones:
        record = records.get(milestone.pk)
        status = item_status(milestone.band_end_month, age, record.achieved_on if record else None, on)
        statuses.append(status)
        by_aspect[milestone.aspect].items.append(KkaItem(milestone, record, status))
    return KkaCard(child, on, instrument, age, aspects, status_from_items(statuses))


def age_months_expression(on: datetime.date, *, cap: int = _AGE_CAP_MONTHS) -> Case:
    """Completed months on `on` as SQL, capped at `cap`; NULL if not yet born.

    Relies on: age_in_months(born, on) >= n  <=>  born <= add_months(on, -n),
    so the age is the largest n whose cut-off date the birth date reaches.
    Plain date comparisons work the same on PostgreSQL and SQLite, unlike
    month arithmetic in SQL.
    """
    whens = [When(birth_date__lte=add_months(on, -n), then=Value(n)) for n in range(cap, -1, -1)]
    return Case(*whens, default=None, output_field=IntegerField())


def _tasks_missing_by(on: datetime.date, months_late: int) -> Exists:
    # Active-instrument tasks expected `months_late` or more months before the
    # child's age, with no mark dated by `on`.
    marked = MilestoneRecord.objects.filter(
        child=OuterRef(OuterRef("pk")), milestone=OuterRef("pk"), achieved_on__lte=on
    )
    return Exists(
        Milestone.objects.filter(
            instrument__active=True, band_end_month__lte=OuterRef("kka_age_months") - months_late
        ).exclude(Exists(marked))
    )


def annotate_kka_status(children: QuerySet, on: datetime.date) -> QuerySet:
    """Add `kka_age_months` and `kka_status` ("sesuai", "terhutang", "perlu_rujukan").

    Pure SQL over the active instrument: no query is run here and none is
    added per row, so a roster or report of any size stays at its count.
    """
    return children.annotate(kka_age_months=age_months_expression(on)).annotate(
        kka_status=Case(
            When(_tasks_missing_by(on, REFER_AFTER_MONTHS), then=Value(KkaStatus.PERLU_RUJUKAN)),
            When(_tasks_missing_by(on, OWED_AFTER_MONTHS), then=Value(KkaStatus.TERHUTANG)),
            default=Value(KkaStatus.SESUAI),
            output_field=CharField(),
        )
    )


@transaction.atomic
def kka_marks_save(*, child: Child, marks: dict[int, datetime.date | None], user=None) -> int:
    """Save a page of KKA marks at once: {milestone id: date first done, or None to clear}.

    A mark is linked to the child's group session held that day, if there is
    one. Returns how many marks changed. Runs a fixed number of queries
    whatever the number of marks.
    """
    from sessions.models import CoachingSession  # coaching depends on families

    existing = {r.milestone_id: r for r in MilestoneRecord.objects.filter(child=child, milestone_id__in=list(marks))}
    dates = {day for day in marks.values() if day is not None}
    sessions = {}
    if dates:
        for session in CoachingSession.objects.filter(group_id=child.family.group_id, date__in=dates).order_by("pk"):
            sessions.setdefault(session.date, session)

    to_create, to_update, to_delete = [], [], []
    for milestone_id, day in marks.items():
        record = existing.get(milestone_id)
        if day is None:
            if record is not None:
                to_delete.append(record.pk)
        elif record is None:
            to_create.append(
                MilestoneRecord(
                    child=child, milestone_id=milestone_id, achieved_on=day, session=sessions.get(day), recorded_by=user
                )
            )
        elif record.achieved_on != day:
            record.achieved_on = day
            record.session = sessions.get(day)
            record.recorded_by = user
            to_update.append(record)
    if to_delete:
        MilestoneRecord.objects.filter(pk__in=to_delete).delete()
    if to_create:
        MilestoneRecord.objects.bulk_create(to_create)
    if to_update:
        # bulk_update skips auto_now; set it so "recorded this month" sees the edit.
        now = timezone.now()
        for record in to_update:
            record.recorded_at = now
        MilestoneRecord.objects.bulk_update(to_update, ["achieved_on", "session", "recorded_by", "recorded_at"])
    return len(to_create) + len(to_update) + len(to_delete)
