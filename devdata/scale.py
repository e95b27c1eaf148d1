"""A kabupaten at full size, for measuring (`manage.py seed_scale`, `make bench`).

~20 kecamatan, ~300 desa, the groups, 4 cadres a group, ~40 member families
and ~45 children a group, N months of monthly sessions with attendance,
measurements (WHO z-scores computed by families.growth), KKA marks, home
visits and submitted monthly reports.

Built for speed on PostgreSQL: rows are generated in Python with primary keys
assigned here, then streamed with COPY (psycopg ``cursor.copy``), with
foreign-key triggers off for the load (``session_replication_role=replica``;
the keys are consistent by construction). Deterministic for a given seed and
`today`. Only PostgreSQL is supported.

Reference data loaded by migrations (the active KKA instrument, the topics)
is used as is; `reset()` empties every other app table.
"""

import datetime
import json
import multiprocessing
import os
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from bkb.lib.ages import PROGRAMME_END_MONTHS, add_months, age_group, age_in_months, born_after_for_programme
from bkb.lib.inputs import search_key
from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole, Training
from devdata.demo import CADRES, CHILDREN_F, CHILDREN_M, FATHERS, MOTHERS
from families import growth, kka
from families.measurements import position_for_age, zscores_for
from families.models import Child, Family, KkaCheck, Measurement, Milestone, MilestoneRecord
from groups.models import Area, BkbGroup, User
from reports import kept
from reports.documents import group_reports_data
from reports.models import GroupMonthFigures, MonthlyReport
from sessions.models import Attendance, CoachingSession, HomeVisit, SessionCadre, Topic

SCALE_PASSWORD = "bkb-bench"
SCALE_KABUPATEN = "Skala"
SCALE_PROVINSI = "Jawa Barat (skala)"
REGION = "3299"  # not a real kabupaten code: the data is invented

KECAMATAN_NAMES = [
    "Cibeber", "Cikadu", "Cilaku", "Cipanas", "Ciranjang", "Cugenang", "Gekbrong", "Haurwangi",
    "Karangtengah", "Mande", "Naringgul", "Pacet", "Sukaluyu", "Sukanagara", "Sukaresmi", "Takokak",
    "Tanggeung", "Warungkondang", "Agrabinta", "Bojongpicung", "Campaka", "Cidaun", "Kadupandak", "Leles",
]  # fmt: skip
DESA_PREFIX = ["Suka", "Cipta", "Mekar", "Sindang", "Karya", "Jaya", "Harja", "Giri", "Wangun", "Sari", "Mulya"]
DESA_SUFFIX = ["mulya", "jaya", "sari", "asih", "wangi", "rahayu", "makmur", "galih", "laksana", "manah", "tani"]
FLOWERS = [
    "Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Teratai", "Kamboja",
    "Sakura", "Tulip", "Seruni", "Asoka", "Bougenville", "Lili", "Aster",
]  # fmt: skip
EXTRA_MOTHERS = ["Ade", "Enung", "Iin", "Komala", "Lina", "Mimin", "Oneng", "Rika", "Susi", "Yati", "Euis", "Nur"]
EXTRA_SURNAMES = ["Rahayu", "Kurniasih", "Suryani", "Marlina", "Nurjanah", "Rosita", "Apriani", "Hasanah"]

# The cadres of a group, as in devdata.demo: the chair also leads 4-5 years.
CADRE_ROLES = [("ketua", None), ("inti", 0), ("inti", 2), ("piket", 1)]
FAMILIES_PER_GROUP = 40
CHILDREN_PER_GROUP = 45
ALUMNI_PER_GROUP = 6  # families whose child turned 6 during the window: they left
ATTENDANCE_MEAN = 0.65
DATA_TABLES = [
    KkaCheck, MilestoneRecord, Measurement, Attendance, SessionCadre, HomeVisit, CoachingSession, MonthlyReport,
    Training, CadreRole, Cadre, Child, Family, BkbGroup,
]  # fmt: skip


def _table(model) -> str:
    return model._meta.db_table


def _columns(model, names: list[str]) -> str:
    return ", ".join(model._meta.get_field(name).column if name != "id" else "id" for name in names)


class Ids:
    """Primary keys handed out here, after whatever the table already holds."""

    def __init__(self):
        self._next: dict[str, int] = {}

    def take(self, model) -> int:
        table = _table(model)
        if table not in self._next:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
                self._next[table] = cursor.fetchone()[0] + 1
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def sync_sequences(self) -> None:
        with connection.cursor() as cursor:
            for table in self._next:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )


def copy_rows(model, names: list[str], rows) -> int:
    """COPY `rows` (tuples in `names` order) into the model's table; returns the count."""
    count = 0
    sql = f'COPY "{_table(model)}" ({_columns(model, names)}) FROM STDIN'
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def copy_m2m(table: str, names: list[str], rows) -> None:
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({", ".join(names)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def reset() -> None:
    """Empty every app data table (users too); keep instruments, milestones, topics."""
    tables = [_table(m) for m in DATA_TABLES] + [
        _table(Area),
        _table(User),
        "reports_batchprint",
        "django_session",
        "django_admin_log",
        "families_referral",
        "cadres_supervisionvisit",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(chr(34) + t + chr(34) for t in tables)} RESTART IDENTITY CASCADE")


# --- the plan -------------------------------------------------------------------------------


@dataclass
class KidPlan:
    id: int
    family: "FamPlan"
    sex: str
    birth: datetime.date
    haz: float  # the child's own place on WHO's curves: length/height-for-age z
    whz: float  # and weight-for-length/height z


@dataclass
class FamPlan:
    id: int
    joined: datetime.date
    left: datetime.date | None
    propensity: float  # chance of coming to a session
    kids: list = field(default_factory=list)


@dataclass
class GroupPlan:
    id: int
    number: int
    kecamatan_index: int
    meeting_day: int
    cadre_ids: list = field(default_factory=list)
    user_id: int = 0
    families: list = field(default_factory=list)


def _nik(counter: dict, region: str, born: datetime.date, female: bool) -> str:
    """A 16-digit NIK: region (6), birth date (women +40 on the day), serial (4), unique."""
    head = f"{region}{born.day + (40 if female else 0):02d}{born:%m%y}"
    counter[head] = counter.get(head, 0) + 1
    if counter[head] > 9999:
        raise ValueError("NIK serials exhausted")
    return f"{head}{counter[head]:04d}"


def _weekday_in_month(first: datetime.date, weekday: int, week: int) -> datetime.date:
    """The `week`-th (0-based) `weekday` of the month starting on `first`."""
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * week)


class ScaleSeeder:
    def __init__(self, *, groups: int, months: int, seed: int, today: datetime.date, out=print, workers=None):
        self.n_groups = groups
        self.workers = workers or min(4, os.cpu_count() or 1)
        self.months = months
        self.rng = random.Random(seed)
        self.today = today
        self.out = out
        self.ids = Ids()
        self.phase_times: list[tuple[str, float, int]] = []
        self.nik_counter: dict[str, int] = {}
        self.kk_counter: dict[str, int] = {}
        # The current month is included: its session is on or before today.
        this_month = today.replace(day=1)
        self.month_starts = [add_months(this_month, -back) for back in range(months - 1, -1, -1)]
        self.window_start = self.month_starts[0]
        self.now = datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=datetime.UTC)

    def _phase(self, name: str, started: float, rows: int) -> None:
        elapsed = time.perf_counter() - started
        self.phase_times.append((name, elapsed, rows))
        self.out(f"  {name:<28} {rows:>10,} rows  {elapsed:7.1f} s")

    def run(self) -> list[tuple[str, float, int]]:
        if connection.vendor != "postgresql":
            raise RuntimeError("seed_scale needs PostgreSQL (it loads with COPY)")
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            self._areas_and_users()
            self._groups_and_cadres()
            self._families_and_children()
            self._sessions()
            self._kka_marks()
            self.ids.sync_sequences()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
        # The reports count the loaded rows with the app's own queries: the
        # planner needs the tables' statistics first.
        self._analyze()
        self._reports()
        self.ids.sync_sequences()
        started = time.perf_counter()
        self._phase("phone logins", started, phone_users(self.kab_path))
        self._kept()
        self._analyze()
        return self.phase_times

    def _kept(self) -> None:
        """Every kept row current for `today`, as the worker's nightly run leaves them: the children's
        status, the current and previous month, the reports' months marked stale by the reports phase."""
        started = time.perf_counter()
        done = kept.nightly(on=self.today)
        self._phase("kept figures (nightly)", started, done["rows"])

    def _analyze(self) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._phase("analyze", started, 0)

    # --- areas, users --------------------------------------------------------------------

    def _areas_and_users(self) -> None:
        started = time.perf_counter()
        rng = self.rng
        n_kec = max(1, min(len(KECAMATAN_NAMES), round(self.n_groups / 50)))
        n_desa = max(n_kec, round(self.n_groups * 0.3))
        area_rows = []

        def area(name, level, parent_id, parent_path, code=""):
            pk = self.ids.take(Area)
            path = f"{parent_path}{pk}/"
            area_rows.append((pk, name, level, parent_id, code, path))
            return pk, path

        self.provinsi_id, prov_path = area(SCALE_PROVINSI, Area.Level.PROVINSI, None, "/", "99")
        self.kabupaten_id, self.kab_path = area(
            SCALE_KABUPATEN, Area.Level.KABUPATEN, self.provinsi_id, prov_path, REGION
        )
        self.kecamatan = []  # (id, path, name)
        for k in range(n_kec):
            name = KECAMATAN_NAMES[k]
            pk, path = area(name, Area.Level.KECAMATAN, self.kabupaten_id, self.kab_path, f"{REGION}{k + 1:02d}")
            self.kecamatan.append((pk, path, name))
        self.desa = []  # (id, kecamatan index, name)
        used = set()
        for d in range(n_desa):
            k = d % n_kec
            name = f"{rng.choice(DESA_PREFIX)}{rng.choice(DESA_SUFFIX)}"
            while (k, name) in used:
                name = f"{name} {len([u for u in used if u[0] == k]) + 1}"
            used.add((k, name))
            pk, _path = area(name, Area.Level.DESA, self.kecamatan[k][0], self.kecamatan[k][1])
            self.desa.append((pk, k, name))
        copy_rows(Area, ["id", "name", "level", "parent", "code", "path"], area_rows)

        self.password = make_password(SCALE_PASSWORD)  # hashed once, shared by every account
        user_cols = [
            "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
            "is_staff", "is_active", "date_joined", "role", "phone", "must_change_password",
        ]  # fmt: skip
        self.user_rows = []
        self.user_area_rows = []
        admin_id = self.ids.take(User)
        self.user_rows.append(
            (admin_id, self.password, None, False, "admin_skala", "Admin", "Dinas KB", "", True, True, self.now,
             User.Role.ADMIN, "", False)
        )  # fmt: skip
        self.user_area_rows.append((admin_id, self.kabupaten_id))
        self.admin_id = admin_id
        self.supervisor_ids = []
        for k, (kec_id, _path, _name) in enumerate(self.kecamatan):
            pk = self.ids.take(User)
            self.user_rows.append(
                (pk, self.password, None, False, f"pkb{k + 1}", rng.choice(EXTRA_MOTHERS), "PKB", "", False, True,
                 self.now, User.Role.SUPERVISOR, "", False)
            )  # fmt: skip
            self.user_area_rows.append((pk, kec_id))
            self.supervisor_ids.append(pk)
        self._user_cols = user_cols
        self._phase("areas", started, len(area_rows))

    # --- groups, cadres --------------------------------------------------------------------

    def _groups_and_cadres(self) -> None:
        started = time.perf_counter()
        rng = self.rng
        group_rows, cadre_rows, role_rows, training_rows = [], [], [], []
        self.groups: list[GroupPlan] = []
        names_in_desa: dict[int, int] = {}
        for number in range(1, self.n_groups + 1):
            desa_id, k, _desa_name = self.desa[(number - 1) % len(self.desa)]
            seq = names_in_desa.get(desa_id, 0)
            names_in_desa[desa_id] = seq + 1
            flower = FLOWERS[seq % len(FLOWERS)]
            name = f"BKB {flower}" + (f" {seq // len(FLOWERS) + 1}" if seq >= len(FLOWERS) else "")
            gid = self.ids.take(BkbGroup)
            plan = GroupPlan(gid, number, k, rng.randint(0, 5))
            group_rows.append(
                (gid, name, desa_id, f"{seq + 1:02d}", rng.choice([2010, 2014, 2016, 2019, 2022]), "",
                 f"Posyandu {flower}", plan.meeting_day, rng.choice(["dasar", "berkembang", "paripurna"]),
                 rng.choice(["none", "satu_tempat", "terpisah"]), rng.random() < 0.7, True, self.now)
            )  # fmt: skip
            user_id = self.ids.take(User)
            plan.user_id = user_id
            for index, (role, age) in enumerate(CADRE_ROLES):
                cid = self.ids.take(Cadre)
                cname = rng.choice(CADRES)
                joined = add_months(self.today, -rng.choice([3, 8, 20, 40, 70, 100]))
                cadre_rows.append(
                    (cid, user_id if index == 0 else None, cname, None, f"0812{rng.randint(10000000, 99999999)}",
                     "F", rng.choice(["smp", "sma", "sma", "diploma"]), joined, True)
                )  # fmt: skip
                plan.cadre_ids.append((cid, role, age))
                role_rows.append((self.ids.take(CadreRole), cid, gid, role, age, joined))
                if index == 0:
                    role_rows.append((self.ids.take(CadreRole), cid, gid, "inti", 4, joined))
                    self.user_rows.append(
                        (user_id, self.password, None, False, f"kader{number}", cname.split()[0], "", "", False,
                         True, self.now, User.Role.CADRE, "", False)
                    )  # fmt: skip
                if rng.random() < 0.6:
                    training_rows.append(
                        (self.ids.take(Training), cid, rng.choice(["dasar", "kka", "emas"]),
                         add_months(self.today, -rng.randint(1, 30)), "DPPKB Kab. Skala")
                    )  # fmt: skip
            self.groups.append(plan)
        copy_rows(User, self._user_cols, self.user_rows)
        copy_m2m(User.areas.through._meta.db_table, ["user_id", "area_id"], self.user_area_rows)
        copy_rows(
            BkbGroup,
            ["id", "name", "desa", "rw", "year_formed", "decree_number", "meeting_place", "meeting_day", "stratum",
             "integration", "has_ape_kit", "active", "created_at"],
            group_rows,
        )  # fmt: skip
        copy_rows(
            Cadre, ["id", "user", "name", "nik", "phone", "sex", "education", "date_joined", "active"], cadre_rows
        )
        copy_rows(CadreRole, ["id", "cadre", "group", "role", "age_group", "started_on"], role_rows)
        copy_rows(Training, ["id", "cadre", "kind", "date", "organiser"], training_rows)
        self._phase("users, groups, cadres", started, len(group_rows) + len(cadre_rows) + len(self.user_rows))

    # --- families, children ----------------------------------------------------------------

    def _families_and_children(self) -> None:
        started = time.perf_counter()
        rng = self.rng
        family_rows, child_rows = [], []
        programme_start = born_after_for_programme(self.today)  # born after this: still in the programme today
        for plan in self.groups:
            region = f"{REGION}{plan.kecamatan_index + 1:02d}"
            # Current members: 45 children over 40 families (some have two).
            kids_per_family = [1] * FAMILIES_PER_GROUP
            for _ in range(CHILDREN_PER_GROUP - FAMILIES_PER_GROUP):
                kids_per_family[rng.randrange(FAMILIES_PER_GROUP)] += 1
            specs = [(n, False) for n in kids_per_family] + [(1, True) for _ in range(ALUMNI_PER_GROUP)]
            for n_kids, alumni in specs:
                fid = self.ids.take(Family)
                if alumni:
                    # Aged out of the programme during the window: the family left then.
                    end = PROGRAMME_END_MONTHS
                    births = [self.window_start - datetime.timedelta(days=rng.randint(end * 30, end * 30 + 600))]
                    births[0] = max(births[0], add_months(self.window_start, 1 - end))
                    left = add_months(births[0], end)
                    if left > self.today:
                        left = self.today
                else:
                    births = sorted(
                        programme_start + datetime.timedelta(days=rng.randint(1, (self.today - programme_start).days))
                        for _ in range(n_kids)
                    )
                    left = None
                joined = min(self.today, births[0] + datetime.timedelta(days=rng.randint(0, 240)))
                if rng.random() < 0.85:
                    joined = min(joined, add_months(self.window_start, -rng.randint(0, 12)))
                joined = max(joined, births[0]) if births[0] <= self.today else self.today
                if left is not None and left < joined:
                    left = joined
                mother_born = datetime.date(rng.randint(1985, 2003), rng.randint(1, 12), rng.randint(1, 28))
                mother = rng.choice(MOTHERS + [f"{a} {b}" for a in EXTRA_MOTHERS[:3] for b in EXTRA_SURNAMES[:3]])
                is_pus = rng.random() < 0.9
                kb = rng.choice(["", "suntik", "suntik", "pil", "implan", "iud", "kondom"]) if is_pus else ""
                phone = f"08{rng.randint(1000000000, 9999999999)}"
                father = rng.choice(FATHERS)
                family_rows.append(
                    (fid, plan.id, mother, "ibu", _nik(self.nik_counter, region, mother_born, True),
                     father, _nik(self.kk_counter, region, joined, False), phone, "",
                     f"Kp. {rng.choice(FLOWERS)} No. {rng.randint(1, 120)}", f"{rng.randint(1, 8):02d}",
                     f"{rng.randint(1, 12):02d}", is_pus, kb, rng.choice(["pra_ks", "ks1", "ks1", "ks2", "ks3"]),
                     rng.random() < 0.25, rng.random() < 0.15, joined, left, "",
                     f"{search_key(mother)}|{search_key(father)}", self.now, "id")
                )  # fmt: skip
                fam = FamPlan(fid, joined, left, min(0.97, max(0.2, rng.gauss(ATTENDANCE_MEAN, 0.18))))
                for born in births:
                    cid = self.ids.take(Child)
                    sex = rng.choice("MF")
                    name = rng.choice(CHILDREN_M if sex == "M" else CHILDREN_F)
                    nik = _nik(self.nik_counter, region, born, sex == "F") if rng.random() < 0.7 else None
                    bw = round(min(4.5, max(1.8, rng.gauss(3.1, 0.45))), 2)
                    bl = round(min(55.0, max(42.0, rng.gauss(49.0, 2.0))), 1)
                    child_rows.append((cid, fid, name, sex, born, nik, bw, bl, search_key(name), self.now))
                    haz = min(3, max(-4, rng.gauss(-0.9, 1.1)))
                    whz = min(3, max(-3, rng.gauss(-0.2, 1.0)))
                    fam.kids.append(KidPlan(cid, fam, sex, born, haz, whz))
                plan.families.append(fam)
        copy_rows(
            Family,
            ["id", "group", "mother_name", "caregiver", "mother_nik", "father_name", "kk_number", "phone", "whatsapp",
             "address", "rt", "rw", "is_pus", "kb_method", "welfare_stage", "is_pkh", "stunting_risk", "joined_on",
             "left_on", "notes", "search_key", "created_at", "language"],
            family_rows,
        )  # fmt: skip
        copy_rows(
            Child,
            [
                "id",
                "family",
                "name",
                "sex",
                "birth_date",
                "nik",
                "birth_weight_kg",
                "birth_length_cm",
                "search_key",
                "created_at",
            ],
            child_rows,
        )
        self._phase("families, children", started, len(family_rows) + len(child_rows))

    # --- sessions, attendance, measurements, home visits -----------------------------------

    def _measure(self, kid: KidPlan, day: datetime.date) -> tuple | None:
        age_days = (day - kid.birth).days
        if age_days < 0:
            return None
        rng = self.rng
        position = position_for_age(kid.birth, day)
        weight, height = growth.synthetic_measurement(
            kid.sex,
            age_days,
            kid.haz + rng.gauss(0, 0.15),
            kid.whz + rng.gauss(0, 0.25),
            standing=position == "standing",
        )
        scores = zscores_for(kid.sex, kid.birth, day, weight, height, position)
        return (weight, height, position, scores["haz"], scores["waz"], scores["whz"], scores["baz"])

    def _sessions(self) -> None:
        started = time.perf_counter()
        rng = self.rng
        topics = list(Topic.objects.filter(active=True).order_by("order", "pk").values_list("pk", flat=True))
        session_rows, cadre_rows, attendance_rows, measurement_rows, visit_rows = [], [], [], [], []
        for plan in self.groups:
            for first in self.month_starts:
                day = _weekday_in_month(first, plan.meeting_day, rng.randint(1, 2))
                if day > self.today:
                    day = self.today if first <= self.today else None
                if day is None or day < first:
                    continue
                sid = self.ids.take(CoachingSession)
                topic = topics[(first.month + plan.number) % len(topics)]
                session_rows.append(
                    (sid, plan.id, day, "Posyandu", json.dumps([0, 1, 2, 3, 4, 5]), topic,
                     rng.choice(["", "balok susun", "buku cerita", "puzzle"]), "", "", plan.user_id, self.now, self.now)
                )  # fmt: skip
                for cid, role, _age in plan.cadre_ids:
                    if role in ("inti", "piket", "ketua"):
                        cadre_rows.append(
                            (self.ids.take(SessionCadre), sid, cid, "piket" if role == "piket" else "inti")
                        )
                for fam in plan.families:
                    if fam.joined > day or (fam.left is not None and fam.left <= day):
                        continue
                    kids = [k for k in fam.kids if age_group(k.birth, day) is not None]
                    if rng.random() < fam.propensity:
                        youngest = kids[-1].id if kids else None
                        attendee = "ibu" if rng.random() < 0.9 else rng.choice(["ayah", "lain"])
                        attendance_rows.append((self.ids.take(Attendance), sid, fam.id, youngest, attendee))
                        for kid in kids:
                            m = self._measure(kid, day)
                            if m is None:
                                continue
                            measurement_rows.append(
                                # Drawn from the WHO curves: never an unlikely value to confirm.
                                (
                                    self.ids.take(Measurement),
                                    kid.id,
                                    day,
                                    *m,
                                    None,
                                    None,
                                    sid,
                                    plan.user_id,
                                    self.now,
                                    False,
                                )
                            )
                    else:
                        if rng.random() < 0.5:
                            visit_day = min(self.today, day + datetime.timedelta(days=rng.randint(1, 10)))
                            visit_rows.append(
                                (self.ids.take(HomeVisit), fam.id, visit_day, "ibu", "", plan.user_id, self.now)
                            )
        copy_rows(
            CoachingSession,
            ["id", "group", "date", "place", "age_groups", "topic", "ape_used", "supervising_agency", "notes",
             "created_by", "created_at", "updated_at"],
            session_rows,
        )  # fmt: skip
        copy_rows(SessionCadre, ["id", "session", "cadre", "role"], cadre_rows)
        copy_rows(Attendance, ["id", "session", "family", "child", "attendee"], attendance_rows)
        self._phase("sessions, attendance", started, len(session_rows) + len(attendance_rows) + len(cadre_rows))
        started = time.perf_counter()
        copy_rows(
            Measurement,
            ["id", "child", "date", "weight_kg", "height_cm", "position", "haz", "waz", "whz", "baz", "head_cm",
             "arm_cm", "session", "recorded_by", "created_at", "confirmed_unlikely"],
            measurement_rows,
        )  # fmt: skip
        copy_rows(HomeVisit, ["id", "family", "date", "met", "note", "visited_by", "created_at"], visit_rows)
        self._phase("measurements, home visits", started, len(measurement_rows) + len(visit_rows))

    # --- KKA marks ---------------------------------------------------------------------------

    def _kka_marks(self) -> None:
        started = time.perf_counter()
        milestones = list(
            Milestone.objects.filter(instrument__active=True).values_list("pk", "band_start_month", "band_end_month")
        )
        if not milestones:
            self._phase("KKA marks (no active instrument)", started, 0)
            return
        rng = self.rng
        tz = datetime.UTC
        first_id = self.ids.take(MilestoneRecord)  # no query may run while COPY streams
        next_id = iter(range(first_id, 1 << 62))

        def rows():
            for plan in self.groups:
                for fam in plan.families:
                    for kid in fam.kids:
                        last_day = fam.left or self.today
                        age = age_in_months(kid.birth, last_day)
                        # A few children have a task owed (3+ months late) or to refer (6+).
                        late = [m for m in milestones if m[2] + kka.OWED_AFTER_MONTHS <= age]
                        skipped = set()
                        if late and rng.random() < 0.15:
                            skipped.add(rng.choice(late)[0])
                        for pk, band_start, band_end in milestones:
                            if band_start > age or pk in skipped:
                                continue
                            # Done somewhere in its band (a little after, now and then).
                            months = rng.uniform(band_start, band_end + (1.5 if rng.random() < 0.2 else 0))
                            day = kid.birth + datetime.timedelta(days=int(months * 30.44))
                            if day > last_day:
                                continue
                            recorded = datetime.datetime.combine(day, datetime.time(3, 0), tzinfo=tz)
                            yield (next(next_id), kid.id, pk, day, None, plan.user_id, recorded)

        count = copy_rows(
            MilestoneRecord,
            ["id", "child", "milestone", "achieved_on", "session", "recorded_by", "recorded_at"],
            rows(),
        )
        self.ids._next[_table(MilestoneRecord)] = first_id + count
        self._phase("KKA marks", started, count)
        self._kka_checks(milestones)

    def _kka_checks(self, milestones) -> None:
        """KKA checks: one before the window (the card was filled then), then most months
        mid-month while the child is in the programme. Deterministic, so the random stream
        of the other phases is untouched."""
        started = time.perf_counter()
        instrument_id = Milestone.objects.filter(pk=milestones[0][0]).values_list("instrument_id", flat=True).get()
        before = self.window_start - datetime.timedelta(days=1)
        first_id = self.ids.take(KkaCheck)  # no query may run while COPY streams
        next_id = iter(range(first_id, 1 << 62))
        created = datetime.datetime.combine(self.today, datetime.time(3, 0), tzinfo=datetime.UTC)

        def rows():
            for plan in self.groups:
                for fam in plan.families:
                    for kid in fam.kids:
                        last_day = fam.left or self.today
                        days = [before] if kid.birth < before else []
                        for n, month in enumerate(self.month_starts):
                            day = month + datetime.timedelta(days=14)
                            if kid.birth <= day <= last_day and (kid.id * 7 + n) % 10 < 7:
                                days.append(day)
                        for day in days:
                            yield (next(next_id), kid.id, instrument_id, day, plan.user_id, None, None, created)

        count = copy_rows(
            KkaCheck,
            ["id", "child", "instrument", "date", "checked_by", "session", "home_visit", "created_at"],
            rows(),
        )
        self.ids._next[_table(KkaCheck)] = first_id + count
        self._phase("KKA checks", started, count)

    # --- monthly reports ---------------------------------------------------------------------

    def _reports(self) -> None:
        """Submitted reports for the complete months; the last one about 60 % submitted so far.

        Each snapshot is what submitting would freeze: reports.documents
        computes it for a set of groups and a month at once, its counts taken
        from the kept rows it fills first (reports.kept.live_counts), so a
        frozen report holds its month's live figures. That computation is
        the seed's slow part; it runs in `workers` processes, each on its own
        share of the groups (their kept-row locks never meet). Who submitted
        and when is drawn here first, in one order, so the data does not
        depend on the number of workers.
        """
        started = time.perf_counter()
        rng = self.rng
        complete = [m for m in self.month_starts if add_months(m, 1) <= self.today]
        heads: dict[int, list[tuple]] = {plan.id: [] for plan in self.groups}
        for first in complete:
            latest = first == complete[-1]
            month = Month.of(first)
            for plan in self.groups:
                if latest and rng.random() > 0.6:
                    continue
                k = self.desa[(plan.number - 1) % len(self.desa)][1]
                submitted = datetime.datetime.combine(add_months(first, 1), datetime.time(2, 0), tzinfo=datetime.UTC)
                submitted += datetime.timedelta(days=rng.randint(0, 5))
                verified = not latest and rng.random() < 0.9
                status = MonthlyReport.Status.VERIFIED if verified else MonthlyReport.Status.SUBMITTED
                # Late as report_submit judges it: sent after the month's due day, local time.
                late = timezone.localdate(submitted) > month.due
                heads[plan.id].append(
                    (self.ids.take(MonthlyReport), plan.id, first, 1, status, None, plan.user_id, submitted, late,
                     self.supervisor_ids[k] if verified else None, submitted if verified else None, "", None, True)
                )  # fmt: skip
        group_ids = [plan.id for plan in self.groups]
        workers = max(1, min(self.workers, len(group_ids)))
        size = -(-len(group_ids) // workers)
        shares = [
            (group_ids[i : i + size], complete, {gid: heads[gid] for gid in group_ids[i : i + size]})
            for i in range(0, len(group_ids), size)
        ]
        if workers == 1:
            count = sum(_freeze_reports(share) for share in shares)
        else:
            # Forked workers open their own connections: none may be open across the fork.
            connections.close_all()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                count = sum(pool.map(_freeze_reports, shares))
        self._phase(f"monthly reports ({workers} workers)", started, count)


REPORT_COLUMNS = [
    "id", "group", "month", "version", "status", "snapshot", "submitted_by", "submitted_at", "is_late",
    "reviewed_by", "reviewed_at", "review_comment", "replaces", "is_current",
]  # fmt: skip


def _freeze_reports(share) -> int:
    """A worker's share: for each month, its groups' report data, then their reports with it frozen.

    The kept rows the data was counted into say "live"; the groups that now
    have a report get theirs marked stale, and the seed's nightly run
    rewrites them from the reports.
    """
    group_ids, months, heads = share
    groups = BkbGroup.objects.filter(pk__in=group_ids)
    count = 0
    try:
        for first in months:
            snapshots = group_reports_data(groups, Month.of(first))
            rows = [
                (*head[:5], json.dumps(snapshots[head[1]]), *head[6:])
                for group_id in group_ids
                for head in heads[group_id]
                if head[2] == first
            ]
            with transaction.atomic():
                count += copy_rows(MonthlyReport, REPORT_COLUMNS, rows)
                GroupMonthFigures.objects.filter(month=first, group_id__in=[row[1] for row in rows]).update(stale=True)
    finally:
        connection.close()
    return count


def seed_scale(*, groups: int, months: int, seed: int, today: datetime.date, out=print, workers=None):
    return ScaleSeeder(groups=groups, months=months, seed=seed, today=today, out=out, workers=workers).run()


# Cadres with a login of their own, per group: the chair (kaderN, made with the group) and the
# next cadre (kaderNb). The load test's cadres on phones are that many distinct people.
PHONE_USERS_PER_GROUP = 2


def phone_users(kab_path: str, per_group: int = PHONE_USERS_PER_GROUP) -> int:
    """Give each group of the kabupaten at `kab_path` `per_group` cadres with a login; returns how many
    logins were made (none when an earlier run made them). They share the seed's password hash."""
    roles = (
        CadreRole.objects.filter(group__desa__path__startswith=kab_path)
        .select_related("cadre__user")
        .order_by("group_id", "cadre_id")
    )
    by_group: dict[int, dict[int, Cadre]] = {}
    for role in roles:
        by_group.setdefault(role.group_id, {})[role.cadre_id] = role.cadre
    hashed = User.objects.filter(username="admin_skala").values_list("password", flat=True).first()
    made: list[tuple[Cadre, User]] = []
    for cadres in by_group.values():
        chair = next((c.user for c in cadres.values() if c.user and c.user.username.startswith("kader")), None)
        if chair is None:
            continue
        without = [c for c in cadres.values() if c.user_id is None]
        wanted = per_group - (len(cadres) - len(without))
        for suffix, cadre in zip("bcdefgh", without[: max(0, wanted)], strict=False):
            user = User(username=f"{chair.username}{suffix}", password=hashed, role=User.Role.CADRE,
                        first_name=cadre.name.split()[0], is_active=True)  # fmt: skip
            made.append((cadre, user))
    if made:
        with transaction.atomic():
            User.objects.bulk_create([user for _cadre, user in made], batch_size=1000)
            for cadre, user in made:
                cadre.user = user
            Cadre.objects.bulk_update([cadre for cadre, _user in made], ["user"], batch_size=1000)
    return len(made)


def is_seeded(min_groups: int) -> bool:
    return (
        Area.objects.filter(name=SCALE_KABUPATEN, level=Area.Level.KABUPATEN).exists()
        and BkbGroup.objects.filter(desa__path__startswith=scale_kabupaten().path).count() >= min_groups
    )


def scale_kabupaten() -> Area:
    return Area.objects.get(name=SCALE_KABUPATEN, level=Area.Level.KABUPATEN)
