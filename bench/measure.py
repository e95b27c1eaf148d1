"""Measuring: each phase adds its rows to `Results`, in the order the table shows them.

Server times are in-process (django.test.Client, force_login), warm and sequential; the
batch print runs real `db_worker` processes and the load test (load.py) a real gunicorn
and locust, all on 127.0.0.1 and bounded in time. Django imports stay inside the
functions: run.py sets up Django only after the database exists.
"""

import gzip
import os
import re
import subprocess
import sys
import time

from bench.common import ROOT, log
from bench.load import load_rows
from bench.timing import TARGETS, Results, get_ok, logged_in, timed, timed_row

# --- pages -------------------------------------------------------------------------------


def page_rows(res: Results, ctx: dict, args) -> None:
    """What a cadre waits for on the phone, the kabupaten search, and the area pages."""
    cadre = logged_in(ctx["cadre_user"])
    g = ctx["group"]
    for key, figure, url in (
        ("roster", f"Roster ({ctx['roster_children']} children)", f"/kelompok/{g.pk}/anggota/"),
        ("roster_search", "Roster search ?q= (in group)", f"/kelompok/{g.pk}/anggota/?q={ctx['name_query']}"),
        ("session_new", f"Session screen, new ({ctx['members']} members)", f"/pertemuan/kelompok/{g.pk}/baru/"),
        ("session_edit", "Session screen, edit", f"/pertemuan/{ctx['session'].pk}/ubah/"),
    ):
        timed_row(res, key, figure, get_ok(cadre, url), reps=args.reps, budget=args.budget, target="cadre")
    session_save_row(res, ctx, args, cadre)
    timed_row(res, "child_kka", "Child KKA page", get_ok(cadre, f"/anak/{ctx['child'].pk}/kka/"), reps=args.reps,
              budget=args.budget, target="cadre")  # fmt: skip
    login_row(res, ctx, args)
    search_rows(res, ctx, args)
    area_page_rows(res, ctx, args)


def session_save_row(res: Results, ctx: dict, args, cadre) -> None:
    # A dict of lists: the test client would send only the last value of a QueryDict key.
    payload = dict(ctx["session_payload"].lists())

    def save():
        response = cadre.post(f"/pertemuan/{ctx['session'].pk}/ubah/", payload)
        if response.status_code != 302:
            raise RuntimeError(f"session save -> {response.status_code}")

    timed_row(res, "session_save", f"Session save ({len(payload.get('hadir', []))} present)", save, reps=args.reps,
              budget=args.budget, target="cadre")  # fmt: skip


def login_row(res: Results, ctx: dict, args) -> None:
    from django.test import Client

    def login():
        browser = Client()
        response = browser.post("/masuk/", {"username": ctx["cadre_user"].username, "password": ctx["password"]})
        if response.status_code != 302:
            raise RuntimeError(f"login -> {response.status_code}")

    timed_row(res, "login", "Login (password check, once per 30-day session)", login, reps=10, budget=args.budget,
              warmup=1, note="; PBKDF2 hashing is CPU-bound by design")  # fmt: skip


def search_rows(res: Results, ctx: dict, args) -> None:
    """Family search across the kabupaten.

    There is no kabupaten-wide search page yet, so this measures the service the roster uses
    (families.services.search_families) over every family under the kabupaten, first 50 rows,
    as such a page would run it.
    """
    from families.models import Family
    from families.services import search_families

    kab_families = Family.objects.filter(group__desa__path__startswith=ctx["kabupaten"].path)
    for key, figure, query in (
        ("search_name", f"Kabupaten family search, name '{ctx['name_query']}'", ctx["name_query"]),
        ("search_nik", f"Kabupaten family search, NIK prefix '{ctx['nik_query']}'", ctx["nik_query"]),
    ):

        def search(query=query):
            return list(search_families(kab_families, query).select_related("group").order_by("mother_name")[:50])

        median, p95, q, n = timed(search, reps=args.reps, budget=args.budget)
        res.add(key, figure, median=median, p95=p95, queries=q, target=TARGETS["search"],
                ok=p95 <= TARGETS["search"], note=f"n={n}, {len(search())} rows")  # fmt: skip


def area_page_rows(res: Results, ctx: dict, args) -> None:
    """Dashboards of a kecamatan and the kabupaten, and the kabupaten recap; keeps their query counts in ctx."""
    admin, supervisor = logged_in(ctx["admin_user"]), logged_in(ctx["supervisor_user"])
    month = ctx["month"]
    for key, figure, client, area in (
        ("dash_kec", f"Dashboard, kecamatan ({ctx['kec_groups']} groups)", supervisor, ctx["kecamatan"]),
        ("dash_kab", f"Dashboard, kabupaten ({ctx['kab_groups']} groups)", admin, ctx["kabupaten"]),
    ):
        url = f"/laporan/?wilayah={area.pk}&bulan={month}"
        ctx[f"queries_{key}"] = timed_row(res, key, figure, get_ok(client, url), reps=args.reps,
                                          budget=args.budget * 2, warmup=1, target=key)  # fmt: skip
    url = f"/laporan/rekap/{ctx['kabupaten'].pk}/{month}/"
    ctx["queries_recap_kab"] = timed_row(res, "recap_kab", f"Area recap, kabupaten ({ctx['kab_groups']} groups)",
                                         get_ok(admin, url), reps=args.reps, budget=args.budget * 2, warmup=1,
                                         note="; no target set")  # fmt: skip


def query_growth_rows(res: Results, ctx: dict, args) -> None:
    """Page query counts must not grow with the data: same count at a small area and the kabupaten."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = logged_in(ctx["admin_user"])
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


# --- PDFs --------------------------------------------------------------------------------


def pdf_rows(res: Results, ctx: dict, args) -> None:
    """The group's monthly PDF through its view, against WeasyPrint alone on the same HTML."""
    from weasyprint import HTML

    from reports import rendering

    admin = logged_in(ctx["admin_user"])
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
            target=TARGETS["pdf_ratio"], ok=ratio <= TARGETS["pdf_ratio"])  # fmt: skip


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
            target=TARGETS["batch"], ok=rate >= TARGETS["batch"] and statuses == ["done", "done"],
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


# --- all phases --------------------------------------------------------------------------

# In the order they run: the query-count phase reuses the kabupaten counts the pages phase kept.
PHASES = {
    "pages": page_rows,
    "queries": query_growth_rows,
    "bytes": transfer_rows,
    "pdf": pdf_rows,
    "batch": batch_rows,
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
