"""Measuring: each phase adds its rows to `Results`, in the order the table shows them.

Server times are in-process (django.test.Client, force_login), warm, each page interleaved
with its floor (bench/timing.py); the batch print runs real `db_worker` processes, the kept
figures' costs a separate process (bench/kept_cost.py, for its peak memory), and the load test
(load.py) a real gunicorn, db_worker and locust, all on 127.0.0.1 and bounded in time.
Django imports stay inside the functions: run.py sets up Django only after the database exists.
"""

import gzip
import json
import os
import re
import subprocess
import sys
import time

from bench.common import BENCH, ROOT, log
from bench.load import load_rows
from bench.timing import PageFailed, Results, get_ok, interleaved, logged_in, sql_floor

# --- floors: the same answer from one indexed query ------------------------------------------


def _tables():
    from families.models import Child, Family, Milestone, MilestoneRecord
    from groups.models import Area, BkbGroup
    from reports.models import GroupMonthFigures
    from sessions.models import ChildStatus, CoachingSession

    return {
        name: model._meta.db_table
        for name, model in {
            "area": Area, "group": BkbGroup, "child": Child, "family": Family, "status": ChildStatus,
            "figures": GroupMonthFigures, "session": CoachingSession, "milestone": Milestone,
            "mark": MilestoneRecord,
        }.items()
    }  # fmt: skip


def roster_floor(group_id: int):
    t = _tables()
    return sql_floor(
        f"SELECT s.*, c.name, c.sex, c.birth_date, f.id, f.mother_name FROM {t['status']} s "
        f"JOIN {t['child']} c ON c.id = s.child_id JOIN {t['family']} f ON f.id = c.family_id "
        f"WHERE s.group_id = %s ORDER BY c.birth_date DESC, c.name",
        [group_id],
    )


def members_floor(group_id: int, on):
    t = _tables()
    return sql_floor(
        f"SELECT f.id, f.mother_name, c.id, c.name, c.birth_date FROM {t['family']} f "
        f"LEFT JOIN {t['child']} c ON c.family_id = f.id "
        f"WHERE f.group_id = %s AND f.joined_on <= %s AND (f.left_on IS NULL OR f.left_on > %s) "
        f"ORDER BY f.mother_name, f.id, c.birth_date",
        [group_id, on, on],
    )


def save_floor(session_id: int):
    t = _tables()
    return sql_floor(f"UPDATE {t['session']} SET updated_at = now() WHERE id = %s RETURNING id", [session_id])


def child_kka_floor(child_id: int):
    t = _tables()
    return sql_floor(
        f"SELECT m.id, m.code, m.band_start_month, r.achieved_on FROM {t['milestone']} m "
        f"LEFT JOIN {t['mark']} r ON r.milestone_id = m.id AND r.child_id = %s "
        f"ORDER BY m.band_start_month, m.id",
        [child_id],
    )


def trend_floor(area_path: str, months):
    """The dashboard's figures: every kept column summed per month over the area's groups."""
    from reports.figures import FIGURE_KEYS

    t = _tables()
    sums = ", ".join(f"SUM(k.{key})" for key in FIGURE_KEYS)
    return sql_floor(
        f"SELECT k.month, {sums} FROM {t['figures']} k JOIN {t['group']} g ON g.id = k.group_id "
        f"JOIN {t['area']} d ON d.id = g.desa_id WHERE d.path LIKE %s AND k.month = ANY(%s) GROUP BY k.month",
        [area_path + "%", [m.first for m in months]],
    )


def recap_floor(area_path: str, month):
    """The recap of a kabupaten: each kecamatan's kept columns summed for the month, in name order."""
    from reports.figures import FIGURE_KEYS

    t = _tables()
    sums = ", ".join(f"SUM(k.{key})" for key in FIGURE_KEYS)
    return sql_floor(
        f"SELECT kec.name, {sums} FROM {t['figures']} k JOIN {t['group']} g ON g.id = k.group_id "
        f"JOIN {t['area']} d ON d.id = g.desa_id JOIN {t['area']} kec ON kec.id = d.parent_id "
        f"WHERE d.path LIKE %s AND k.month = %s GROUP BY kec.name ORDER BY kec.name",
        [area_path + "%", month.first],
    )


# --- pages -------------------------------------------------------------------------------


def page_row(res: Results, key, figure, call, floor, args, *, reps=None, budget=None, note=""):
    """Time `call` interleaved with `floor`; add its row (or a failed row if the page does not answer)."""
    try:
        pair = interleaved(call, floor, reps=reps or args.reps, budget=budget or args.budget)
    except PageFailed as error:
        return res.add(key, figure, median="failed", note=str(error))
    return res.add(key, figure, median=pair.median, p95=pair.p95, queries=pair.queries, floor=pair.floor,
                   ratio=pair.ratio, cpu=pair.cpu, note=f"n={pair.n}{note}")  # fmt: skip


def page_rows(res: Results, ctx: dict, args) -> None:
    """What a cadre waits for on the phone, the kabupaten search, and the area pages."""
    cadre = logged_in(ctx["cadre_user"])
    g, today = ctx["group"], ctx["today"]
    roster_url = f"/kelompok/{g.pk}/anggota/"
    page_row(res, "roster", f"Roster ({ctx['roster_children']} children)", get_ok(cadre, roster_url),
             roster_floor(g.pk), args)  # fmt: skip
    # The framework's floor: a view that reads nothing, through the same middleware.
    page_row(res, "roster_vs_trivial", "Roster against a trivial view (set_language GET)",
             get_ok(cadre, roster_url), _trivial(cadre), args)  # fmt: skip
    page_row(res, "roster_search", "Roster search ?q= (in group)",
             get_ok(cadre, f"{roster_url}?q={ctx['name_query']}"), roster_floor(g.pk), args)  # fmt: skip
    members = members_floor(g.pk, today)
    page_row(res, "session_new", f"Session screen, new ({ctx['members']} members)",
             get_ok(cadre, f"/pertemuan/kelompok/{g.pk}/baru/"), members, args)  # fmt: skip
    page_row(res, "session_edit", "Session screen, edit", get_ok(cadre, f"/pertemuan/{ctx['session'].pk}/ubah/"),
             members, args)  # fmt: skip
    session_save_row(res, ctx, args, cadre)
    page_row(res, "child_kka", "Child KKA page", get_ok(cadre, f"/anak/{ctx['child'].pk}/kka/"),
             child_kka_floor(ctx["child"].pk), args)  # fmt: skip
    login_row(res, ctx, args)
    search_rows(res, ctx, args)
    area_page_rows(res, ctx, args)


def _trivial(client):
    def call():
        response = client.get("/bahasa/")
        if response.status_code >= 400:
            raise PageFailed(f"GET /bahasa/ -> {response.status_code}")

    return call


def session_save_row(res: Results, ctx: dict, args, cadre) -> None:
    # A dict of lists: the test client would send only the last value of a QueryDict key.
    payload = dict(ctx["session_payload"].lists())
    url = f"/pertemuan/{ctx['session'].pk}/ubah/"

    def save():
        response = cadre.post(url, payload)
        if response.status_code != 302:
            raise PageFailed(f"session save -> {response.status_code}")

    # Each save marks the group stale and queues a refresh on commit, as in production; the
    # refresh itself runs on the worker (the batch and load phases run one).
    page_row(res, "session_save", f"Session save ({len(payload.get('hadir', []))} present)", save,
             save_floor(ctx["session"].pk), args)  # fmt: skip


def login_row(res: Results, ctx: dict, args) -> None:
    from django.test import Client

    def login():
        browser = Client()
        response = browser.post("/masuk/", {"username": ctx["cadre_user"].username, "password": ctx["password"]})
        if response.status_code != 302:
            raise PageFailed(f"login -> {response.status_code}")

    pair = interleaved(login, reps=10, budget=args.budget, warmup=1)
    res.add("login", "Login (password check, once per 30-day session)", median=pair.median, p95=pair.p95,
            queries=pair.queries, cpu=pair.cpu, note=f"n={pair.n}; PBKDF2 hashing is CPU-bound by design")  # fmt: skip


def search_rows(res: Results, ctx: dict, args) -> None:
    """The family search page of the kabupaten's admin, against the same query run bare."""
    from django.db import connection

    from families.models import Family
    from families.services import search_families

    admin = logged_in(ctx["admin_user"])
    kab_families = Family.objects.filter(group__desa__path__startswith=ctx["kabupaten"].path)
    for key, figure, query in (
        ("search_name", f"Family search page, kabupaten, name '{ctx['name_query']}'", ctx["name_query"]),
        ("search_nik", f"Family search page, kabupaten, NIK prefix '{ctx['nik_query']}'", ctx["nik_query"]),
    ):
        found = search_families(kab_families, query).select_related("group__desa").order_by("mother_name", "pk")
        sql, params = found[:51].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) t", params)
            rows = cursor.fetchone()[0]
        page_row(res, key, figure, get_ok(admin, f"/keluarga/cari/?q={query}"), sql_floor(sql, params), args,
                 note=f", {rows} rows; floor: the page's search query run bare")  # fmt: skip
    for plan in ctx.get("search_plans", []):
        share = plan["matches"] / plan["of"] if plan["of"] else 0
        res.add(f"search_plan_{plan['query']}", f"Search plan after seed + ANALYZE, '{plan['query']}' "
                f"({plan['matches']:,} of {plan['of']:,} families, {100 * share:.1f} %)",
                median=", ".join(plan["search_indexes"]) or "no search index: reads the table", unit="")  # fmt: skip


def area_page_rows(res: Results, ctx: dict, args) -> None:
    """Dashboards of a kecamatan and the kabupaten, and the kabupaten recap; keeps their query counts in ctx."""

    admin, supervisor = logged_in(ctx["admin_user"]), logged_in(ctx["supervisor_user"])
    month = ctx["month"]
    trend = [month.back(n) for n in range(12)]
    for key, figure, client, area in (
        ("dash_kec", f"Dashboard, kecamatan ({ctx['kec_groups']} groups)", supervisor, ctx["kecamatan"]),
        ("dash_kab", f"Dashboard, kabupaten ({ctx['kab_groups']} groups)", admin, ctx["kabupaten"]),
    ):
        url = f"/laporan/?wilayah={area.pk}&bulan={month}"
        row = page_row(res, key, figure, get_ok(client, url), trend_floor(area.path, trend), args,
                       note="; floor: 12 months of kept columns summed in one query")  # fmt: skip
        ctx[f"queries_{key}"] = row.get("queries")
    url = f"/laporan/rekap/{ctx['kabupaten'].pk}/{month}/"
    row = page_row(res, "recap_kab", f"Recap page, kabupaten ({ctx['kab_groups']} groups)", get_ok(admin, url),
                   recap_floor(ctx["kabupaten"].path, month), args,
                   note="; floor: the month's kept columns summed per kecamatan in one query")  # fmt: skip
    ctx["queries_recap_kab"] = row.get("queries")


def query_growth_rows(res: Results, ctx: dict, args) -> None:
    """Page query counts must not grow with the data: same count at a small area and the kabupaten."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = logged_in(ctx["admin_user"])
    counts = {}
    if ctx.get("queries_dash_kab") is not None:
        counts[("dashboard", "kabupaten")] = ctx["queries_dash_kab"]
    if ctx.get("queries_recap_kab") is not None:
        counts[("recap", "kabupaten")] = ctx["queries_recap_kab"]
    for label, area in (("desa", ctx["desa"]), ("kecamatan", ctx["kecamatan"]), ("kabupaten", ctx["kabupaten"])):
        for page, url in (
            ("dashboard", f"/laporan/?wilayah={area.pk}&bulan={ctx['month']}"),
            ("recap", f"/laporan/rekap/{area.pk}/{ctx['month']}/"),
        ):
            if (page, label) in counts:
                continue
            admin.get(url)  # the first view may refresh rows; count the steady state
            with CaptureQueriesContext(connection) as captured:
                admin.get(url)
            counts[(page, label)] = len(captured)
    for page in ("dashboard", "recap"):
        values = {label: counts[(page, label)] for label in ("desa", "kecamatan", "kabupaten")}
        res.add(
            f"qcount_{page}",
            f"Queries, {page}: desa ({ctx['desa_groups']} groups) / kecamatan ({ctx['kec_groups']}) / kabupaten "
            f"({ctx['kab_groups']})",
            median=" / ".join(str(v) for v in values.values()),
            unit="queries",
            target="equal",
            ok=len(set(values.values())) == 1,
        )


def transfer_rows(res: Results, ctx: dict, args) -> None:
    """Bytes a cadre page transfers: HTML gzip-compressed by GZipMiddleware; static files on first load."""
    cadre = logged_in(ctx["cadre_user"])
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
    offline_rows(res, ctx, cadre)


def offline_rows(res: Results, ctx: dict, cadre) -> None:
    """Issue 13's weights for the bench cadre's group (bench/weights.py): headers and bodies, as sent."""
    from bench import weights as w
    from families.models import Child

    group = ctx["group"]
    children = Child.objects.filter(family__group=group).in_programme_on(ctx["today"]).count()
    found = w.cadre_weights(cadre, group)
    for key, figure, value, budget, note in (
        ("bytes_first_load", "First cadre page (roster) with every static file, the manifest and the service worker",
         found["first_load"], w.FIRST_LOAD_BUDGET, f"{found['static_files']} static files"),
        ("bytes_later_max", "Heaviest later page of the working set (static files kept)",
         found["later_max"], w.LATER_PAGE_BUDGET,
         f"{found['later_max_url']}; median page {found['later_median']:,} bytes"),
        ("bytes_working_set", f"Offline working set, one download ({children} children, {found['pages']} pages)",
         found["working_set"], w.WORKING_SET_BUDGET,
         f"page by page it would be {found['working_set_one_by_one']:,} bytes; budget is for 45 children"),
    ):  # fmt: skip
        res.add(key, figure, median=value, unit="bytes", note=f"{note}; budget {budget:,}", target=budget,
                ok=value <= budget)  # fmt: skip


# --- PDFs --------------------------------------------------------------------------------


def pdf_rows(res: Results, ctx: dict, args) -> None:
    """The group's monthly PDF through its view, interleaved with WeasyPrint alone on the same HTML."""
    from weasyprint import HTML

    from reports import rendering

    admin = logged_in(ctx["admin_user"])
    g, month = ctx["pdf_group"], ctx["month"]
    html = rendering.group_report_html(g, month)
    url = f"/laporan/kelompok/{g.pk}/{month}/laporan.pdf"
    try:
        pair = interleaved(get_ok(admin, url), lambda: HTML(string=html).write_pdf(), reps=max(8, args.reps // 3),
                           budget=args.budget * 1.5, warmup=1)  # fmt: skip
    except PageFailed as error:
        res.add("pdf_ratio", "Group PDF / bare WeasyPrint (interleaved)", median="failed", note=str(error))
        return
    res.add("pdf_group", "Group monthly PDF (view)", median=pair.median, p95=pair.p95, queries=pair.queries,
            note=f"n={pair.n}")  # fmt: skip
    res.add("pdf_bare", "WeasyPrint alone, same HTML (interleaved)", median=pair.floor, note=f"n={pair.n}")
    res.add("pdf_ratio", "Group PDF / bare WeasyPrint (interleaved)", median=pair.ratio, unit="x",
            note=f"median of {pair.n} per-pair ratios; medians {pair.median:.0f} / {pair.floor:.0f} ms")  # fmt: skip


# --- batch print -------------------------------------------------------------------------


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
    wall = run_db_workers(2, timeout=args.batch_timeout)
    done = sum(b.done for b in BatchPrint.objects.filter(pk__in=[b.pk for b in batches]))
    statuses = sorted(b.status for b in BatchPrint.objects.filter(pk__in=[b.pk for b in batches]))
    rate = done / (wall / 60) if wall else 0
    res.add("batch", f"Batch print, {total} groups, 2 db_workers", median=round(rate, 1), unit="groups/min",
            note=f"{done} printed in {wall:.1f} s (worker start-up included); batches {statuses}")  # fmt: skip
    # The bench leaves no files behind.
    for batch in BatchPrint.objects.filter(pk__in=[b.pk for b in batches]):
        for f in (batch.pdf, batch.zip):
            if f:
                f.delete(save=False)
        batch.delete()


def run_db_workers(count: int, *, timeout: float) -> float:
    """Run `count` batch-mode db_workers until the queue is empty (or `timeout`); wall seconds, start-up included."""
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for _ in range(count)
    ]
    deadline = started + timeout
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
    return time.perf_counter() - started


# --- kept figures: refresh costs, memory, database size --------------------------------------


def kept_cost(database_url: str, *, nightly: bool = True) -> dict:
    """Run bench/kept_cost.py on `database_url` in its own process: refresh and nightly times, peak RSS."""
    env = os.environ.copy() | {"DATABASE_URL": database_url}
    args = [sys.executable, str(BENCH / "kept_cost.py")] + ([] if nightly else ["--no-nightly"])
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        log(f"kept_cost failed: {done.stderr[-2000:]}")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


def database_size(database_url: str | None = None, top: int = 8) -> dict:
    """The database's size and its largest tables and indexes (bytes)."""
    import psycopg

    url = database_url or os.environ["DATABASE_URL"]
    with psycopg.connect(url) as conn:
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), pg_indexes_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT %s",
            [top],
        ).fetchall()
        indexes = conn.execute(
            "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, pg_relation_size(i.indexrelid), "
            "s.idx_scan FROM pg_index i JOIN pg_stat_user_indexes s USING (indexrelid) "
            "ORDER BY 3 DESC LIMIT %s",
            [top + 4],
        ).fetchall()
    return {"total": total, "tables": tables, "indexes": indexes}


def kept_rows(res: Results, ctx: dict, args) -> None:
    """The cost of keeping the figures: one group-month, the nightly run; worker memory; database size."""
    cost = kept_cost(os.environ["DATABASE_URL"])
    size = database_size()
    res.extra["size_large"] = size
    res.extra["groups_large"] = ctx["kab_groups"]
    res.extra["cost_large"] = cost
    groups = ctx["kab_groups"]
    if cost:
        res.add("refresh_one", "Refresh one group-month (reports.kept.refresh, month row only)",
                median=cost["refresh_month_ms"]["median"], p95=cost["refresh_month_ms"]["p95"],
                note=f"n={cost['refresh_month_ms']['n']}")  # fmt: skip
        res.add("refresh_one_children", "Refresh one group, as a queued task does (the month row and its "
                "children's status)", median=cost["refresh_task_ms"]["median"], p95=cost["refresh_task_ms"]["p95"],
                note=f"n={cost['refresh_task_ms']['n']}")  # fmt: skip
        res.add("nightly", f"Nightly refresh, {groups:,} groups (reports.kept.nightly)", median=cost["nightly_s"],
                unit="s", note=f"{cost['nightly_rows']:,} group-month rows and every child's status; peak RSS "
                f"{cost['rss_peak_mb']:.0f} MB (process after start-up {cost['rss_start_mb']:.0f} MB)")  # fmt: skip
        res.add("memory", f"Worker memory, {groups:,} groups: peak RSS of the process running the refreshes",
                median=cost["rss_peak_mb"], unit="MB",
                note=f"after start-up {cost['rss_start_mb']:.0f} MB; after one group's refreshes "
                f"{cost['rss_refresh_mb']:.0f} MB; after the nightly run {cost['rss_peak_mb']:.0f} MB")  # fmt: skip
    res.add("db_size", f"Database, {groups:,} groups x {args.months} months", median=size["total"] / 2**20, unit="MB",
            note="pg_database_size; largest: " + ", ".join(f"{name} {total / 2**20:.0f} MB"
                                                          for name, total, _h, _i in size["tables"][:4]))  # fmt: skip
    if args.small_groups:
        small_rows(res, ctx, args)


def small_rows(res: Results, ctx: dict, args) -> None:
    """The same for a smaller kabupaten, in its own database seeded by the same command."""
    from urllib.parse import urlsplit, urlunsplit

    from bench.prepare import ensure_database

    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path=f"{parts.path}_{args.small_groups}"))
    ensure_database(url)
    env = os.environ.copy() | {"DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         f"from devdata.scale import is_seeded; print(is_seeded({args.small_groups}))"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip().endswith("True")  # fmt: skip
    if not seeded:
        log(f"seeding {args.small_groups} groups x {args.months} months into {url.rsplit('/', 1)[-1]}")
        subprocess.run([sys.executable, "manage.py", "seed_scale", "--groups", str(args.small_groups), "--months",
                        str(args.months), "--seed", str(args.seed), "--reset"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
    seed_seconds = time.perf_counter() - started
    cost = kept_cost(url)
    size = database_size(url)
    res.extra["size_small"] = size
    res.extra["groups_small"] = args.small_groups
    res.extra["cost_small"] = cost
    n = args.small_groups
    note = f"own database, seeded by the same seed_scale ({seed_seconds:.0f} s this run incl. migrate)"
    if cost:
        res.add("nightly_small", f"Nightly refresh, {n} groups", median=cost["nightly_s"], unit="s",
                note=f"{cost['nightly_rows']:,} rows; {note}")  # fmt: skip
        res.add("memory_small", f"Worker memory, {n} groups: peak RSS", median=cost["rss_peak_mb"], unit="MB",
                note=f"after start-up {cost['rss_start_mb']:.0f} MB")  # fmt: skip
    res.add("db_size_small", f"Database, {n} groups x {args.months} months", median=size["total"] / 2**20,
            unit="MB", note=note)  # fmt: skip


# --- import (issue 15) --------------------------------------------------------------------

IMPORT_ROWS = 500


def import_file(rows: int, today, series: int) -> bytes:
    """A group's register of `rows` children as an .xlsx, made as a cadre would fill the template.

    Every value is valid on any day (ages from 1 to 70 months before `today`); one family in
    three has a second child; NIK/KK numbers start with 99, a province code no seeded number has.
    """
    import datetime

    from bkb.lib import sheets
    from families import spreadsheet

    labels = {field.name: field for field in spreadsheet.FIELDS}
    values = []
    family = 0
    for n in range(rows):
        second = n % 3 == 2
        if not second:
            family += 1
        born = today - datetime.timedelta(days=30 + (n * 37) % 2100)
        row = {
            "kk_number": f"99{series:02d}{family:012d}",
            "mother_name": f"Ibu Uji {series}-{family}",
            "caregiver": "Ibu",
            "mother_nik": f"99{series:02d}{500000 + family:012d}",
            "father_name": f"Bapak Uji {family}",
            "phone": f"0812{series:02d}{family:06d}",
            "address": "Kp. Bench",
            "rt": f"{1 + family % 9:03d}",
            "rw": "001",
            "is_pus": "Ya",
            "kb_method": "Suntik",
            "joined_on": today - datetime.timedelta(days=10),
            "name": f"Anak Uji {n}",
            "sex": "Perempuan" if n % 2 else "Laki-laki",
            "birth_date": born,
            "nik": f"99{series:02d}{900000 + n:012d}",
            "birth_weight_kg": 3.1,
            "birth_length_cm": 49.5,
        }
        values.append([row.get(name) for name in labels] + [None])
    return sheets.xlsx_bytes([sheets.Sheet("Keluarga dan anak", spreadsheet.columns(), values)])


def import_rows(res: Results, ctx: dict, args) -> None:
    """500 rows through the import's own pages: upload, preview, confirm; then the same file again."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from families.models import Family
    from groups.models import BkbGroup

    admin = logged_in(ctx["admin_user"])
    timings: dict[str, list[float]] = {"preview": [], "confirm": [], "total": [], "again": []}
    for rep in range(3):
        group = BkbGroup.objects.create(name=f"BKB Bench Impor {rep}", desa=ctx["desa"], rw="001")
        content = import_file(IMPORT_ROWS, ctx["today"], rep)
        try:
            for kind in ("first", "again"):
                started = time.perf_counter()
                upload = SimpleUploadedFile("register.xlsx", content)
                response = admin.post(f"/kelompok/{group.pk}/impor/", {"file": upload})
                if response.status_code != 302:
                    raise PageFailed(f"upload -> {response.status_code}")
                preview = response["Location"]
                page = admin.get(preview)
                if page.status_code != 200 or b'id="import-problems"' in page.content:
                    raise PageFailed(f"preview -> {page.status_code}: {page.content.decode()[-3000:]}")
                previewed = time.perf_counter()
                done = admin.post(preview)
                if done.status_code != 302:
                    raise PageFailed(f"confirm -> {done.status_code}")
                finished = time.perf_counter()
                if kind == "first":
                    timings["preview"].append((previewed - started) * 1000)
                    timings["confirm"].append((finished - previewed) * 1000)
                    timings["total"].append((finished - started) * 1000)
                else:
                    timings["again"].append((finished - started) * 1000)
            if Family.objects.filter(group=group).count() != IMPORT_ROWS - IMPORT_ROWS // 3:
                raise PageFailed("the import did not write every family")
        except PageFailed as error:
            res.add("import_total", f"Import {IMPORT_ROWS} rows", median="failed", note=str(error))
            return
        finally:
            Family.objects.filter(group=group).delete()
            group.delete()
    note = f"n=3, .xlsx of {IMPORT_ROWS} rows ({IMPORT_ROWS - IMPORT_ROWS // 3} families), through the pages"
    res.add("import_preview", f"Import {IMPORT_ROWS} rows: upload and preview (every row checked)",
            median=median(timings["preview"]), note=note)  # fmt: skip
    res.add("import_confirm", f"Import {IMPORT_ROWS} rows: confirm (checked again, written in one transaction)",
            median=median(timings["confirm"]), note=note)  # fmt: skip
    res.add("import_total", f"Import {IMPORT_ROWS} rows: upload to written", median=median(timings["total"]) / 1000,
            unit="s", note=f"{note}; target under 10 s (issue 15)")  # fmt: skip
    res.add("import_again", f"Import the same {IMPORT_ROWS} rows again (nothing written)",
            median=median(timings["again"]) / 1000, unit="s", note=note)  # fmt: skip


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# --- all phases --------------------------------------------------------------------------

# In the order they run: the query-count phase reuses the kabupaten counts the pages phase kept.
PHASES = {
    "pages": page_rows,
    "queries": query_growth_rows,
    "bytes": transfer_rows,
    "pdf": pdf_rows,
    "kept": kept_rows,
    "batch": batch_rows,
    "import": import_rows,
    "load": load_rows,
}


def measure(phases: set[str], ctx: dict, args) -> tuple[Results, dict]:
    """Run the chosen phases in order; their rows, and the seconds each phase took."""
    res, elapsed = Results(), {}
    for name, phase in PHASES.items():
        if name in phases:
            t = time.perf_counter()
            phase(res, ctx, args)
            elapsed[name] = time.perf_counter() - t
    return res, elapsed
