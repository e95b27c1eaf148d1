"""The children's status, kept per child, and the group's freshness (KeptState).

The roster used to compute every child's KKA status (two anti-joins a
child), latest growth and "seen this month" on every view. Now one
computation (`child_status_live`, the same annotations as before) writes
ChildStatus rows, and the roster reads them. A write marks the group stale
(`mark_changed`, from groups.changes, in the writer's transaction); the rows
are refreshed by the task worker (reports.kept), by the nightly run for the
new day, or by the roster itself when it finds them stale.
"""

import datetime

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from bkb.lib.months import Month
from families import kka, measurements
from families.models import Child, Referral
from groups.models import BkbGroup
from sessions.models import Attendance, ChildStatus, HomeVisit, KeptState

FIELDS = [
    "kka_status",
    "kka_referred",
    "latest_measured_on",
    "latest_haz",
    "latest_waz",
    "latest_whz",
    "seen_this_month",
    "referral_open",
]


def states_ensure(group_ids) -> None:
    """A KeptState for each group (groups made before the kept figures, or by a fixture)."""
    KeptState.objects.bulk_create([KeptState(group_id=pk) for pk in group_ids], ignore_conflicts=True)


def mark_changed(group_ids, since: datetime.date | None = None) -> None:
    """A write changed these groups (None: all): their kept figures are no longer current."""
    states = KeptState.objects.all() if group_ids is None else KeptState.objects.filter(group_id__in=group_ids)
    if (group_ids is None or len(group_ids) > 1) and transaction.get_connection().in_atomic_block:
        # Several groups at once (a family moved, an instrument switched): take their locks in
        # group order first, as a refresh does, so the two cannot wait on each other. (Outside
        # a transaction the UPDATE below is one on its own and holds its locks no longer.)
        list(states.select_for_update().order_by("group_id").values_list("pk", flat=True))
    updated = states.update(version=F("version") + 1)
    if group_ids is not None and updated < len(group_ids):
        states_ensure(group_ids)  # new states are stale: children_version starts below any version


def annotate_seen_this_month(children: QuerySet, on: datetime.date) -> QuerySet:
    """Add `seen_this_month`: by `on`, in `on`'s month, the child came to a session
    (or its family came without naming a child), was measured, was checked on
    the KKA, or its family had a home visit."""
    start = Month.of(on).first
    attended = Attendance.objects.filter(session__date__gte=start, session__date__lte=on).filter(
        Q(child=OuterRef("pk")) | Q(child__isnull=True, family=OuterRef("family_id"))
    )
    visited = HomeVisit.objects.filter(family=OuterRef("family_id"), date__gte=start, date__lte=on)
    seen = (
        Q(Exists(attended))
        | Q(measurements.measured_between(start, on))
        | Q(kka.checked_between(start, on))
        | Q(Exists(visited))
    )
    return children.annotate(seen_this_month=ExpressionWrapper(seen, output_field=BooleanField()))


def child_status_live(children: QuerySet, on: datetime.date) -> QuerySet:
    """The status columns of ChildStatus for `children` in the programme on `on`, computed now.

    The one computation of a child's roster status: the kept rows are
    written from it, and verify_figures compares them with it.
    """
    children = children.in_programme_on(on)
    children = kka.annotate_kka_status(children, on)
    children = measurements.annotate_latest_growth(children, on)
    children = annotate_seen_this_month(children, on)
    open_referral = Referral.objects.filter(child=OuterRef("pk")).open_on(on)
    return children.annotate(referral_open=Exists(open_referral), kept_group=F("family__group_id"))


def children_refresh(group_ids, on: datetime.date) -> int:
    """Recompute the ChildStatus rows of `group_ids` for `on`; returns how many rows were written.

    Read and written under the groups' KeptState locks (in group order, as
    reports.kept takes them), the version read with them: a write to these
    groups committed before the read, or waits and leaves the rows stale. A
    child removed between an unlocked read and the write would leave a row
    pointing at nothing, and a write holding the lock while deleting a row
    this deletes too would deadlock with it.
    """
    group_ids = sorted(set(group_ids))
    if not group_ids:
        return 0
    states_ensure(group_ids)
    with transaction.atomic():
        locked = KeptState.objects.select_for_update().filter(group_id__in=group_ids).order_by("group_id")
        versions = dict(locked.values_list("group_id", "version"))
        rows = [
            ChildStatus(child_id=row["pk"], group_id=row["kept_group"], **{name: row[name] for name in FIELDS})
            for row in child_status_live(Child.objects.filter(family__group_id__in=group_ids), on)
            .order_by("pk")
            .values("pk", "kept_group", *FIELDS)
        ]
        now = timezone.now()
        ChildStatus.objects.filter(group_id__in=group_ids).delete()
        # A child moved here from a group not refreshed now still has its old row there.
        ChildStatus.objects.filter(child_id__in=[row.child_id for row in rows]).delete()
        ChildStatus.objects.bulk_create(rows, batch_size=2000)
        by_version: dict[int, list[int]] = {}
        for group_id, version in versions.items():
            by_version.setdefault(version, []).append(group_id)
        for version, ids in by_version.items():
            KeptState.objects.filter(group_id__in=ids).update(children_version=version, children_on=on, children_at=now)
    return len(rows)


def children_ensure(group: BkbGroup, on: datetime.date) -> KeptState:
    """The group's state, its children's rows refreshed first if they are not current for `on`."""
    state = KeptState.objects.filter(group=group).first()
    if state is None or not state.children_current(on):
        children_refresh([group.pk], on)
        state = KeptState.objects.get(group=group)
    return state
