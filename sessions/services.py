"""Writes for coaching sessions: the session with its cadres and attendance,
home visits, and the back entry of a session held without signal.

Every write that belongs together happens in one transaction. Rules that a
form checks for the user's sake are checked again here, under a lock on the
group, so two phones saving at once cannot both win.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bkb.lib.ages import AgeGroup
from families import kka
from families.models import Child, Family, Instrument, KkaCheck, MilestoneRecord
from groups.models import BkbGroup, User
from sessions.models import Attendance, CoachingSession, HomeVisit, SessionCadre


@dataclass
class AttendanceEntry:
    family_id: int
    attendee: str
    child_id: int | None = None


def overlapping_session(
    *, group: BkbGroup, date: datetime.date, age_groups, exclude_pk: int | None = None
) -> tuple[CoachingSession, list[int]] | None:
    """Another session of the group on that date serving one of these age groups."""
    others = CoachingSession.objects.filter(group=group, date=date).order_by("pk")
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    wanted = set(age_groups)
    for other in others:
        if common := sorted(wanted & set(other.age_groups)):
            return other, common
    return None


def overlap_message(common: list[int]) -> str:
    labels = ", ".join(str(AgeGroup(value).label) for value in common)
    return _("Sudah ada pertemuan kelompok ini pada tanggal itu untuk kelompok umur %(groups)s.") % {"groups": labels}


def session_check(session: CoachingSession) -> None:
    """The session's own rules (age groups, no overlap), without writing; raises ValidationError."""
    session.full_clean(exclude=["group", "topic", "created_by"])
    if not session.age_groups:
        raise ValidationError({"age_groups": _("Pilih minimal satu kelompok umur.")})
    if found := overlapping_session(
        group=session.group, date=session.date, age_groups=session.age_groups, exclude_pk=session.pk
    ):
        raise ValidationError({"age_groups": overlap_message(found[1])})


def _check_members(group: BkbGroup, day: datetime.date, attendance: list[AttendanceEntry]) -> None:
    members = set(Family.objects.filter(group=group).members_on(day).values_list("pk", flat=True))
    if any(entry.family_id not in members for entry in attendance):
        raise ValidationError({"attendance": _("Ada keluarga yang bukan anggota kelompok ini pada tanggal pertemuan.")})
    child_ids = {entry.child_id for entry in attendance if entry.child_id}
    owners = dict(Child.objects.filter(pk__in=child_ids).values_list("pk", "family_id"))
    if any(entry.child_id and owners.get(entry.child_id) != entry.family_id for entry in attendance):
        raise ValidationError({"attendance": _("Anak yang dipilih bukan anak keluarga tersebut.")})


@transaction.atomic
def session_save(
    *,
    session: CoachingSession,
    cadres: dict[int, str],
    attendance: list[AttendanceEntry],
    user: User | None,
) -> CoachingSession:
    """Save a session, who ran it and who came, all or nothing.

    `cadres` maps cadre id to role (inti/piket/bantu). On edit the cadres
    and the attendance are replaced by what was submitted.
    """
    # Serialise writes per group so the overlap rule holds under concurrency.
    BkbGroup.objects.select_for_update().filter(pk=session.group_id).first()
    session_check(session)
    _check_members(session.group, session.date, attendance)
    if session.pk is None:
        session.created_by = user
    session.save()
    session.session_cadres.all().delete()
    SessionCadre.objects.bulk_create(
        SessionCadre(session=session, cadre_id=cadre_id, role=role) for cadre_id, role in cadres.items()
    )
    session.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(session=session, family_id=e.family_id, child_id=e.child_id, attendee=e.attendee) for e in attendance
    )
    return session


@transaction.atomic
def home_visit_create(*, family: Family, date: datetime.date, met: str, note: str, user: User | None) -> HomeVisit:
    visit = HomeVisit(family=family, date=date, met=met, note=note, visited_by=user)
    visit.full_clean(exclude=["family", "visited_by"])
    visit.save()
    return visit


# --- Back entry ---------------------------------------------------------------------------


@dataclass
class GridRow:
    """One child's line of the back-entry grid, already validated by its form."""

    child: Child
    present: bool
    attendee: str
    weight_kg: object = None
    height_cm: object = None
    position: str = ""
    confirmed: bool = False
    achieved: set = field(default_factory=set)  # milestone ids ticked
    offered: set = field(default_factory=set)  # milestone ids shown in the row
    errors: dict = field(default_factory=dict)


class GridErrors(Exception):
    """Some rows were refused; nothing was saved."""


def grid_rows_check(*, rows: list[GridRow], day: datetime.date) -> bool:
    """Check every row's measurement without writing; errors go into each row's `errors`.

    The grid calls this on all rows that parsed, even when other rows did not,
    so a cadre sees every refused value at once instead of in two rounds.
    """
    from families.measurements import measurement_check

    ok = True
    for row in rows:
        if row.weight_kg is None and row.height_cm is None:
            continue
        try:
            measurement_check(
                child=row.child,
                date=day,
                weight_kg=row.weight_kg,
                height_cm=row.height_cm,
                position=row.position,
                confirmed=row.confirmed,
            )
        except ValidationError as error:
            ok = False
            row.errors.update(_error_dict(error))
    return ok


def session_back_fill(*, session: CoachingSession, rows: list[GridRow], user: User | None) -> CoachingSession:
    """Save a whole no-signal session at once: the session, attendance, KKA ticks, measurements.

    Errors of a measurement go into its row's `errors` and the whole entry is
    rolled back (GridErrors), so a half-entered session never exists.
    """
    from families.measurements import measurement_record  # written alongside; see report

    with transaction.atomic():
        attendance: dict[int, AttendanceEntry] = {}
        if session.pk:
            # Families the grid has no row for (no child in the programme that
            # day: expecting mothers, a child just turned six) keep what the
            # session screen recorded for them.
            in_grid = {row.child.family_id for row in rows}
            for kept in session.attendances.exclude(family_id__in=in_grid):
                attendance[kept.family_id] = AttendanceEntry(kept.family_id, kept.attendee, kept.child_id)
        for row in rows:
            if row.present and row.child.family_id not in attendance:
                attendance[row.child.family_id] = AttendanceEntry(row.child.family_id, row.attendee, row.child.pk)
        cadres = dict(session.session_cadres.values_list("cadre_id", "role")) if session.pk else {}
        session = session_save(session=session, cadres=cadres, attendance=list(attendance.values()), user=user)

        failed = False
        for row in rows:
            if row.weight_kg is None and row.height_cm is None:
                continue
            try:
                # A savepoint per child: a refused value must not poison the transaction.
                with transaction.atomic():
                    measurement_record(
                        child=row.child,
                        date=session.date,
                        weight_kg=row.weight_kg,
                        height_cm=row.height_cm,
                        position=row.position,
                        session=session,
                        user=user,
                        confirmed=row.confirmed,
                    )
            except ValidationError as error:
                failed = True
                row.errors.update(_error_dict(error))
        if failed:
            raise GridErrors

        recorded = set(
            MilestoneRecord.objects.filter(child__in=[r.child for r in rows], session=session).values_list(
                "child_id", "milestone_id"
            )
        )
        new, removed = [], []
        for row in rows:
            for milestone_id in row.achieved:
                if (row.child.pk, milestone_id) not in recorded:
                    new.append(
                        MilestoneRecord(
                            child=row.child,
                            milestone_id=milestone_id,
                            achieved_on=session.date,
                            session=session,
                            recorded_by=user,
                        )
                    )
            unticked = (row.offered - row.achieved) & {m for c, m in recorded if c == row.child.pk}
            removed.extend((row.child.pk, milestone_id) for milestone_id in unticked)
        if removed:
            # Un-ticking in the grid is explicit: the mark goes, its history stays.
            q = Q()
            for child_id, milestone_id in removed:
                q |= Q(child_id=child_id, milestone_id=milestone_id)
            kka.marks_remove(MilestoneRecord.objects.filter(q, session=session), user=user)
        # ignore_conflicts: a task recorded meanwhile elsewhere keeps its earlier date.
        MilestoneRecord.objects.bulk_create(new, ignore_conflicts=True)
        _kka_checks_record(session, [row for row in rows if row.present and row.offered], user)
    return session


def _kka_checks_record(session: CoachingSession, rows: list[GridRow], user: User | None) -> None:
    """The grid's KKA column is a check of each present child whose tasks it showed.

    Only for children already assessed on the instrument: a first check goes
    band by band on the child's KKA page, and a few ticks of the current band
    must not make every earlier task owed.
    """
    instrument = kka.active_instrument()
    if instrument is None or not rows:
        return
    # Assessed by the session's day: a back-entered session before a child's
    # first check must not start its watches early.
    assessed = set(
        KkaCheck.objects.filter(
            child__in=[row.child for row in rows], instrument=instrument, date__lte=session.date
        ).values_list("child_id", flat=True)
    )
    KkaCheck.objects.bulk_create(
        [
            KkaCheck(child=row.child, instrument=instrument, date=session.date, session=session, checked_by=user)
            for row in rows
            if row.child.pk in assessed
        ],
        ignore_conflicts=True,
    )


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in ValidationError(value).messages] for key, value in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@transaction.atomic
def kka_check_save(
    *,
    child: Child,
    instrument: Instrument,
    on: datetime.date,
    marks: dict[int, datetime.date],
    removals=(),
    user=None,
) -> int:
    """Record a KKA check of `child` on `on`, with what it found.

    `marks`: {milestone id: date first done} to add or re-date; `removals`:
    milestone ids to take off explicitly (kept in the history). Items not
    named are left as they are. A mark and the check are linked to the
    child's group session held that day, if there is one (the check also to
    the family's home visit that day). Returns how many
    marks changed. A fixed number of queries whatever the number of marks.
    """
    removals = set(removals) - set(marks)
    existing = {
        r.milestone_id: r for r in MilestoneRecord.objects.filter(child=child, milestone_id__in=[*marks, *removals])
    }
    dates = set(marks.values()) | {on}
    sessions = {}
    for session in CoachingSession.objects.filter(group_id=child.family.group_id, date__in=dates).order_by("pk"):
        sessions.setdefault(session.date, session)

    to_create, to_update = [], []
    for milestone_id, day in marks.items():
        record = existing.get(milestone_id)
        if record is None:
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
    removed = kka.marks_remove([existing[pk] for pk in removals if pk in existing], user=user)
    if to_create:
        # ignore_conflicts: a double tap that raced this one already made the mark.
        MilestoneRecord.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_update:
        # bulk_update skips auto_now; set it so the history shows the edit.
        now = timezone.now()
        for record in to_update:
            record.recorded_at = now
        MilestoneRecord.objects.bulk_update(to_update, ["achieved_on", "session", "recorded_by", "recorded_at"])
    # The check happened during the group's session that day, or the family's home visit.
    visit = HomeVisit.objects.filter(family_id=child.family_id, date=on).order_by("pk").first()
    kka.kka_check_record(
        child=child, instrument=instrument, on=on, user=user, session=sessions.get(on), home_visit=visit
    )
    return len(to_create) + len(to_update) + removed
