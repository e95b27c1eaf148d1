"""Shaped reads for session pages: who is a member on a date, by age group,
which KKA tasks each child is due, who still needs a home visit.

Each function runs a fixed number of queries whatever the group's size.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bkb.lib import history
from bkb.lib.ages import AgeGroup, age_in_months
from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole
from families import kka, measurements
from families.models import Child, Family, Instrument, Measurement, Milestone, MilestoneRecord
from families.services import search_families
from groups.models import BkbGroup
from sessions import kept, services
from sessions.models import Attendance, ChildStatus, CoachingSession, HomeVisit, SessionCadre, Topic

NO_CHILD_BAND = -1


@dataclass
class MemberRow:
    """A member family on a date, with its children in the programme then."""

    family: Family
    children: list
    default_child: Child | None = None


@dataclass
class Band:
    value: int
    label: str
    rows: list = field(default_factory=list)
    legend: list = field(default_factory=list)  # SheetTask, on the printed sheet


@dataclass(frozen=True)
class SheetTask:
    """A KKA task as the sheet prints it: once per age group, with a short number to tick."""

    number: int
    milestone: Milestone


def _bands_with_other() -> list[Band]:
    return [Band(value, label) for value, label in AgeGroup.choices] + [Band(NO_CHILD_BAND, _("Tanpa anak balita"))]


def members_by_age_group(group: BkbGroup, *, on: datetime.date, age_groups=()) -> list[Band]:
    """The group's member families on `on`, listed under one age group each.

    A family appears once (attendance is per family): under the age group of
    its child that the session serves, else its youngest child's. That child
    is also the default for "came with which child". Two queries.
    """
    children = Child.objects.in_programme_on(on).order_by("-birth_date")
    families = (
        Family.objects.filter(group=group)
        .members_on(on)
        .prefetch_related(Prefetch("children", queryset=children, to_attr="programme_children"))
        .order_by("mother_name", "pk")
    )
    bands = _bands_with_other()
    wanted = set(age_groups)
    for family in families:
        kids = family.programme_children
        for kid in kids:
            kid.months = age_in_months(kid.birth_date, on)
            kid.band = kid.months // 12
        chosen = next((kid for kid in kids if kid.band in wanted), kids[0] if kids else None)
        band = bands[chosen.band] if chosen else bands[-1]
        band.rows.append(MemberRow(family=family, children=kids, default_child=chosen))
    return bands


@dataclass
class SessionChoices:
    """What the session screen offers: topics, cadres (with their roles here), the group's families."""

    group: BkbGroup
    topics: QuerySet
    cadres: list  # Cadre, each with `roles` (current, in this group) prefetched
    ran: dict  # {cadre id: role} of a saved session
    families: list  # (family id, mother's name), any family ever in the group
    attendance: dict  # {family id: Attendance} of a saved session


def session_choices(group: BkbGroup, session: CoachingSession | None = None) -> SessionChoices:
    """Choices for the session screen (four queries; two more for a saved session)."""
    saved = session is not None and session.pk is not None
    # Cadres who ran this session stay listed even if they have since left,
    # or saving a past session would silently drop them.
    serving = Q(roles__group=group, roles__ended_on__isnull=True, active=True)
    if saved:
        serving |= Q(pk__in=session.session_cadres.values("cadre_id"))
    cadres = list(
        Cadre.objects.filter(serving)
        .distinct()
        .prefetch_related(Prefetch("roles", queryset=CadreRole.objects.current().filter(group=group)))
        .order_by("name")
    )
    families = list(Family.objects.filter(group=group).values_list("pk", "mother_name"))
    return SessionChoices(
        group=group,
        topics=Topic.objects.filter(Q(active=True) | Q(pk=session.topic_id if session else None)),
        cadres=cadres,
        ran=dict(session.session_cadres.values_list("cadre_id", "role")) if saved else {},
        families=families,
        attendance={a.family_id: a for a in session.attendances.all()} if saved else {},
    )


def session_list(group: BkbGroup):
    return (
        CoachingSession.objects.filter(group=group)
        .select_related("topic")
        .annotate(attendance_count=Count("attendances"))
        .order_by("-date", "-pk")
    )


def session_detail(session: CoachingSession) -> dict:
    cadres = list(session.session_cadres.select_related("cadre").order_by("role", "cadre__name"))
    attendances = list(
        session.attendances.select_related("family", "child").order_by("family__mother_name", "family__pk")
    )
    absent = list(
        Family.objects.filter(group=session.group_id)
        .members_on(session.date)
        .exclude(pk__in=[a.family_id for a in attendances])
        .order_by("mother_name")
    )
    return {"cadres": cadres, "attendances": attendances, "absent": absent}


# --- The month's home visits -------------------------------------------------------------


@dataclass
class VisitRow:
    family: Family
    visits: list


def home_visit_list(group: BkbGroup, *, month: Month, today: datetime.date) -> list[VisitRow]:
    """Member families who came to no session of the group in `month` (*perlu dikunjungi*).

    Membership is taken on the month's last day (or today, for the current
    month): someone who joined late in the month is still owed a visit,
    someone who left is not. Two queries.
    """
    first, last = month.first, month.last
    on = min(last, today)
    attended = Attendance.objects.filter(session__group=group, session__date__range=(first, last)).values("family_id")
    visits = HomeVisit.objects.filter(date__range=(first, last)).select_related("visited_by").order_by("date")
    families = (
        Family.objects.filter(group=group)
        .members_on(on)
        .exclude(pk__in=attended)
        .prefetch_related(Prefetch("home_visits", queryset=visits, to_attr="month_visits"))
        .order_by("mother_name", "pk")
    )
    return [VisitRow(family=family, visits=family.month_visits) for family in families]


# --- The session sheet and the back-entry grid ---------------------------------------------


@dataclass
class SheetChild:
    child: Child
    months: int
    band: int
    due: list  # Milestone
    recorded_here: set = field(default_factory=set)  # milestone ids recorded by this session
    measurement: Measurement | None = None
    tasks: list = field(default_factory=list)  # SheetTask, the `due` milestones numbered by sheet_bands

    position: str = ""  # measured lying or standing by default, for the child's age (families.measurements)

    @property
    def lying_by_default(self) -> bool:
        return self.position == Measurement.Position.LYING


def sheet_children(group: BkbGroup, *, on: datetime.date, session: CoachingSession | None = None) -> list[SheetChild]:
    """Member children on `on` with the KKA tasks due this month.

    Due = milestones of the active instrument whose age band contains the
    child's age in months, not yet recorded for the child. Tasks recorded by
    `session` stay listed (ticked) so the grid can untick them. Four queries
    (five with a session).
    """
    children = list(
        Child.objects.filter(family__group=group)
        .in_programme_on(on)
        .select_related("family")
        .order_by("birth_date", "name", "pk")
    )
    rows = []
    for child in children:
        months = age_in_months(child.birth_date, on)
        position = measurements.position_for_age(child.birth_date, on)
        rows.append(SheetChild(child=child, months=months, band=months // 12, due=[], position=position))
    instrument = Instrument.objects.filter(active=True).first()
    if instrument is None or not rows:
        return _with_measurements(rows, on)
    ages = {row.months for row in rows}
    milestones = list(
        Milestone.objects.filter(
            instrument=instrument, band_start_month__lte=max(ages), band_end_month__gt=min(ages)
        ).order_by("band_start_month", "aspect", "code")
    )
    records = MilestoneRecord.objects.filter(child__in=[r.child for r in rows], milestone__in=milestones).values_list(
        "child_id", "milestone_id", "session_id"
    )
    done: set[tuple[int, int]] = set()
    here: set[tuple[int, int]] = set()
    for child_id, milestone_id, session_id in records:
        done.add((child_id, milestone_id))
        if session is not None and session_id == session.pk:
            here.add((child_id, milestone_id))
    for row in rows:
        for milestone in milestones:
            if not (milestone.band_start_month <= row.months < milestone.band_end_month):
                continue
            key = (row.child.pk, milestone.pk)
            if key in here:
                row.recorded_here.add(milestone.pk)
                row.due.append(milestone)
            elif key not in done:
                row.due.append(milestone)
    return _with_measurements(rows, on)


def _with_measurements(rows: list[SheetChild], on: datetime.date) -> list[SheetChild]:
    if rows:
        by_child = {m.child_id: m for m in Measurement.objects.filter(child__in=[r.child for r in rows], date=on)}
        for row in rows:
            row.measurement = by_child.get(row.child.pk)
    return rows


def sheet_bands(rows: list[SheetChild]) -> list[Band]:
    """Rows by age group; each group's due tasks numbered once (its legend), each row ticks by number."""
    bands = [Band(value, label) for value, label in AgeGroup.choices]
    for row in rows:
        bands[row.band].rows.append(row)
    for band in bands:
        due = {milestone.pk: milestone for row in band.rows for milestone in row.due}
        ordered = sorted(due.values(), key=lambda m: (m.band_start_month, m.aspect, m.code))
        band.legend = [SheetTask(number, milestone) for number, milestone in enumerate(ordered, start=1)]
        number_of = {task.milestone.pk: task for task in band.legend}
        for row in band.rows:
            row.tasks = [number_of[milestone.pk] for milestone in row.due]
    return bands


@dataclass
class AgeBand:
    value: int
    label: str
    children: list = field(default_factory=list)


def attention_q() -> Q:
    """ "Perlu perhatian": owed or to refer on the KKA, a growth problem, or not seen this month.

    On ChildStatus rows (the kept status) or on children annotated by sessions.kept.child_status_live.
    """
    return (
        Q(kka_status__in=[kka.KkaStatus.TERHUTANG, kka.KkaStatus.PERLU_RUJUKAN])
        | measurements.growth_problem_q()
        | Q(seen_this_month=False)
    )


@dataclass
class Roster:
    bands: list[AgeBand]
    computed_at: datetime.datetime | None


def roster(group: BkbGroup, *, on: datetime.date, query: str = "", attention: bool = False) -> Roster:
    """The group's children in the programme on `on`, by age group, with their kept status.

    Reads ChildStatus rows, refreshing them first if a write or the date has
    made them stale (sessions.kept). Three queries when they are current.
    """
    state = kept.children_ensure(group, on)
    statuses = ChildStatus.objects.filter(group=group)
    if query:
        statuses = statuses.filter(child__family__in=search_families(Family.objects.filter(group=group), query))
    if attention:
        statuses = statuses.filter(attention_q())
    statuses = statuses.select_related("child__family").order_by("-child__birth_date", "child__name")
    bands = [AgeBand(value, label) for value, label in AgeGroup.choices]
    for status in statuses:
        child = status.child
        for name in kept.FIELDS:
            setattr(child, name, getattr(status, name))
        child.months = child.age_months(on)
        shown = kka.KkaStatus.shown(child.kka_status, child.kka_referred)
        child.kka_label = kka.KkaStatus.LABELS[shown]
        child.kka_colour = kka.KkaStatus.COLOURS[shown]
        child.growth_flags = [
            measurements.FLAG_LABELS[code]
            for code in measurements.growth_flags(child.latest_haz, child.latest_waz, child.latest_whz)
        ]
        bands[child.months // 12].children.append(child)
    return Roster(bands, state.children_at)


def session_history(session: CoachingSession, *, limit: int = history.LIMIT) -> list[history.Entry]:
    """The newest changes of a session and its attendance, in a fixed number of queries."""
    return history.entries(
        [
            (CoachingSession.history.filter(id=session.pk), lambda row: f"{row.date:%d-%m-%Y}"),
            (
                Attendance.history.filter(session_id=session.pk).select_related("family"),
                lambda row: row.family.mother_name if row.family else "",
            ),
        ],
        limit=limit,
    )


# --- A stale edit: her entry beside the server's --------------------------------------------

# The session's own fields a stale edit compares, in the form's order.
COMPARED = ("date", "place", "age_groups", "topic", "ape_used", "supervising_agency", "notes")


@dataclass(frozen=True)
class Came:
    """A family at the session, as one side of a stale edit has it."""

    family: str
    attendee: str
    child_id: int | None = None
    child: str = ""

    def shown(self) -> str:
        who = str(dict(Attendance.Attendee.choices).get(self.attendee, self.attendee))
        return f"{who}, {_('bersama')} {self.child}" if self.child_id else f"{who}, {_('tanpa anak')}"


@dataclass
class SessionSide:
    """One side of a stale edit: the session's fields (COMPARED), its cadres on duty, who came."""

    values: dict  # field name: value (a date, text, a list of age groups, a Topic)
    cadres: dict  # cadre id: (name, role)
    came: dict  # family id: Came


@dataclass(frozen=True)
class Difference:
    key: str  # a field name, "cadres", "hadir", or "hadir_<family id>"
    label: str
    yours: str
    server: str


@dataclass
class StaleEdit:
    """What the server holds now beside what she posted, and which version of the session that is."""

    differences: list
    version: str  # the version shown (services.session_version): the page shown again carries it
    saved_at: datetime.datetime
    saved_by: str  # "" when the history does not say who saved this version


def _compared(value):
    if isinstance(value, Topic):
        return value.pk
    if isinstance(value, list):
        return sorted(value)
    return value


def _text(value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, list):
        labels = dict(AgeGroup.choices)
        return ", ".join(str(labels.get(v, v)) for v in sorted(value))
    return str(value)


def _cadres_text(cadres: dict) -> str:
    roles = dict(SessionCadre.Role.choices)
    return ", ".join(f"{name} ({roles.get(role, role)})" for name, role in sorted(cadres.values())) or "–"


def _roles(cadres: dict) -> dict:
    return {pk: role for pk, (_name, role) in cadres.items()}


def _names(came: list[Came]) -> str:
    return ", ".join(sorted(c.family for c in came))


def stale_differences(yours: SessionSide, server: SessionSide) -> list[Difference]:
    """Every way her entry differs from what the server holds, side by side; no queries.

    Families who came are compared by who is present on one side only, then
    by who came with which child for a family present on both.
    """
    labels = {name: capfirst(CoachingSession._meta.get_field(name).verbose_name) for name in COMPARED}
    found = [
        Difference(name, labels[name], _text(yours.values.get(name)), _text(server.values.get(name)))
        for name in COMPARED
        if _compared(yours.values.get(name)) != _compared(server.values.get(name))
    ]
    if _roles(yours.cadres) != _roles(server.cadres):
        found.append(
            Difference("cadres", _("Kader yang bertugas"), _cadres_text(yours.cadres), _cadres_text(server.cadres))
        )
    only_yours = [c for fid, c in yours.came.items() if fid not in server.came]
    only_server = [c for fid, c in server.came.items() if fid not in yours.came]
    if only_yours or only_server:
        found.append(
            Difference(
                "hadir",
                _("Keluarga yang hadir"),
                _("hadir di isian Anda saja: %(names)s") % {"names": _names(only_yours)} if only_yours else "–",
                _("hadir di server saja: %(names)s") % {"names": _names(only_server)} if only_server else "–",
            )
        )
    both = sorted((c.family, fid) for fid, c in yours.came.items() if fid in server.came)
    for name, fid in both:
        mine, theirs = yours.came[fid], server.came[fid]
        if (mine.attendee, mine.child_id) != (theirs.attendee, theirs.child_id):
            found.append(
                Difference(f"hadir_{fid}", _("Kehadiran ibu %(name)s") % {"name": name}, mine.shown(), theirs.shown())
            )
    return found


def stale_edit(
    session_pk: int, *, entry: dict, cadres: dict[int, str], attendance: list[services.AttendanceEntry]
) -> StaleEdit | None:
    """Her refused entry (the form's cleaned `entry`, cadre id: role, who came) beside the session
    as the server holds it now; None if the session is gone. At most seven queries, whatever
    the number of families."""
    session = CoachingSession.objects.select_related("topic").filter(pk=session_pk).first()
    if session is None:
        return None
    server_cadres = {
        pk: (name, role)
        for pk, name, role in SessionCadre.objects.filter(session=session).values_list(
            "cadre_id", "cadre__name", "role"
        )
    }
    server_came = {
        fid: Came(family, attendee, child_id, child or "")
        for fid, family, attendee, child_id, child in Attendance.objects.filter(session=session).values_list(
            "family_id", "family__mother_name", "attendee", "child_id", "child__name"
        )
    }
    # Names of what only she chose, read within the session's group: a tampered id names nobody.
    cadre_names = {pk: name for pk, (name, _role) in server_cadres.items()}
    cadre_names |= _names_of(Cadre.objects, set(cadres) - set(cadre_names), "name")
    family_names = {fid: came.family for fid, came in server_came.items()}
    family_names |= _names_of(
        Family.objects.filter(group=session.group_id),
        {e.family_id for e in attendance} - set(family_names),
        "mother_name",
    )
    child_names = {came.child_id: came.child for came in server_came.values() if came.child_id}
    child_names |= _names_of(
        Child.objects.filter(family__group=session.group_id),
        {e.child_id for e in attendance if e.child_id} - set(child_names),
        "name",
    )
    yours = SessionSide(
        values={name: entry.get(name) for name in COMPARED},
        cadres={pk: (cadre_names.get(pk, f"#{pk}"), role) for pk, role in cadres.items()},
        came={
            e.family_id: Came(
                family_names.get(e.family_id, f"#{e.family_id}"),
                e.attendee,
                e.child_id,
                child_names.get(e.child_id, f"#{e.child_id}") if e.child_id else "",
            )
            for e in attendance
        },
    )
    server = SessionSide(
        values={name: getattr(session, name) for name in COMPARED}, cadres=server_cadres, came=server_came
    )
    saved_by = ""
    latest = session.history.select_related("history_user").first()
    # The newest history row names who made this version unless a write without history came after it.
    if latest is not None and latest.history_date >= session.updated_at:
        saved_by = history.who(latest.history_user)
    return StaleEdit(
        differences=stale_differences(yours, server),
        version=services.session_version(session.updated_at),
        saved_at=session.updated_at,
        saved_by=saved_by,
    )


def _names_of(queryset, ids: set, name: str) -> dict:
    return dict(queryset.filter(pk__in=ids).values_list("pk", name)) if ids else {}
