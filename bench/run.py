"""`make bench`: BKB measured at kabupaten scale, on PostgreSQL, loopback only.

Creates the bench database if missing, migrates, fills it once with
`seed_scale` (reused on later runs), then measures and writes
bench/results.md (and results.json), comparing with the previous run.

    python bench/run.py [--groups 1000 --months 24 --reps 30 --skip-load --skip-batch]

Everything runs on 127.0.0.1 and is bounded in time.
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bkb_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bkb.settings")
os.environ.setdefault("DEBUG", "false")

# Targets from issue #5 (reported against, not asserted). Units: ms unless noted.
TARGETS = {
    "cadre": 50,
    "search": 50,
    "dash_kec": 150,
    "dash_kab": 1000,
}


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- database ----------------------------------------------------------------------------


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


def prepare(args) -> dict:
    from django.core.management import call_command

    from devdata.scale import is_seeded
    from groups.models import BkbGroup

    call_command("migrate", verbosity=0, interactive=False)
    info = {"seeded_now": False, "seed_seconds": None}
    if not is_seeded(args.groups):
        log(f"seeding {args.groups} groups x {args.months} months (once; later runs reuse it)")
        started = time.perf_counter()
        call_command(
            "seed_scale", groups=args.groups, months=args.months, seed=args.seed, reset=BkbGroup.objects.exists()
        )
        info.update(seeded_now=True, seed_seconds=time.perf_counter() - started)
    else:
        log("database already seeded: reusing it")
    return info


# --- measuring ---------------------------------------------------------------------------


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    index = max(0, min(len(values) - 1, int(round(q / 100 * len(values) + 0.5)) - 1))
    return values[index]


class Results:
    def __init__(self):
        self.rows: list[dict] = []

    def add(self, key, figure, *, median=None, p95=None, queries=None, unit="ms", target=None, ok=None, note=""):
        row = dict(key=key, figure=figure, median=median, p95=p95, queries=queries, unit=unit, target=target, ok=ok,
                   note=note)  # fmt: skip
        self.rows.append(row)
        shown = f"{median:.1f}" if isinstance(median, float) else median
        shown95 = f"{p95:.1f}" if isinstance(p95, float) else p95
        log(f"{figure}: median {shown} p95 {shown95} {unit} queries {queries} {note}")
        return row


def timed(fn, *, reps: int, budget: float, warmup: int = 2):
    """Median and p95 of `fn` in ms, with its query count.

    The first call counts the queries (and warms caches). Then up to `reps`
    timed calls within `budget` seconds, at least 5 unless a single call
    takes more than budget/5: slow pages get fewer runs (n is reported) so
    the bench stays bounded.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        fn()
    first = time.perf_counter() - t0
    queries = len(captured)
    slow = first > budget / 5
    if not slow:
        for _ in range(warmup - 1):
            fn()
    times = [first * 1000] if slow else []
    started = time.perf_counter()
    minimum = 1 if slow else 5
    while len(times) < reps and (len(times) < minimum or time.perf_counter() - started < budget):
        if slow and time.perf_counter() - started + first > budget:
            break
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), pct(times, 95), queries, len(times)


def get_ok(client, url, **extra):
    def call():
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} -> {response.status_code}")
        return response

    return call


def page_rows(res: Results, ctx: dict, args) -> None:
    from django.test import Client

    from families.models import Family
    from families.services import search_families

    cadre, admin, supervisor = Client(), Client(), Client()
    cadre.force_login(ctx["cadre_user"])
    admin.force_login(ctx["admin_user"])
    supervisor.force_login(ctx["supervisor_user"])
    g, month = ctx["group"], ctx["month"]
    reps, budget = args.reps, args.budget

    def cadre_page(key, figure, url, client=cadre):
        median, p95, q, n = timed(get_ok(client, url), reps=reps, budget=budget)
        res.add(key, figure, median=median, p95=p95, queries=q, target=TARGETS["cadre"], ok=p95 <= TARGETS["cadre"],
                note=f"n={n}")  # fmt: skip

    cadre_page("roster", f"Roster ({ctx['roster_children']} children)", f"/kelompok/{g.pk}/anggota/")
    cadre_page("roster_search", "Roster search ?q= (in group)", f"/kelompok/{g.pk}/anggota/?q={ctx['name_query']}")
    cadre_page("session_new", f"Session screen, new ({ctx['members']} members)", f"/pertemuan/kelompok/{g.pk}/baru/")
    cadre_page("session_edit", "Session screen, edit", f"/pertemuan/{ctx['session'].pk}/ubah/")

    # A dict of lists: the test client would send only the last value of a QueryDict key.
    payload = dict(ctx["session_payload"].lists())

    def save():
        response = cadre.post(f"/pertemuan/{ctx['session'].pk}/ubah/", payload)
        if response.status_code != 302:
            raise RuntimeError(f"session save -> {response.status_code}")

    median, p95, q, n = timed(save, reps=reps, budget=budget)
    res.add("session_save", f"Session save ({len(payload.get('hadir', []))} present)", median=median, p95=p95,
            queries=q, target=TARGETS["cadre"], ok=p95 <= TARGETS["cadre"], note=f"n={n}")  # fmt: skip
    cadre_page("child_kka", "Child KKA page", f"/anak/{ctx['child'].pk}/kka/")

    def login():
        browser = Client()
        response = browser.post("/masuk/", {"username": ctx["cadre_user"].username, "password": ctx["password"]})
        if response.status_code != 302:
            raise RuntimeError(f"login -> {response.status_code}")

    median, p95, q, n = timed(login, reps=10, budget=budget, warmup=1)
    res.add("login", "Login (password check, once per 30-day session)", median=median, p95=p95, queries=q,
            note=f"n={n}; PBKDF2 hashing is CPU-bound by design")  # fmt: skip

    # Family search across the kabupaten: there is no kabupaten-wide search page yet, so this
    # measures the service the roster uses (families.services.search_families) over every
    # family under the kabupaten, first 50 rows, as such a page would run it.
    kab_families = Family.objects.filter(group__desa__path__startswith=ctx["kabupaten"].path)
    for key, figure, query in (
        ("search_name", f"Kabupaten family search, name '{ctx['name_query']}'", ctx["name_query"]),
        ("search_nik", f"Kabupaten family search, NIK prefix '{ctx['nik_query']}'", ctx["nik_query"]),
    ):

        def search(query=query):
            return list(search_families(kab_families, query).select_related("group").order_by("mother_name")[:50])

        median, p95, q, n = timed(search, reps=reps, budget=budget)
        res.add(key, figure, median=median, p95=p95, queries=q, target=TARGETS["search"],
                ok=p95 <= TARGETS["search"], note=f"n={n}, {len(search())} rows")  # fmt: skip

    for key, figure, client, area, target in (
        ("dash_kec", f"Dashboard, kecamatan ({ctx['kec_groups']} groups)", supervisor, ctx["kecamatan"], "dash_kec"),
        ("dash_kab", f"Dashboard, kabupaten ({ctx['kab_groups']} groups)", admin, ctx["kabupaten"], "dash_kab"),
    ):
        url = f"/laporan/?wilayah={area.pk}&bulan={month}"
        median, p95, q, n = timed(get_ok(client, url), reps=reps, budget=budget * 2, warmup=1)
        ctx[f"queries_{key}"] = q
        res.add(key, figure, median=median, p95=p95, queries=q, target=TARGETS[target], ok=p95 <= TARGETS[target],
                note=f"n={n}")  # fmt: skip
    url = f"/laporan/rekap/{ctx['kabupaten'].pk}/{month}/"
    median, p95, q, n = timed(get_ok(admin, url), reps=reps, budget=budget * 2, warmup=1)
    ctx["queries_recap_kab"] = q
    res.add("recap_kab", f"Area recap, kabupaten ({ctx['kab_groups']} groups)", median=median, p95=p95, queries=q,
            note=f"n={n}; no target set")  # fmt: skip


def query_growth_rows(res: Results, ctx: dict) -> None:
    """Page query counts must not grow with the data: same count at a small area and the kabupaten."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    admin = Client()
    admin.force_login(ctx["admin_user"])
    counts = {}
    # The kabupaten pages take minutes at scale: reuse the counts the timing phase captured.
    if "queries_dash_kab" in ctx:
        counts[("dashboard", "kabupaten")] = ctx["queries_dash_kab"]
        counts[("recap", "kabupaten")] = ctx["queries_recap_kab"]
    for label, area in (("desa", ctx["desa"]), ("kecamatan", ctx["kecamatan"]), ("kabupaten", ctx["kabupaten"])):
        for page, url in (
            ("dashboard", f"/laporan/?wilayah={area.pk}&bulan={ctx['month']}"),
            ("recap", f"/laporan/rekap/{area.pk}/{ctx['month']}/"),
        ):
            if (page, label) in counts:
                continue
            with CaptureQueriesContext(connection) as captured:
                admin.get(url)
            counts[(page, label)] = len(captured)
    for page in ("dashboard", "recap"):
        values = {label: counts[(page, label)] for label in ("desa", "kecamatan", "kabupaten")}
        same = len(set(values.values())) == 1
        res.add(
            f"qcount_{page}",
            f"Queries, {page}: desa ({ctx['desa_groups']} groups) / kecamatan ({ctx['kec_groups']}) / kabupaten "
            f"({ctx['kab_groups']})",
            median=" / ".join(str(v) for v in values.values()),
            unit="queries",
            target="equal",
            ok=same,
        )


def transfer_rows(res: Results, ctx: dict) -> None:
    """Bytes a cadre page transfers: HTML gzip-compressed by GZipMiddleware; static files on first load."""
    from django.test import Client

    cadre = Client()
    cadre.force_login(ctx["cadre_user"])
    for key, figure, url in (
        ("bytes_roster", "Roster page, bytes on the wire (gzip)", f"/kelompok/{ctx['group'].pk}/anggota/"),
        ("bytes_session", "Session screen, bytes on the wire (gzip)", f"/pertemuan/kelompok/{ctx['group'].pk}/baru/"),
    ):
        response = cadre.get(url, HTTP_ACCEPT_ENCODING="gzip")
        body = response.content
        compressed = response.get("Content-Encoding") == "gzip"
        raw = len(gzip.decompress(body)) if compressed else len(body)
        html = gzip.decompress(body).decode() if compressed else body.decode()
        static_total = 0
        assets = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)))
        for asset in assets:
            r = cadre.get(asset, HTTP_ACCEPT_ENCODING="gzip")
            content = b"".join(r.streaming_content) if r.streaming else r.content
            static_total += len(content) if r.get("Content-Encoding") == "gzip" else len(gzip.compress(content))
        res.add(key, figure, median=len(body), unit="bytes",
                note=f"{raw:,} bytes uncompressed; first load adds {static_total:,} bytes of {len(assets)} static "
                     f"files (gzip), cached afterwards")  # fmt: skip


def pdf_rows(res: Results, ctx: dict, args) -> None:
    from django.test import Client
    from weasyprint import HTML

    from reports import rendering

    admin = Client()
    admin.force_login(ctx["admin_user"])
    g, month = ctx["pdf_group"], ctx["month"]
    html = rendering.group_report_html(g, month)
    reps = max(5, args.reps // 3)
    full_med, full_p95, q, n = timed(get_ok(admin, f"/laporan/kelompok/{g.pk}/{month}/laporan.pdf"), reps=reps,
                                     budget=args.budget)  # fmt: skip
    bare_med, bare_p95, _q, _n = timed(lambda: HTML(string=html).write_pdf(), reps=reps, budget=args.budget)
    ratio = full_med / bare_med
    res.add("pdf_group", "Group monthly PDF (view, live figures)", median=full_med, p95=full_p95, queries=q,
            note=f"n={n}")  # fmt: skip
    res.add("pdf_bare", "WeasyPrint alone, same HTML", median=bare_med, p95=bare_p95, note=f"n={n}")
    res.add("pdf_ratio", "PDF overhead: view / bare WeasyPrint (medians)", median=round(ratio, 2), unit="x",
            target=1.2, ok=ratio <= 1.2)  # fmt: skip


def batch_rows(res: Results, ctx: dict, args) -> None:
    """100 groups printed by two real `manage.py db_worker` processes: two kecamatan batches of ~50."""
    from groups.models import BkbGroup
    from reports.models import BatchPrint
    from reports.tasks import batch_print_run

    kecs, total = [], 0
    for kec in ctx["kecamatans"]:
        n = BkbGroup.objects.filter(desa__path__startswith=kec.path, active=True).count()
        kecs.append(kec)
        total += n
        if len(kecs) == 2:
            break
    batches = [BatchPrint.objects.create(area=kec, month=ctx["month"].first, created_by=ctx["admin_user"])
               for kec in kecs]  # fmt: skip
    for batch in batches:
        batch_print_run.enqueue(batch.pk)
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for _ in range(2)
    ]
    deadline = started + args.batch_timeout
    try:
        for worker in workers:
            worker.wait(timeout=max(1, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        log("batch print timed out")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(10)
    wall = time.perf_counter() - started
    done = sum(b.done for b in BatchPrint.objects.filter(pk__in=[b.pk for b in batches]))
    statuses = sorted(b.status for b in BatchPrint.objects.filter(pk__in=[b.pk for b in batches]))
    rate = done / (wall / 60) if wall else 0
    res.add("batch", f"Batch print, {total} groups, 2 db_workers", median=round(rate, 1), unit="groups/min",
            target=20, ok=rate >= 20 and statuses == ["done", "done"],
            note=f"{done} printed in {wall:.1f} s (worker start-up included); batches {statuses}")  # fmt: skip
    # The bench leaves no files behind.
    for batch in BatchPrint.objects.filter(pk__in=[b.pk for b in batches]):
        for f in (batch.pdf, batch.zip):
            if f:
                f.delete(save=False)
        batch.delete()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_rows(res: Results, ctx: dict, args) -> None:
    """gunicorn (4 sync workers, loopback) and locust headless: 200 cadres, roster + session save."""
    from django.conf import settings
    from django.test import Client

    from cadres.models import CadreRole
    from sessions.models import CoachingSession

    venv_bin = Path(sys.executable).parent
    gunicorn, locust = venv_bin / "gunicorn", venv_bin / "locust"
    if not gunicorn.exists() or not locust.exists():
        res.add("load", "Load test", median="skipped", note="gunicorn/locust not installed (requirements-bench.txt)")
        return
    # One plan per simulated cadre: its own group, the session it saves, what it posts.
    plans = []
    roles = (
        CadreRole.objects.filter(role="ketua", cadre__user__isnull=False)
        .select_related("cadre__user")
        .order_by("group_id")[: args.users]
    )
    for role in roles:
        session = CoachingSession.objects.filter(group_id=role.group_id).order_by("-date").first()
        # Cadres stay logged in (30-day session cookie): the load is the pages, not 200 password hashes
        # at once. The login itself is timed in-process as its own row.
        browser = Client()
        browser.force_login(role.cadre.user)
        plans.append(
            {
                "username": role.cadre.user.username,
                "sessionid": browser.cookies[settings.SESSION_COOKIE_NAME].value,
                "group": role.group_id,
                "session": session.pk,
                "payload": dict(session_payload(session).lists()),
            }
        )
    plan_file = Path(tempfile.mkdtemp(prefix="bkb-bench-")) / "plan.json"
    plan_file.write_text(json.dumps({"password": ctx["password"], "cadres": plans}))
    port = free_port()
    env = os.environ.copy() | {"ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "false", "BKB_BENCH_PLAN": str(plan_file)}
    server = subprocess.Popen(
        [str(gunicorn), "bkb.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "30",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    prefix = plan_file.parent / "locust"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        # Warm the 4 workers (imports, DB connections, templates) so the figures are the steady state.
        import urllib.request

        for i in range(24):
            plan = plans[i % len(plans)]
            for path in (f"/kelompok/{plan['group']}/anggota/", f"/pertemuan/{plan['session']}/ubah/"):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={plan['sessionid']}"}
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
        cmd = [str(locust), "-f", str(BENCH / "locustfile.py"), "--headless", "-u", str(args.users), "-r", "50",
               "-t", f"{args.load_seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
               "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]  # fmt: skip
        subprocess.run(cmd, cwd=ROOT, env=env, timeout=args.load_seconds + 90, check=False)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    stats = prefix.with_name("locust_stats.csv")
    if not stats.exists():
        res.add("load", "Load test", median="failed", note="locust wrote no stats")
        return
    import csv

    rows = {row["Name"]: row for row in csv.DictReader(stats.open())}
    total = rows.get("Aggregated", {})
    requests, failures = int(total.get("Request Count", 0)), int(total.get("Failure Count", 0))
    p95 = float(total.get("95%", "nan") or "nan")
    rps = float(total.get("Requests/s", 0) or 0)
    ok = failures == 0 and p95 <= 300
    res.add("load_all", f"Load: {args.users} cadres, gunicorn -w 4, {args.load_seconds}s, all requests",
            median=float(total.get("50%", "nan") or "nan"), p95=p95, target="0 errors, p95 <= 300", ok=ok,
            note=f"{rps:.1f} req/s, {requests} requests, {failures} errors")  # fmt: skip
    for name, row in rows.items():
        if name == "Aggregated":
            continue
        res.add(f"load_{re.sub(r'[^a-z]+', '_', name.lower())}", f"Load: {name}",
                median=float(row.get("50%") or "nan"), p95=float(row.get("95%") or "nan"),
                note=f"{float(row.get('Requests/s') or 0):.1f} req/s, {row['Request Count']} requests, "
                     f"{row['Failure Count']} errors")  # fmt: skip
    shutil.rmtree(plan_file.parent, ignore_errors=True)


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


# --- context and report ------------------------------------------------------------------


def context(args) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from bkb.lib.months import Month
    from devdata.scale import SCALE_PASSWORD, scale_kabupaten
    from families.models import Child, Family
    from families.selectors import roster
    from groups.models import Area, BkbGroup, User
    from reports.models import MonthlyReport
    from sessions.models import CoachingSession

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
        "roster_children": sum(len(b.children) for b in roster(group, on=today)),
        "child": child,
        "name_query": family.mother_name.split()[-1][:5].lower(),
        "nik_query": family.mother_nik[:8],
        "cadre_user": cadre_user,
        "admin_user": User.objects.get(username="admin_skala"),
        "supervisor_user": User.objects.get(username=f"pkb{kecamatans.index(kec) + 1}"),
        "password": SCALE_PASSWORD,
    }


def machine() -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": pg,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def fmt(value, unit=""):
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return "n/a"
        return f"{value:,.1f}" if unit != "x" else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _target_text(target, unit: str) -> str:
    if target is None:
        return ""
    if unit == "ms" and isinstance(target, (int, float)):
        return f"<= {target} ms"
    if unit == "groups/min":
        return f">= {target} {unit}"
    if unit == "x":
        return f"<= {target}x"
    return str(target)


def write_results(res: Results, meta: dict, info: dict, elapsed: dict) -> None:
    out_md, out_json = BENCH / "results.md", BENCH / "results.json"
    previous = {}
    if out_json.exists():
        shutil.move(out_json, BENCH / "results-previous.json")
        previous = {row["key"]: row for row in json.loads((BENCH / "results-previous.json").read_text())["rows"]}
    if out_md.exists():
        shutil.move(out_md, BENCH / "results-previous.md")
    lines = [
        "# BKB at kabupaten scale (`make bench`)",
        "",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['cores']} cores ({meta['cpu']}), {meta['memory_gb']} GB memory; "
        f"Python {meta['python']}, PostgreSQL {meta['postgresql']}",
        f"- Data: {info['data']}",
        "- Server times are in-process (django.test.Client, force_login), warm, sequential; "
        "median and p95 over the repetitions shown in the notes.",
        "",
        "| figure | median | p95 | queries | target | status | previous (median / p95) | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in res.rows:
        unit = row["unit"]
        target = row["target"]
        target_text = _target_text(target, unit)
        status = "" if row["ok"] is None else ("met" if row["ok"] else "**missed**")
        prev = previous.get(row["key"])
        prev_text = f"{fmt(prev['median'], unit)} / {fmt(prev['p95'], unit)}" if prev else ""
        median_text = fmt(row["median"], unit) + ("" if unit in ("ms",) or row["median"] is None else f" {unit}")
        lines.append(
            f"| {row['figure']} | {median_text} | {fmt(row['p95'], unit)} | {fmt(row['queries'])} | "
            f"{target_text} | {status} | {prev_text} | {row['note']} |"
        )
    lines += ["", "Bench phases (seconds): " + ", ".join(f"{k} {v:.0f}" for k, v in elapsed.items()), ""]
    notes = BENCH / "NOTES.md"
    if notes.exists():
        lines += ["See bench/NOTES.md for why figures miss their targets and the index/query proposals.", ""]
    out_md.write_text("\n".join(lines))
    out_json.write_text(json.dumps({"meta": meta, "info": info, "elapsed": elapsed, "rows": res.rows}, indent=1,
                                   default=str))  # fmt: skip
    log(f"wrote {out_md.relative_to(ROOT)}")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=int(os.environ.get("BENCH_GROUPS", 1000)))
    parser.add_argument("--months", type=int, default=int(os.environ.get("BENCH_MONTHS", 24)))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per figure, at least 5 repetitions")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--batch-timeout", type=int, default=600)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--only", default="", help="comma list of phases: pages,queries,bytes,pdf,batch,load")
    args = parser.parse_args()
    os.chdir(ROOT)
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    elapsed = {}
    t = time.perf_counter()
    info = prepare(args)
    elapsed["prepare (migrate, seed)"] = time.perf_counter() - t
    ctx = context(args)
    from families.models import Child, Measurement, MilestoneRecord
    from sessions.models import Attendance, CoachingSession

    info["data"] = (
        f"{ctx['kab_groups']:,} groups, {Child.objects.count():,} children, "
        f"{CoachingSession.objects.count():,} sessions, {Attendance.objects.count():,} attendances, "
        f"{Measurement.objects.count():,} measurements, {MilestoneRecord.objects.count():,} KKA marks"
        + (f"; seeded in {info['seed_seconds']:.0f} s this run" if info["seeded_now"] else "; seeded earlier")
    )
    log(info["data"])
    res = Results()
    phases = set(filter(None, args.only.split(","))) or {"pages", "queries", "bytes", "pdf", "batch", "load"}
    if args.skip_batch:
        phases.discard("batch")
    if args.skip_load:
        phases.discard("load")
    for name, fn in (
        ("pages", lambda: page_rows(res, ctx, args)),
        ("queries", lambda: query_growth_rows(res, ctx)),
        ("bytes", lambda: transfer_rows(res, ctx)),
        ("pdf", lambda: pdf_rows(res, ctx, args)),
        ("batch", lambda: batch_rows(res, ctx, args)),
        ("load", lambda: load_rows(res, ctx, args)),
    ):
        if name in phases:
            t = time.perf_counter()
            fn()
            elapsed[name] = time.perf_counter() - t
    write_results(res, machine(), info, elapsed)


if __name__ == "__main__":
    main()
