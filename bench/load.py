"""The load test: gunicorn (4 sync workers) on loopback, and locust's simulated cadres against it.

Each cadre is already logged in and has its own group and session (a plan file locustfile.py
reads). Django imports stay inside the functions: run.py sets up Django only after the
database exists.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import BENCH, ROOT
from bench.prepare import session_payload
from bench.timing import TARGETS, Results, logged_in


def load_rows(res: Results, ctx: dict, args) -> None:
    """gunicorn (4 sync workers, loopback) and locust headless: 200 cadres, roster + session save."""
    venv_bin = Path(sys.executable).parent
    gunicorn, locust = venv_bin / "gunicorn", venv_bin / "locust"
    if not gunicorn.exists() or not locust.exists():
        res.add("load", "Load test", median="skipped", note="gunicorn/locust not installed (requirements-bench.txt)")
        return
    plans = load_plans(args.users)
    plan_file = Path(tempfile.mkdtemp(prefix="bkb-bench-")) / "plan.json"
    plan_file.write_text(json.dumps({"password": ctx["password"], "cadres": plans}))
    stats = swarm(gunicorn, locust, plan_file, plans, args)
    if not stats.exists():
        res.add("load", "Load test", median="failed", note="locust wrote no stats")
        return
    load_stats_rows(res, stats, args)
    shutil.rmtree(plan_file.parent, ignore_errors=True)


def load_plans(users: int) -> list[dict]:
    """One plan per simulated cadre: its own group, the session it saves, what it posts."""
    from django.conf import settings

    from cadres.models import CadreRole
    from sessions.models import CoachingSession

    plans = []
    roles = (
        CadreRole.objects.filter(role="ketua", cadre__user__isnull=False)
        .select_related("cadre__user")
        .order_by("group_id")[:users]
    )
    for role in roles:
        session = CoachingSession.objects.filter(group_id=role.group_id).order_by("-date").first()
        # Cadres stay logged in (30-day session cookie): the load is the pages, not 200 password hashes
        # at once. The login itself is timed in-process as its own row.
        browser = logged_in(role.cadre.user)
        plans.append(
            {
                "username": role.cadre.user.username,
                "sessionid": browser.cookies[settings.SESSION_COOKIE_NAME].value,
                "group": role.group_id,
                "session": session.pk,
                "payload": dict(session_payload(session).lists()),
            }
        )
    return plans


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def swarm(gunicorn: Path, locust: Path, plan_file: Path, plans: list[dict], args) -> Path:
    """Serve with gunicorn on a free loopback port, warm it, run locust; the path of locust's stats CSV."""
    port = free_port()
    env = os.environ.copy() | {"ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "false", "BKB_BENCH_PLAN": str(plan_file)}
    server = subprocess.Popen(
        [str(gunicorn), "bkb.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "30",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    prefix = plan_file.parent / "locust"
    try:
        wait_for_port(port)
        warm(port, plans)
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
    return prefix.with_name("locust_stats.csv")


def wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.2)


def warm(port: int, plans: list[dict]) -> None:
    """Warm the 4 workers (imports, DB connections, templates) so the figures are the steady state."""
    import urllib.request

    for i in range(24):
        plan = plans[i % len(plans)]
        for path in (f"/kelompok/{plan['group']}/anggota/", f"/pertemuan/{plan['session']}/ubah/"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={plan['sessionid']}"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()


def load_stats_rows(res: Results, stats: Path, args) -> None:
    """The rows locust's stats CSV gives: all requests against the target, then each request name."""
    import csv

    rows = {row["Name"]: row for row in csv.DictReader(stats.open())}
    total = rows.get("Aggregated", {})
    requests, failures = int(total.get("Request Count", 0)), int(total.get("Failure Count", 0))
    p95 = float(total.get("95%", "nan") or "nan")
    rps = float(total.get("Requests/s", 0) or 0)
    ok = failures == 0 and p95 <= TARGETS["load_p95"]
    res.add("load_all", f"Load: {args.users} cadres, gunicorn -w 4, {args.load_seconds}s, all requests",
            median=float(total.get("50%", "nan") or "nan"), p95=p95, target=f"0 errors, p95 <= {TARGETS['load_p95']}",
            ok=ok, note=f"{rps:.1f} req/s, {requests} requests, {failures} errors")  # fmt: skip
    for name, row in rows.items():
        if name == "Aggregated":
            continue
        res.add(f"load_{re.sub(r'[^a-z]+', '_', name.lower())}", f"Load: {name}",
                median=float(row.get("50%") or "nan"), p95=float(row.get("95%") or "nan"),
                note=f"{float(row.get('Requests/s') or 0):.1f} req/s, {row['Request Count']} requests, "
                     f"{row['Failure Count']} errors")  # fmt: skip
