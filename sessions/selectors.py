"""Shaped reads for session pages: who is a member on a date, by age group,
which KKA tasks each child is due, who still needs a home visit.

Each function runs a fixed number of queries whatever the group's size.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bkb.lib import history
from bkb.lib.ages import AgeGroup, age_in_months
from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole
from families import kka, measurements
from families.models import Child, Family, Instrument, Measurement, Milestone, MilestoneRecord
from families.services import search_families
from groups.models import BkbGroup
from sessions import kept
from sessions.models import Attendance, ChildStatus, CoachingSession, HomeVisit, Topic

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
