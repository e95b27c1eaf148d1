"""Demo data: one kabupaten a newcomer can click through.

Deterministic (a fixed random seed) and idempotent: a second run finds the
demo kabupaten and changes nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from bkb.lib import history
from bkb.lib.ages import add_months
from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole, Training
from families import kka
from families.growth import synthetic_measurement
from families.measurements import default_position, measurement_record
from families.models import Child, Family, Instrument, Milestone, MilestoneRecord, Referral
from groups import changes
from groups.models import Area, BkbGroup, User
from reports import kept
from reports.services import report_submit, report_verify
from sessions.models import CoachingSession, Topic
from sessions.services import AttendanceEntry, home_visit_create, kka_check_save, session_save

DEMO_PASSWORD = "Balita-Ceria-26"
DEMO_KABUPATEN = "Sumedang"

MOTHERS = [
    "Siti Nurhaliza",
    "Dewi Lestari",
    "Rina Marlina",
    "Euis Komariah",
    "Neneng Hasanah",
    "Yuli Yuliani",
    "Ai Rohimah",
    "Iis Sumiati",
    "Tati Suryati",
    "Lilis Suryani",
    "Imas Masitoh",
    "Nining Kurniasih",
    "Wiwin Winarti",
    "Enok Sumarni",
    "Cucu Cahyati",
    "Popon Rosmiati",
    "Dede Rostika",
    "Nia Kurniawati",
    "Rani Apriani",
    "Sri Mulyani",
    "Eti Rohaeti",
    "Heni Handayani",
    "Yeni Nuraeni",
    "Mamah Maryamah",
    "Elis Nurlaela",
    "Teti Sutiawati",
    "Ratna Sari",
    "Fitri Rahmawati",
    "Nurul Aini",
    "Ani Suryani",
]
FATHERS = [
    "Asep Saepudin",
    "Ujang Supriatna",
    "Dadang Hermawan",
    "Cecep Rahmat",
    "Agus Setiawan",
    "Dedi Kusnadi",
    "Yayan Sopyan",
    "Iwan Ridwan",
    "Ade Sunarya",
    "Hendra Gunawan",
    "Budi Santoso",
    "Rudi Hartono",
    "Encep Sutisna",
    "Jajang Nurjaman",
    "Nandang Sudrajat",
    "Oman Abdurahman",
    "Eko Prasetyo",
    "Wawan Kurnia",
]
CHILDREN_F = [
    "Aisyah",
    "Zahra",
    "Nabila",
    "Keisha",
    "Salsabila",
    "Alya",
    "Naura",
    "Syifa",
    "Citra",
    "Khansa",
    "Rahma",
    "Fatimah",
    "Putri",
    "Nayla",
    "Aulia",
    "Kirana",
    "Dinda",
    "Shafa",
    "Rania",
    "Anindya",
]
CHILDREN_M = [
    "Muhammad Rizki",
    "Fajar",
    "Raka",
    "Dimas",
    "Arkan",
    "Rafi",
    "Bima",
    "Ilham",
    "Daffa",
    "Gilang",
    "Hafiz",
    "Zaki",
    "Naufal",
    "Azka",
    "Yusuf",
    "Reza",
    "Rangga",
    "Satria",
    "Farhan",
    "Akbar",
]
CADRES = [
    "Imas Sumiati",
    "Oom Komariah",
    "Entin Kartini",
    "Nunung Nurjanah",
    "Ela Nurlela",
    "Titin Supriatin",
    "Yati Suryati",
    "Dedeh Kurniasih",
    "Omah Rohimah",
    "Ineu Maryani",
    "Eni Haryani",
    "Atikah Rahmah",
    "Ros Rosita",
    "Uum Umiyati",
    "Leni Marlina",
    "Emay Maesaroh",
    "Cicih Sukaesih",
    "Aan Anisah",
    "Rohayati",
    "Sumarni",
    "Kokom Komalasari",
    "Nani Rohani",
    "Yoyoh Rokayah",
    "Wati Sumiati",
]

LAYOUT = {
    "Jatinangor": {
        "Cikeruh": ["BKB Melati", "BKB Mawar"],
        "Hegarmanah": ["BKB Anggrek", "BKB Kenanga"],
    },
    "Tanjungsari": {"Gudang": ["BKB Dahlia"], "Jatisari": ["BKB Flamboyan"]},
}


def _nik(rng: random.Random, born: datetime.date, female: bool) -> str:
    # 3211 = Sumedang's region code; the birth-date part follows the NIK rule
    # (women add 40 to the day). The serial keeps it unique.
    day = born.day + (40 if female else 0)
    return f"3211{rng.randint(10, 26):02d}{day:02d}{born:%m%y}{rng.randint(1, 9999):04d}"


def seed_demo(*, today: datetime.date, stdout=None) -> bool:
    """Build the demo kabupaten; return False if it is already there."""
    if Area.objects.filter(name=DEMO_KABUPATEN, level=Area.Level.KABUPATEN).exists():
        return False
    with transaction.atomic():
        rng = random.Random(2026)
        # Written quietly, then every kept row computed once at the end: marking
        # each of thousands of writes stale would only make the seed slower. No
        # change history either: nobody changed the demo, it was made so.
        with changes.quiet(), history.disabled():
            _build(rng, today)
            _history(rng, today)
        months = [Month.of(today).back(n) for n in range(max(HISTORY_MONTHS, kept.KEPT_MONTHS - 1), -1, -1)]
        kept.refresh(BkbGroup.objects.values_list("pk", flat=True), months, on=today)
    return True


def _build(rng: random.Random, today: datetime.date) -> None:
    provinsi = Area.objects.create(name="Jawa Barat", level=Area.Level.PROVINSI, code="32")
    kabupaten = Area.objects.create(name=DEMO_KABUPATEN, level=Area.Level.KABUPATEN, parent=provinsi, code="3211")
    admin = User.objects.create_user(
        "admin",
        password=DEMO_PASSWORD,
        first_name="Admin",
        last_name="Dinas KB",
        role=User.Role.ADMIN,
        # A kabupaten admin like a real one: the Django admin too shows her kabupaten only.
        is_staff=True,
    )
    admin.areas.add(kabupaten)
    supervisor = User.objects.create_user(
        "pkb", password=DEMO_PASSWORD, first_name="Yanti", last_name="Rahayu", role=User.Role.SUPERVISOR
    )
    used_nik: set[str] = set()
    cadre_names = iter(CADRES)
    group_number = 0
    for kec_name, desas in LAYOUT.items():
        kecamatan = Area.objects.create(name=kec_name, level=Area.Level.KECAMATAN, parent=kabupaten)
        supervisor.areas.add(kecamatan)
        for desa_name, group_names in desas.items():
            desa = Area.objects.create(name=desa_name, level=Area.Level.DESA, parent=kecamatan)
            for group_name in group_names:
                group_number += 1
                group = BkbGroup.objects.create(
                    name=group_name,
                    desa=desa,
                    rw=f"{group_number + 1:03d}",
                    year_formed=rng.choice([2012, 2016, 2019, 2022]),
                    meeting_place=f"Posyandu {group_name.split()[-1]}",
                    meeting_day=rng.randint(0, 5),
                    stratum=rng.choice(list(BkbGroup.Stratum.values)),
                    integration=rng.choice(list(BkbGroup.Integration.values)),
                    has_ape_kit=rng.random() < 0.7,
                )
                _cadres(rng, group, group_number, cadre_names, today)
                _families(rng, group, today, used_nik)


def _cadres(rng, group, number, names, today):
    roles = [
        (CadreRole.Role.KETUA, None),
        (CadreRole.Role.INTI, 0),
        (CadreRole.Role.INTI, 2),
        (CadreRole.Role.PIKET, 1),
    ]
    for index, (role, age) in enumerate(roles):
        user = None
        if index == 0:
            user = User.objects.create_user(f"kader{number}", password=DEMO_PASSWORD, role=User.Role.CADRE)
        cadre = Cadre.objects.create(
            name=next(names),
            user=user,
            phone=f"0812{rng.randint(10000000, 99999999)}",
            education=rng.choice(["smp", "sma", "sma", "diploma"]),
            date_joined=add_months(today, -rng.choice([3, 8, 20, 40, 70, 100])),
        )
        if user:
            user.first_name = cadre.name.split()[0]
            user.save(update_fields=["first_name"])
        CadreRole.objects.create(cadre=cadre, group=group, role=role, age_group=age, started_on=cadre.date_joined)
        if index == 0:
            CadreRole.objects.create(
                cadre=cadre, group=group, role=CadreRole.Role.INTI, age_group=4, started_on=cadre.date_joined
            )
        if rng.random() < 0.6:
            Training.objects.create(
                cadre=cadre,
                kind=rng.choice(["dasar", "kka", "emas"]),
                date=add_months(today, -rng.randint(1, 30)),
                organiser="DPPKB Kab. Sumedang",
            )


def _families(rng, group, today, used_nik, count=25):
    for _index in range(count):
        mother = rng.choice(MOTHERS)
        born_mother = datetime.date(rng.randint(1988, 2002), rng.randint(1, 12), rng.randint(1, 28))
        nik = _nik(rng, born_mother, True)
        while nik in used_nik:
            nik = _nik(rng, born_mother, True)
        used_nik.add(nik)
        is_pus = rng.random() < 0.9
        family = Family.objects.create(
            group=group,
            mother_name=mother,
            mother_nik=nik if rng.random() < 0.8 else None,
            father_name=rng.choice(FATHERS),
            phone=f"08{rng.choice([12, 13, 21, 52, 57])}{rng.randint(10000000, 99999999)}",
            address=f"Kp. {rng.choice(['Cikuda', 'Sayang', 'Babakan', 'Cipacing', 'Ciawi'])}",
            rt=f"{rng.randint(1, 6):03d}",
            rw=group.rw,
            is_pus=is_pus,
            kb_method=rng.choice(["", "suntik", "suntik", "pil", "implan", "iud"]) if is_pus else "",
            welfare_stage=rng.choice(["pra_ks", "ks1", "ks1", "ks2", "ks3"]),
            is_pkh=rng.random() < 0.25,
            stunting_risk=rng.random() < 0.15,
            joined_on=add_months(today, -rng.randint(1, 24)),
        )
        for child_index in range(1 if rng.random() < 0.8 else 2):
            female = rng.random() < 0.5
            born = today - datetime.timedelta(days=rng.randint(20, 2150))
            if child_index == 1:
                born = today - datetime.timedelta(days=rng.randint(20, 700))
            Child.objects.create(
                family=family,
                name=f"{rng.choice(CHILDREN_F if female else CHILDREN_M)} {family.father_name.split()[-1]}",
                sex="F" if female else "M",
                birth_date=born,
                birth_weight_kg=round(rng.uniform(2.4, 3.9), 2),
                birth_length_cm=round(rng.uniform(46, 52), 1),
            )


# Six months of programme life up to last month -------------------------------
#
# Everything below is written through the app's own services (session_save,
# kka_check_save, measurement_record, home_visit_create, report_submit and
# report_verify), so the demo is refused by the same rules a cadre's entry is.
# Every query whose rows feed the random stream is ordered by a unique key:
# PostgreSQL returns ties (same birth date, same mother's name) in any order.

HISTORY_MONTHS = 6

# How far past a task's band the lagging children are kept, in months: the
# app's own thresholds for "owed" and for "needs referral" (families.kka).
OWED_LATE = (kka.OWED_AFTER_MONTHS, kka.REFER_AFTER_MONTHS)
REFER_LATE = (kka.REFER_AFTER_MONTHS, 2 * kka.REFER_AFTER_MONTHS)
DAYS_A_MONTH = 30.44


def _history(rng: random.Random, today: datetime.date) -> None:
    """Sessions with realistic attendance, KKA checks and marks, measurements, home visits, reports."""
    supervisor = User.objects.get(username="pkb")
    months = [Month.of(today).back(n) for n in range(HISTORY_MONTHS, 0, -1)]
    children = list(Child.objects.select_related("family__group").order_by("pk"))
    tracks = _growth_tracks(rng, children)
    cards = _Cards(rng, Instrument.objects.get(active=True), children, end=months[-1].last)
    for child in children:
        cards.before_history(child, months[0].first - datetime.timedelta(days=1))
    topics = list(Topic.objects.filter(active=True).order_by("pk"))
    for group in BkbGroup.objects.order_by("pk"):
        group_children = [c for c in children if c.family.group_id == group.pk]
        leading = CadreRole.objects.filter(group=group).exclude(age_group=None).order_by("pk")
        cadres = list(leading.values_list("cadre_id", flat=True))
        for month in months:
            _month_of_group(rng, group, month, group_children, cadres[:2], topics, cards, tracks)
        _reports(rng, group, months, supervisor)
    _referral(cards, children, months[-1])


def _growth_tracks(rng: random.Random, children: list[Child]) -> dict[int, tuple[float, float]]:
    """Each child's own place on the WHO curves (length-for-age and weight-for-length z).

    A few are stunted; all are kept inside what real children show, so every
    measurement passes the app's own checks.
    """
    return {
        c.pk: (
            _clamp(rng.gauss(-0.7, 0.9) - (1.6 if rng.random() < 0.08 else 0), -4, 3),
            _clamp(rng.gauss(-0.2, 0.9), -3, 3),
        )
        for c in children
    }


class _Cards:
    """The children's KKA cards: which tasks each does when, and a few who lag behind.

    Most children keep up; a few owe a task (watch), one or two need referral:
    each lagging child skips one task for good.
    """

    def __init__(self, rng: random.Random, instrument: Instrument, children: list[Child], *, end: datetime.date):
        self.rng = rng
        self.instrument = instrument
        self.milestones: list[Milestone] = list(instrument.milestones.order_by("pk"))
        self.end = end
        self.recorded: dict[int, set[int]] = {}
        self.skipped: dict[int, int] = {}
        for late, count in ((REFER_LATE, 2), (OWED_LATE, 12)):
            candidates = [c for c in children if c.pk not in self.skipped and self.task_late_by(c, late)]
            for child in rng.sample(candidates, min(count, len(candidates))):
                self.skipped[child.pk] = self.task_late_by(child, late)

    def task_late_by(self, child: Child, late: tuple[int, int]) -> int | None:
        """A task that, left undone, is `late` months past its band at the end of last month."""
        age = _age_months(child, self.end)
        return next((m.pk for m in self.milestones if late[0] + 0.5 <= age - m.band_end_month < late[1]), None)

    def due(self, child: Child, on: datetime.date) -> list[Milestone]:
        """Tasks the child does by `on`, except a lagging child's skipped one."""
        age = _age_months(child, on)
        done = [
            m
            for m in self.milestones
            if m.band_end_month <= age or (m.band_start_month + 1 <= age and self.rng.random() < 0.5)
        ]
        return [m for m in done if m.pk != self.skipped.get(child.pk)]

    def before_history(self, child: Child, before: datetime.date) -> None:
        """What happened before the six months is on the card already, checked then."""
        if child.birth_date >= before:
            return
        age = _age_months(child, before)
        marks = [m for m in self.due(child, before) if m.band_end_month <= age]
        kka_check_save(
            child=child,
            instrument=self.instrument,
            on=before,
            marks={
                m.pk: min(before, add_months(child.birth_date, m.band_end_month) - datetime.timedelta(days=7))
                for m in marks
            },
        )
        self.recorded[child.pk] = {m.pk for m in marks}

    def check_at_session(self, child: Child, day: datetime.date) -> None:
        """The cadre checks the card at the session and ticks what the child now does."""
        done_before = self.recorded.setdefault(child.pk, set())
        new = [m for m in self.due(child, day) if m.pk not in done_before]
        kka_check_save(child=child, instrument=self.instrument, on=day, marks={m.pk: day for m in new})
        done_before.update(m.pk for m in new)


def _month_of_group(rng, group, month, group_children, cadres, topics, cards, tracks) -> None:
    """One session of the group: who came, their children's KKA and measurements, home visits."""
    day = month.first.replace(day=rng.randint(8, 20))
    members = list(Family.objects.filter(group=group).members_on(day).order_by("pk"))
    present = [f for f in members if rng.random() < 0.68]
    session = _session(rng, group, day, present, group_children, cadres, topics)
    present_ids = {f.pk for f in present}
    for child in group_children:
        if child.family_id not in present_ids or child.birth_date >= day:
            continue
        cards.check_at_session(child, day)
        _measurement(rng, child, session, tracks[child.pk])
    # Demo only: the marks look made on the session day, not on the day the demo was built.
    MilestoneRecord.objects.filter(session=session).update(
        recorded_at=datetime.datetime.combine(day, datetime.time(3), tzinfo=datetime.UTC)
    )
    _home_visits(rng, [f for f in members if f.pk not in present_ids], day)


def _session(rng, group, day, present, group_children, cadres, topics) -> CoachingSession:
    """The session with the two first leading cadres and who came (with one of the family's children)."""
    entries = []
    for family in present:
        kids = [c for c in group_children if c.family_id == family.pk and c.birth_date <= day]
        entries.append(
            AttendanceEntry(family.pk, rng.choice(["ibu"] * 8 + ["ayah", "lain"]), kids[0].pk if kids else None)
        )
    session = CoachingSession(
        group=group,
        date=day,
        place=group.meeting_place,
        age_groups=[0, 1, 2, 3, 4, 5],
        topic=rng.choice(topics),
        ape_used=rng.choice(["", "Balok susun", "Boneka tangan", "Puzzle"]),
    )
    return session_save(session=session, cadres={cid: "inti" for cid in cadres}, attendance=entries, user=None)


def _measurement(rng, child: Child, session: CoachingSession, track: tuple[float, float]) -> None:
    """Weight and length/height at the session, near the child's own track."""
    haz, whz = track
    day = session.date
    position = default_position(child, day)
    weight, height = synthetic_measurement(
        child.sex,
        (day - child.birth_date).days,
        haz + rng.gauss(0, 0.05),
        whz + rng.gauss(0, 0.1),
        standing=position == "standing",
    )
    measurement_record(
        child=child,
        date=day,
        weight_kg=weight,
        height_cm=height,
        position=position,
        session=session,
        confirmed=True,
    )


def _home_visits(rng, absent: list[Family], day: datetime.date) -> None:
    """About half the families who missed the session get a visit within the next days."""
    for family in absent:
        if rng.random() < 0.5:
            home_visit_create(
                family=family,
                date=day + datetime.timedelta(days=rng.randint(2, 9)),
                met=rng.choice(["ibu", "ibu", "lain", "tidak_ada"]),
                note="Diingatkan jadwal pertemuan berikutnya.",
                user=None,
            )


def _reports(rng, group: BkbGroup, months: list[Month], supervisor: User) -> None:
    """The chair sends each month's report around its due date; the PKB verifies all but the last."""
    chair = User.objects.filter(cadre__roles__group=group, cadre__roles__role="ketua").order_by("pk").first()
    for month in months:
        submitted_on = month.due + datetime.timedelta(days=rng.choice([-2, -1, 0, 0, 3]))
        if month == months[-1] and rng.random() < 0.4:
            continue  # some groups have not sent last month's report yet
        # Early in a month last month's report may not be due yet: never sent in the future.
        submitted_at = min(
            datetime.datetime.combine(submitted_on, datetime.time(10), tzinfo=datetime.UTC), timezone.now()
        )
        report = report_submit(group=group, month=month, user=chair, now=submitted_at)
        if month != months[-1]:
            report_verify(report=report, user=supervisor)


def _referral(cards: _Cards, children: list[Child], last: Month) -> None:
    """One of the children who need referral has been referred.

    Written directly: the app records a referral through its form in the view,
    with no service to call.
    """
    refer = [c for c in children if c.pk in cards.skipped and cards.task_late_by(c, REFER_LATE) == cards.skipped[c.pk]]
    if refer:
        Referral.objects.create(
            child=refer[0],
            date=last.first + datetime.timedelta(days=12),
            referred_to="Puskesmas Jatinangor",
            reason="Tugas perkembangan terhutang lebih dari 3 bulan.",
        )


def _age_months(child: Child, on: datetime.date) -> float:
    """Age in fractional months, for drawing when a task is done (not the app's completed months)."""
    return (on - child.birth_date).days / DAYS_A_MONTH


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
