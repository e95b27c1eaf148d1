"""Writes for coaching sessions: the session with its cadres and attendance,
home visits, and the back entry of a session held without signal.

Every write that belongs together happens in one transaction. Rules that a
form checks for the user's sake are checked again here, under a lock on the
group, so two phones saving at once cannot both win.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from bkb.lib import history
from bkb.lib.ages import AgeGroup
from families import kka
from families.models import Child, Family, Instrument, KkaCheck, MilestoneRecord, member_on_q
from groups import changes
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
    """The session's own rules (age groups, no overlap), without writing; raises ValidationError.

    An overlap error carries the session it overlaps (see `conflict_in`), so
    the page can link to it.
    """
    session.full_clean(exclude=["group", "topic", "created_by"])
    if not session.age_groups:
        raise ValidationError({"age_groups": _("Pilih minimal satu kelompok umur.")})
    if found := overlapping_session(
        group=session.group, date=session.date, age_groups=session.age_groups, exclude_pk=session.pk
    ):
        error = ValidationError(overlap_message(found[1]), code="overlap")
        error.conflict = found[0]
        raise ValidationError({"age_groups": error})


def conflict_in(error: ValidationError) -> CoachingSession | None:
    """The session an overlap error is about, if `error` holds one."""
    found = error.update_error_dict({}).get("age_groups", [])
    return next((e.conflict for e in found if isinstance(e, ValidationError) and hasattr(e, "conflict")), None)


def _check_members(group: BkbGroup, day: datetime.date, attendance: list[AttendanceEntry]) -> None:
    """Every family that came was a member of the group on the day, with one of its own children."""
    family_ids = {entry.family_id for entry in attendance}
    families = (
        Family.objects.filter(pk__in=family_ids)
        .annotate(member=ExpressionWrapper(Q(group=group) & member_on_q(day), output_field=BooleanField()))
        .only("pk", "mother_name")
        .order_by("mother_name", "pk")
    )
    names = {family.pk: family.mother_name for family in families}
    members = {family.pk for family in families if family.member}
    child_ids = {entry.child_id for entry in attendance if entry.child_id}
    owners = dict(Child.objects.filter(pk__in=child_ids).values_list("pk", "family_id")) if child_ids else {}
    errors = []
    for entry in attendance:
        if entry.family_id in members and entry.child_id and owners.get(entry.child_id) != entry.family_id:
            errors.append(_("Anak yang dipilih bukan anak ibu %(name)s.") % {"name": names[entry.family_id]})
    strangers = [names.get(fid, str(fid)) for fid in sorted(family_ids - members, key=lambda fid: names.get(fid, ""))]
    if strangers:
        errors.append(_("Bukan anggota kelompok pada tanggal pertemuan: %(names)s.") % {"names": ", ".join(strangers)})
    if errors:
        raise ValidationError({"attendance": errors})


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
STALE = "stale"


def session_version(updated_at: datetime.datetime | None) -> str:
    """The version of a saved session as its edit form carries it: `updated_at` in whole microseconds.

    Integer arithmetic, so the value read back from the database always gives the same text;
    every save of the session moves it (auto_now), including one that only changes who came.
    """
    if updated_at is None:
        return ""
    return str((updated_at - _EPOCH) // datetime.timedelta(microseconds=1))


def is_stale(error: ValidationError) -> bool:
    """Whether `error` refused a save because the session changed since the form was opened."""
    return any(e.code == STALE for e in error.update_error_dict({}).get(NON_FIELD_ERRORS, []))


@transaction.atomic
def session_save(
    *,
    session: CoachingSession,
    cadres: dict[int, str],
    attendance: list[AttendanceEntry],
    user: User | None,
    version: str | None = None,
) -> CoachingSession:
    """Save a session, who ran it and who came, all or nothing.

    `cadres` maps cadre id to role (inti/piket/bantu). On edit the cadres
    and the attendance are replaced by what was submitted. Raises
    ValidationError with every refused rule at once (age_groups, attendance).

    `version` is the session's version the edit form was made on
    (`session_version`): if the session was saved since, nothing is saved
    and the error carries code "stale" (`is_stale`). Without a version (an
    old page, a script) the save overwrites, as it always did.
    """
    return _session_write(session=session, cadres=cadres, attendance=attendance, user=user, version=version)


def _session_write(
    *,
    session: CoachingSession,
    cadres: dict[int, str],
    attendance: list[AttendanceEntry],
    user: User | None,
    version: str | None = None,
) -> CoachingSession:
    # Inside the caller's transaction (session_save or session_back_fill): opens none of its own.
    # Serialise writes per group so the overlap rule holds under concurrency.
    BkbGroup.objects.select_for_update().filter(pk=session.group_id).first()
    # Every refused rule at once: the session's own and the attendance's.
    errors: dict[str, list] = {}
    if version is not None and session.pk is not None:
        # Read under the group's lock: a save of this session that committed before the
        # lock was ours is seen here, and none can commit between this read and our write.
        current = CoachingSession.objects.filter(pk=session.pk).values_list("updated_at", flat=True).first()
        if version != session_version(current):
            errors[NON_FIELD_ERRORS] = [
                ValidationError(
                    _(
                        "Pertemuan ini sudah diubah orang lain sejak halaman ini dibuka. Bandingkan di bawah; "
                        "simpan lagi untuk memakai isian Anda, atau buka ulang halamannya untuk memakai yang di server."
                    ),
                    code=STALE,
                )
            ]
    try:
        session_check(session)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        _check_members(session.group, session.date, attendance)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if session.pk is None:
        session.created_by = user
    # Saved even when only the cadres or the attendance changed: that moves `updated_at`,
    # the version a stale edit form is caught by.
    session.save()
    session.session_cadres.all().delete()
    SessionCadre.objects.bulk_create(
        SessionCadre(session=session, cadre_id=cadre_id, role=role) for cadre_id, role in cadres.items()
    )
    # The session's own save above said where it was and where it went.
    with changes.told({session.group_id}, session.date):
        _attendance_write(session, attendance)
    return session


def _attendance_write(session: CoachingSession, attendance: list[AttendanceEntry]) -> None:
    """Make the session's attendance what was submitted, touching only the rows that differ,
    so its history says who was added, changed or taken off."""
    existing = {row.family_id: row for row in session.attendances.all()}
    wanted = {entry.family_id: entry for entry in attendance}
    session.attendances.exclude(family_id__in=list(wanted)).delete()  # one history row each
    changed = []
    for family_id, entry in wanted.items():
        row = existing.get(family_id)
        if row is not None and (row.child_id, row.attendee) != (entry.child_id, entry.attendee):
            row.child_id, row.attendee = entry.child_id, entry.attendee
            changed.append(row)
    stamp = history.request_stamp()
    if changed:
        bulk_update_with_history(changed, Attendance, ["child", "attendee"], custom_historical_attrs=stamp)
    new = [
        Attendance(session=session, family_id=e.family_id, child_id=e.child_id, attendee=e.attendee)
        for family_id, e in wanted.items()
        if family_id not in existing
    ]
    if new:
        bulk_create_with_history(new, Attendance, custom_historical_attrs=stamp)


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
        session = _session_write(session=session, cadres=cadres, attendance=list(attendance.values()), user=user)

        failed = False
        for row in rows:
            if row.weight_kg is None and row.height_cm is None:
                continue
            try:
                # No savepoint needed: measurement_record refuses a value before
                # it writes, so a refusal leaves the transaction usable.
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

        instrument = kka.active_instrument()
        if instrument is not None:
            # The grid's KKA column is a check of each present child whose tasks it
            # showed, but only of a child already assessed on the instrument by the
            # session's day: a first check goes band by band on the child's KKA
            # page, and a few ticks of the current band must not make every
            # earlier task owed (nor a back-entered session start its watches early).
            shown = [row.child for row in rows if row.present and row.offered]
            assessed = set(
                KkaCheck.objects.filter(child__in=shown, instrument=instrument, date__lte=session.date).values_list(
                    "child_id", flat=True
                )
            )
            findings = [
                Finding(
                    child=row.child,
                    marks={milestone_id: session.date for milestone_id in row.achieved},
                    # Un-ticking in the grid is explicit: the mark goes, its history stays.
                    removals=row.offered - row.achieved,
                    check=row.present and bool(row.offered) and row.child.pk in assessed,
                )
                for row in rows
            ]
            _kka_findings_write(
                instrument=instrument, on=session.date, findings=findings, user=user, own_session=session
            )
    return session


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in ValidationError(value).messages] for key, value in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@dataclass
class Finding:
    """What a KKA check found for one child: marks to add or re-date, marks to take off."""

    child: Child
    marks: dict = field(default_factory=dict)  # {milestone id: date first done}
    removals: set = field(default_factory=set)  # milestone ids, taken off explicitly (kept in the history)
    check: bool = True  # record the check itself
    home_visit: HomeVisit | None = None


def _kka_findings_write(
    *,
    instrument: Instrument,
    on: datetime.date,
    findings: list[Finding],
    user: User | None,
    sessions: dict | None = None,
    own_session: CoachingSession | None = None,
) -> int:
    """The one writer of KKA marks and checks: the KKA page (one child) and the grid (many).

    A mark and a check are linked to the session held on their date
    (`sessions`: {date: session}). With `own_session` (the back-entry grid),
    only that session's own marks are re-dated or taken off, and a mark made
    meanwhile elsewhere keeps its earlier date. A fixed number of queries
    whatever the number of children and marks. Returns how many marks changed.
    """
    sessions = {own_session.date: own_session} if own_session is not None else (sessions or {})
    named = Q()
    for finding in findings:
        removals = finding.removals - set(finding.marks)
        finding.removals = removals
        if finding.marks or removals:
            named |= Q(child=finding.child, milestone_id__in=[*finding.marks, *removals])
    existing = {}
    if named:
        records = MilestoneRecord.objects.filter(named)
        if own_session is not None:
            records = records.filter(session=own_session)
        existing = {(r.child_id, r.milestone_id): r for r in records}

    to_create, to_update, to_remove = [], [], []
    days = {on}  # the earliest of them is the first month whose figures this changes
    for finding in findings:
        child = finding.child
        for milestone_id, day in finding.marks.items():
            record = existing.get((child.pk, milestone_id))
            if record is None:
                to_create.append(
                    MilestoneRecord(
                        child=child,
                        milestone_id=milestone_id,
                        achieved_on=day,
                        session=sessions.get(day),
                        recorded_by=user,
                    )
                )
                days.add(day)
            elif record.achieved_on != day and own_session is None:
                days.update((record.achieved_on, day))
                record.achieved_on = day
                record.session = sessions.get(day)
                record.recorded_by = user
                to_update.append(record)
        to_remove.extend(existing[key] for key in ((child.pk, pk) for pk in finding.removals) if key in existing)
    days.update(record.achieved_on for record in to_remove)
    with changes.told({finding.child.family.group_id for finding in findings}, min(days)):
        return _kka_findings_save(to_create, to_update, to_remove, findings, instrument, on, user, sessions)


def _kka_findings_save(to_create, to_update, to_remove, findings, instrument, on, user, sessions) -> int:
    removed = kka.marks_remove(to_remove, user=user)
    if to_create:
        # ignore_conflicts: a double tap that raced this one already made the mark,
        # or a task recorded meanwhile elsewhere keeps its earlier date.
        history.bulk_create_new(
            MilestoneRecord,
            to_create,
            stamp="recorded_at",
            within={"child_id__in": {r.child_id for r in to_create}},
            user=user,
        )
    if to_update:
        # bulk_update skips auto_now; set it so the history shows the edit.
        now = timezone.now()
        for record in to_update:
            record.recorded_at = now
        bulk_update_with_history(
            to_update,
            MilestoneRecord,
            ["achieved_on", "session", "recorded_by", "recorded_at"],
            default_user=user,
            custom_historical_attrs=history.request_stamp(),
        )
    checks = [
        KkaCheck(
            child=finding.child,
            instrument=instrument,
            date=on,
            checked_by=user,
            session=sessions.get(on),
            home_visit=finding.home_visit,
        )
        for finding in findings
        if finding.check
    ]
    if checks:
        # One check a day per instrument: a second save is the same check.
        history.bulk_create_new(
            KkaCheck,
            checks,
            stamp="created_at",
            within={"child_id__in": {c.child_id for c in checks}, "date": on},
            user=user,
        )
    return len(to_create) + len(to_update) + removed


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
    dates = set(marks.values()) | {on}
    sessions = {}
    for session in CoachingSession.objects.filter(group_id=child.family.group_id, date__in=dates).order_by("pk"):
        sessions.setdefault(session.date, session)
    # The check happened during the group's session that day, or the family's home visit.
    visit = HomeVisit.objects.filter(family_id=child.family_id, date=on).order_by("pk").first()
    finding = Finding(child=child, marks=dict(marks), removals=set(removals), home_visit=visit)
    return _kka_findings_write(instrument=instrument, on=on, findings=[finding], user=user, sessions=sessions)
