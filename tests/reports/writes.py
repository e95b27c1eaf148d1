"""Random writes through the services, for the proof that kept figures equal live ones.

A small world (the four groups of the `world` fixture, families and children of
every age, cadres, two KKA instruments) and a list of writes, each a call of
the service a page calls, with dates spread over the last four months and
never in the future. A write the service refuses (an overlapping session, an
implausible measurement) is skipped: the refusal is part of what is tested,
since it must leave nothing marked.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bkb.lib.ages import add_months, age_in_months
from bkb.lib.months import Month
from cadres import services as cadre_services
from cadres.models import Cadre, CadreRole
from families import measurements
from families.instruments import instrument_activate
from families.models import Child, Family, Instrument, Milestone, MilestoneRecord, Referral, member_on_q
from families.services import family_move, family_save_with_children, referral_close, referral_record
from groups.models import BkbGroup
from reports.models import MonthlyReport
from reports.services import report_return, report_submit, report_verify
from sessions import services as session_services
from sessions.models import CoachingSession
from tests import factories as f

SPREAD_DAYS = 100
# Median length (cm) and weight (kg) by age in months: values near them pass the WHO checks.
MEDIANS = [(0, 50, 3.3), (3, 61, 6.0), (6, 67, 7.8), (9, 71, 8.9), (12, 75, 9.6), (18, 81, 10.9)]
MEDIANS += [(24, 87, 12.2), (36, 95, 14.3), (48, 103, 16.3), (60, 110, 18.3), (72, 116, 20.5)]


class Writer:
    """Draws writes from `rng`; `run()` does one and says what it was."""

    def __init__(self, rng: random.Random, world: dict):
        self.rng = rng
        self.world = world
        self.today = timezone.localdate()
        self.groups = [world["group_a"], world["group_b"], world["group_c"], world["group_x"]]
        self.topic = f.topic("Stimulasi acak")
        self.names = iter(range(1, 10_000))
        self.done: list[str] = []
        self.deck: list = []

    # --- the world ------------------------------------------------------------------------

    def build(self) -> None:
        rng = self.rng
        self.instruments = [
            f.kka_instrument(
                [(f"A{start}", start, end, "motorik_kasar") for start, end in ((0, 3), (3, 6), (6, 9), (9, 12))]
                + [(f"B{start}", start, end, "komunikasi_aktif") for start, end in ((12, 18), (18, 24), (24, 36))]
                + [("C36", 36, 48, "kecerdasan"), ("C48", 48, 60, "kecerdasan")],
                name="Acak A",
            ),
            f.kka_instrument(
                [(f"D{start}", start, start + 6, "tingkah_laku_sosial") for start in range(0, 60, 6)],
                name="Acak B",
                active=False,
            ),
        ]
        for group in self.groups:
            for _ in range(rng.randint(2, 4)):
                family = f.family(group, joined_on=self.day(back=rng.randint(0, 900)), is_pus=rng.random() < 0.7)
                for _ in range(rng.randint(1, 2)):
                    # Some turn six during the window, some are born in it.
                    f.child(family, self.today - datetime.timedelta(days=rng.randint(20, 72 * 30 + 40)))
            f.cadre(group, role="inti", age_group=rng.randint(0, 5), date_joined=self.day(back=rng.randint(0, 700)))

    def day(self, *, back: int | None = None, after: datetime.date | None = None) -> datetime.date:
        """A day in the window (or `back` days ago), not before `after`, never in the future."""
        day = self.today - datetime.timedelta(days=self.rng.randint(0, SPREAD_DAYS) if back is None else back)
        return max(day, after) if after else day

    def children(self, group: BkbGroup | None = None, on: datetime.date | None = None):
        children = Child.objects.select_related("family")
        if group is not None:
            children = children.filter(family__group=group)
        if on is not None:
            children = children.in_programme_on(on)
        return list(children.order_by("pk"))

    def pick(self, rows):
        return self.rng.choice(rows) if rows else None

    # --- one write ------------------------------------------------------------------------

    def run(self) -> str:
        # From a shuffled deck of every kind of write, so each sequence has every kind.
        if not self.deck:
            self.deck = [
                self.session,
                self.session,
                self.back_fill,
                self.kka_check,
                self.kka_check,
                self.home_visit,
                self.family,
                self.family,
                self.referral,
                self.measurement,
                self.measurement,
                self.cadre,
                self.report,
                self.instrument,
            ]
            self.rng.shuffle(self.deck)
        write = self.deck.pop()
        try:
            # A refused write rolls back its own savepoint, as a request's would.
            with transaction.atomic():
                what = write() or f"{write.__name__}: nothing to do"
        except (ValidationError, session_services.GridErrors, IntegrityError) as error:
            what = f"{write.__name__}: refused ({type(error).__name__})"
        self.done.append(what)
        return what

    def _attendance(self, group, day):
        rng = self.rng
        families = list(Family.objects.filter(group=group).filter(member_on_q(day)).order_by("pk"))
        entries = []
        for family in rng.sample(families, k=rng.randint(0, len(families))):
            kids = list(family.children.order_by("pk").values_list("pk", flat=True))
            child = rng.choice([None, *kids])
            entries.append(session_services.AttendanceEntry(family.pk, rng.choice(["ibu", "ayah", "lain"]), child))
        return entries

    def session(self):
        rng = self.rng
        group = rng.choice(self.groups)
        day = self.day()
        existing = list(CoachingSession.objects.filter(group=group).order_by("pk"))
        if existing and rng.random() < 0.5:
            session = rng.choice(existing)
            what = f"session {session.pk} moved {session.date} -> {day}"
            session.date = day
        else:
            session = CoachingSession(group=group, topic=self.topic, date=day)
            session.age_groups = sorted(rng.sample(range(6), k=rng.randint(1, 3)))
            what = f"session new {group.pk} {day}"
        session.ape_used = rng.choice(["", "Balok susun"])
        session.supervising_agency = rng.choice(["", "PKB Kecamatan"])
        session_services.session_save(session=session, cadres={}, attendance=self._attendance(group, day), user=None)
        return what

    def _size(self, child, day):
        months = age_in_months(child.birth_date, day)
        below = max(row for row in MEDIANS if row[0] <= months)
        above = min((row for row in MEDIANS if row[0] > months), default=MEDIANS[-1])
        share = 0 if above == below else (months - below[0]) / (above[0] - below[0])
        height = below[1] + share * (above[1] - below[1])
        weight = below[2] + share * (above[2] - below[2])
        return round(weight * self.rng.uniform(0.78, 1.12), 2), round(height * self.rng.uniform(0.9, 1.04), 1)

    def measurement(self):
        child = self.pick(self.children())
        if child is None:
            return None
        day = self.day(after=child.birth_date)
        weight, height = self._size(child, day)
        measurements.measurement_record(
            child=child,
            date=day,
            weight_kg=weight,
            height_cm=height,
            position=measurements.position_for_age(child.birth_date, day),
            confirmed=True,
        )
        return f"measurement {child.pk} {day}"

    def _milestones(self):
        instrument = Instrument.objects.get(active=True)
        return instrument, list(Milestone.objects.filter(instrument=instrument).order_by("pk"))

    def kka_check(self):
        rng = self.rng
        child = self.pick(self.children())
        if child is None:
            return None
        on = self.day(after=child.birth_date)
        instrument, milestones = self._milestones()
        marks = {m.pk: self.day(after=child.birth_date) for m in rng.sample(milestones, k=rng.randint(0, 3))}
        marks = {pk: min(day, on) for pk, day in marks.items()}
        held = list(MilestoneRecord.objects.filter(child=child).values_list("milestone_id", flat=True))
        removals = set(rng.sample(held, k=min(len(held), rng.randint(0, 1))))
        session_services.kka_check_save(child=child, instrument=instrument, on=on, marks=marks, removals=removals)
        return f"kka check {child.pk} {on}: {len(marks)} marks, {len(removals)} off"

    def back_fill(self):
        rng = self.rng
        group = rng.choice(self.groups)
        existing = list(CoachingSession.objects.filter(group=group).order_by("pk"))
        if existing and rng.random() < 0.5:
            session = rng.choice(existing)
        else:
            session = CoachingSession(group=group, topic=self.topic, date=self.day())
            session.age_groups = sorted(rng.sample(range(6), k=rng.randint(1, 3)))
        _instrument, milestones = self._milestones()
        rows = []
        for child in self.children(group, on=session.date):
            offered = {m.pk for m in rng.sample(milestones, k=min(3, len(milestones)))}
            row = session_services.GridRow(
                child=child,
                present=rng.random() < 0.6,
                attendee="ibu",
                offered=offered,
                achieved={pk for pk in offered if rng.random() < 0.5},
                confirmed=True,
            )
            if rng.random() < 0.5:
                row.weight_kg, row.height_cm = self._size(child, session.date)
                row.position = measurements.position_for_age(child.birth_date, session.date)
            rows.append(row)
        session_services.session_back_fill(session=session, rows=rows, user=None)
        return f"back fill {session.pk} {session.date}: {len(rows)} rows"

    def home_visit(self):
        day = self.day()
        family = self.pick(list(Family.objects.filter(member_on_q(day)).order_by("pk")))
        if family is None:
            return None
        session_services.home_visit_create(family=family, date=day, met="ibu", note="", user=None)
        return f"home visit {family.pk} {day}"

    def family(self):
        rng = self.rng
        family = self.pick(list(Family.objects.order_by("pk")))
        kind = rng.choice(["new", "leave", "move", "remove child", "birth date", "details", "new child"])
        if kind == "new" or family is None:
            group = rng.choice(self.groups)
            family = Family(group=group, mother_name=f"Ibu acak {next(self.names)}", joined_on=self.day())
            born = self.day(back=rng.randint(SPREAD_DAYS, 60 * 30))
            child = Child(name=f"Anak acak {next(self.names)}", sex="M", birth_date=born)
            family_save_with_children(family=family, children=[child])
            return f"family new {family.pk} in {group.pk} from {family.joined_on}"
        children = list(family.children.order_by("pk"))
        if kind == "leave":
            family.left_on = None if family.left_on else self.day(after=family.joined_on)
            family_save_with_children(family=family, children=[])
            return f"family {family.pk} left on {family.left_on}"
        if kind == "move":
            to_group = rng.choice([group for group in self.groups if group.pk != family.group_id])
            family = family_move(family=family, to_group=to_group, by=None)
            return f"family {family.pk} moved to {family.group_id}"
        if kind == "remove child" and children:
            child = rng.choice(children)
            what = f"family {family.pk} child {child.pk} removed"
            family_save_with_children(family=family, children=[], removed_children=[child])
            return what
        if kind == "birth date" and children:
            child = rng.choice(children)
            child.birth_date = add_months(child.birth_date, rng.choice([-7, -3, 2, 5]))
            child.birth_date = min(child.birth_date, self.today)
            family_save_with_children(family=family, children=[child])
            return f"family {family.pk} child {child.pk} born {child.birth_date}"
        if kind == "new child":
            child = Child(name=f"Anak acak {next(self.names)}", sex="F", birth_date=self.day())
            family_save_with_children(family=family, children=[child])
            return f"family {family.pk} new child born {child.birth_date}"
        family.is_pus = rng.random() < 0.6
        family.kb_method = rng.choice(["", "pil", "suntik", "implan"]) if family.is_pus else ""
        family.is_pkh, family.stunting_risk = rng.random() < 0.3, rng.random() < 0.3
        family_save_with_children(family=family, children=children)
        return f"family {family.pk} details"

    def referral(self):
        rng = self.rng
        open_ones = list(Referral.objects.filter(closed_on__isnull=True).order_by("pk"))
        if open_ones and rng.random() < 0.4:
            referral = rng.choice(open_ones)
            referral_close(referral=referral, closed_on=self.day(after=referral.date), outcome="Sudah diperiksa")
            return f"referral {referral.pk} closed {referral.closed_on}"
        child = self.pick(self.children())
        if child is None:
            return None
        day = self.day(after=child.birth_date)
        referral_record(child=child, user=None, date=day, referred_to="Puskesmas")
        return f"referral {child.pk} {day}"

    def cadre(self):
        rng = self.rng
        group = rng.choice(self.groups)
        open_roles = list(CadreRole.objects.current().filter(group=group).select_related("cadre").order_by("pk"))
        kind = rng.choice(["new", "end", "change", "leave", "training"])
        if kind == "new" or not open_roles:
            cadre = Cadre(name=f"Kader acak {next(self.names)}", date_joined=self.day(back=rng.randint(0, 400)))
            role = CadreRole(role=rng.choice(["inti", "piket", "bantu"]), age_group=rng.randint(0, 5))
            cadre_services.cadre_save(cadre=cadre, group=group, on=self.day(), new_roles=[role])
            return f"cadre new {cadre.pk} in {group.pk}"
        role = rng.choice(open_roles)
        on = self.day(after=role.started_on)
        if kind == "end":
            cadre_services.role_end(role=role, on=on)
            return f"role {role.pk} ended {on}"
        if kind == "change":
            role.role = rng.choice([r for r in ("inti", "piket", "bantu") if r != role.role])
            role.age_group = rng.randint(0, 5)
            cadre_services.cadre_save(cadre=role.cadre, group=group, on=on, changed_roles=[role])
            return f"role {role.pk} changed {on}"
        if kind == "training":
            cadre_services.training_record(cadre=role.cadre, kind="dasar", date=self.day())
            return f"cadre {role.cadre_id} trained"
        role.cadre.active = False
        cadre_services.cadre_save(cadre=role.cadre, group=group, on=on)
        return f"cadre {role.cadre_id} left {on}"

    def report(self):
        rng = self.rng
        admin = self.world["admin"]
        waiting = list(MonthlyReport.objects.filter(is_current=True, status=MonthlyReport.Status.SUBMITTED))
        if waiting and rng.random() < 0.5:
            report = rng.choice(waiting)
            if rng.random() < 0.5:
                report_verify(report=report, user=admin)
                return f"report {report.pk} verified"
            report_return(report=report, user=admin, comment="Periksa lagi kehadiran.")
            return f"report {report.pk} returned"
        group = rng.choice(self.groups)
        first = self.day().replace(day=1)
        month = Month.of(first)
        if month.last > self.today:
            month = month.previous()
        report_submit(group=group, month=month, user=admin, correction_confirmed=True)
        return f"report {group.pk} {month} sent"

    def instrument(self):
        target = next(
            instrument for instrument in self.instruments if not Instrument.objects.get(pk=instrument.pk).active
        )
        instrument_activate(Instrument.objects.get(pk=target.pk))
        return f"instrument {target.name} in use"
