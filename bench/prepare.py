"""Preparing the bench: the database, seeded once, and the objects every measurement works on.

The database is created if missing (loopback only) and migrated; `seed_scale` fills it once
(it ends with ANALYZE) and later runs reuse it. Django imports stay inside the functions:
run.py sets up Django only after the database exists.
"""

import re
import time

from bench.common import log


def ensure_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"bench runs on loopback only; DATABASE_URL host is {parts.hostname!r}")
    name = parts.path.lstrip("/")
    admin = url.replace(parts.path, "/postgres", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate_and_seed(args, *, groups: int | None = None) -> dict:
    """Migrate, seed `groups` x `args.months` unless a large enough kabupaten is there, and make the
    kept figures current (a database seeded before they existed gets them filled here, timed)."""
    from django.core.management import call_command

    from devdata.scale import is_seeded, phone_users, reset, scale_kabupaten, seed_scale
    from groups.models import BkbGroup

    groups = groups or args.groups
    info = {"seeded_now": False, "seed_seconds": None, "seed_phases": [], "kept_fill": None}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    info["migrate_seconds"] = time.perf_counter() - started
    if not is_seeded(groups):
        log(f"seeding {groups} groups x {args.months} months (once; later runs reuse it)")
        started = time.perf_counter()
        if BkbGroup.objects.exists():
            reset()
        info["seed_phases"] = seed_scale(
            groups=groups, months=args.months, seed=args.seed, today=_today(), out=lambda line: log(line.strip())
        )
        info.update(seeded_now=True, seed_seconds=time.perf_counter() - started)
    else:
        log("database already seeded: reusing it")
        made = phone_users(scale_kabupaten().path)
        if made:
            log(f"{made} more cadres given a phone login (seeded before there were two a group)")
        info["kept_fill"] = kept_fill()
    return info


def _today():
    from django.utils import timezone

    return timezone.localdate()


def kept_fill() -> dict | None:
    """Fill the kept figures of a database seeded before they existed: the nightly run does it
    (the 12 months' rows are missing, so it writes them all); timed. None when they are current."""
    from reports import kept
    from reports.models import GroupMonthFigures
    from sessions.models import KeptState

    today = _today()
    current = GroupMonthFigures.objects.filter(month=today.replace(day=1)).exists()
    children = KeptState.objects.filter(children_on=today).exists()
    if current and children and not GroupMonthFigures.objects.filter(stale=True).exists():
        return None
    log("filling the kept figures (reports.kept.nightly): this database was seeded before them")
    started = time.perf_counter()
    done = kept.nightly(on=today)
    done["seconds"] = time.perf_counter() - started
    log(f"kept figures filled: {done['rows']:,} group-month rows in {done['seconds']:.1f} s")
    return done


def search_plans(queries: list[str]) -> list[dict]:
    """EXPLAIN the kabupaten family search as the search page runs it, for each query: the indexes the
    plan reads (the trigram ones for names), and how many families match."""
    from django.db import connection

    from devdata.scale import scale_kabupaten
    from families.models import Family
    from families.services import search_families

    families = Family.objects.filter(group__desa__path__startswith=scale_kabupaten().path)
    plans = []
    for query in queries:
        found = search_families(families, query)
        ordered = found.select_related("group__desa").order_by("mother_name", "pk")[:51]
        sql, params = ordered.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        indexes = sorted(set(re.findall(r"Index (?:Only )?Scan (?:using |on )(\w+)", plan)))
        plans.append({"query": query, "matches": found.count(), "of": families.count(),
                      "search_indexes": [i for i in indexes if "trgm" in i or "like" in i or "nik" in i],
                      "plan": plan})  # fmt: skip
    return plans


def session_payload(session):
    """The POST the session screen sends to save `session` unchanged (attendance as stored)."""
    from django.http import QueryDict

    from cadres.models import Cadre

    data = QueryDict(mutable=True)
    data["date"] = session.date.isoformat()
    data["place"] = session.place
    data.setlist("age_groups", [str(v) for v in session.age_groups])
    data["topic"] = str(session.topic_id)
    data["ape_used"] = session.ape_used
    data["supervising_agency"] = session.supervising_agency
    data["notes"] = session.notes
    ran = dict(session.session_cadres.values_list("cadre_id", "role"))
    for cadre in Cadre.objects.filter(roles__group=session.group_id, active=True).distinct():
        data[f"cadre_{cadre.pk}"] = ran.get(cadre.pk, "")
    attendance = list(session.attendances.all())
    data.setlist("hadir", [str(a.family_id) for a in attendance])
    for a in attendance:
        data[f"attendee_{a.family_id}"] = a.attendee
        data[f"child_{a.family_id}"] = str(a.child_id or "")
    return data


def context() -> dict:
    """The users, areas, group, child, month and queries the measurements use, from the seeded data."""
    from django.db.models import Count
    from django.utils import timezone

    from bkb.lib.months import Month
    from devdata.scale import SCALE_PASSWORD, scale_kabupaten
    from families.models import Child, Family
    from groups.models import Area, BkbGroup, User
    from reports.models import MonthlyReport
    from sessions.models import CoachingSession
    from sessions.selectors import roster

    today = timezone.localdate()
    kab = scale_kabupaten()
    cadre_user = User.objects.get(username="kader1")
    group = BkbGroup.objects.filter(cadre_roles__cadre__user=cadre_user, cadre_roles__role="ketua").get()
    kecamatans = list(Area.objects.filter(parent=kab).order_by("pk"))
    kec = group.desa.parent
    month = Month.of(today).previous()
    session = CoachingSession.objects.filter(group=group).order_by("-date").first()
    children = Child.objects.filter(family__group=group).in_programme_on(today)
    child = min(children, key=lambda c: abs(c.age_months(today) - 30))
    family = Family.objects.filter(group=group).order_by("pk").first()
    no_report = BkbGroup.objects.filter(desa__path__startswith=kab.path).exclude(
        pk__in=MonthlyReport.objects.filter(month=month.first).values("group_id")
    )
    desa = Area.objects.filter(pk=group.desa_id).annotate(n=Count("bkb_groups")).get()
    return {
        "today": today,
        "kabupaten": kab,
        "kecamatan": kec,
        "kecamatans": kecamatans,
        "desa": desa,
        "desa_groups": desa.n,
        "kec_groups": BkbGroup.objects.filter(desa__path__startswith=kec.path).count(),
        "kab_groups": BkbGroup.objects.filter(desa__path__startswith=kab.path).count(),
        "group": group,
        "pdf_group": no_report.order_by("pk").first() or group,
        "month": month,
        "session": session,
        "session_payload": session_payload(session),
        "members": Family.objects.filter(group=group).members_on(today).count(),
        "roster_children": sum(len(b.children) for b in roster(group, on=today).bands),
        "child": child,
        "name_query": family.mother_name.split()[-1][:5].lower(),
        "full_name_query": family.mother_name.lower(),
        "nik_query": family.mother_nik[:8],
        "cadre_user": cadre_user,
        "admin_user": User.objects.get(username="admin_skala"),
        "supervisor_user": User.objects.get(username=f"pkb{kecamatans.index(kec) + 1}"),
        "password": SCALE_PASSWORD,
    }


def data_summary(ctx: dict, info: dict) -> str:
    """The table's "Data:" line: row counts, and whether this run seeded."""
    from families.models import Child, Measurement, MilestoneRecord
    from sessions.models import Attendance, CoachingSession

    return (
        f"{ctx['kab_groups']:,} groups, {Child.objects.count():,} children, "
        f"{CoachingSession.objects.count():,} sessions, {Attendance.objects.count():,} attendances, "
        f"{Measurement.objects.count():,} measurements, {MilestoneRecord.objects.count():,} KKA marks"
        + (f"; seeded in {info['seed_seconds']:.0f} s this run" if info["seeded_now"] else "; seeded earlier")
    )
