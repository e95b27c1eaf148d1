"""The load test: cadres on phones against gunicorn, with the task worker running beside it.

gunicorn (4 sync workers) and a `db_worker` (which runs the figures refreshes every session save
queues, as in production) are pinned to core 0 with `taskset`, locust to core 1, so the
load generator's CPU stays out of the server's; PostgreSQL is not pinned. The cadres step up
(100, 200, 400, 800, 1,600, see locustfile.py); for each step's steady window this reports
requests/s, p50/p95, errors, and CPU per request of the gunicorn processes and of the
database's backends, read from /proc every second. Django imports stay inside the functions.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import BENCH, ROOT, log
from bench.prepare import session_payload
from bench.timing import Results, pct

TARGET_P95 = 300  # ms, with 0 errors
WARM_SKIP = 10  # seconds at the start of each step left out of its figures
CLK = os.sysconf("SC_CLK_TCK")


def find_locust() -> str | None:
    for candidate in (
        os.environ.get("BENCH_LOCUST"),
        str(ROOT / ".venv-bench" / "bin" / "locust"),
        str(Path(sys.executable).parent / "locust"),
        shutil.which("locust"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def has_gunicorn() -> bool:
    return subprocess.run([sys.executable, "-c", "import gunicorn"], capture_output=True).returncode == 0


def pinning() -> tuple[list[str], list[str], str]:
    """taskset prefixes for the server side and for locust, and how the table says it."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"], "gunicorn and db_worker on core 0, locust on core 1"
    return [], [], "not pinned (one core, or no taskset)"


def load_rows(res: Results, ctx: dict, args) -> None:
    locust = find_locust()
    if not locust or not has_gunicorn():
        missing = "gunicorn (app venv) or locust (.venv-bench) not installed"
        res.add("load", "Load test", median="skipped", unit="", note=f"{missing}: see requirements-*.txt")
        return
    steps = [int(n) for n in args.steps.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bkb-bench-"))
    plans = load_plans(max(steps))
    if len(plans) < max(steps):
        log(f"only {len(plans)} cadres with a login: the larger steps reuse accounts")
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps({"cadres": plans}))
    before = refresh_tasks()
    out, samples, pinned = swarm(locust, plan_file, work, steps, args)
    after = refresh_tasks()
    if not out.exists():
        res.add("load", "Load test", median="failed", unit="", note="locust wrote no results")
        return
    data = json.loads(out.read_text())
    step_rows(res, data, samples, steps, args)
    done = after["done"] - before["done"]
    res.add("load_refresh", "Figures refreshes run by the db_worker during the load", median=done, unit="tasks",
            note=f"{after['waiting']} still queued at the end, {after['failed'] - before['failed']} failed; "
                 f"{sum(1 for r in data['records'] if r[1] == 'session save')} session saves queued them")  # fmt: skip
    res.extra["load_pinning"] = pinned
    res.extra["load_users"] = len(plans)
    shutil.rmtree(work, ignore_errors=True)


def refresh_tasks() -> dict:
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(task_path__endswith=".figures_refresh")
    return {
        "done": tasks.filter(status="SUCCESSFUL").count(),
        "failed": tasks.filter(status="FAILED").count(),
        "waiting": tasks.filter(status__in=["READY", "RUNNING"]).count(),
    }


def load_plans(count: int) -> list[dict]:
    """One plan per simulated cadre: a distinct login, its group's session and children, the save's POST."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from cadres.models import CadreRole
    from families.models import Child
    from sessions.models import CoachingSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    today = timezone.localdate()
    roles = (
        CadreRole.objects.filter(cadre__user__isnull=False, cadre__user__username__startswith="kader")
        .select_related("cadre__user")
        .order_by("group_id", "cadre_id")
    )
    by_user = {}
    for role in roles:
        by_user.setdefault(role.cadre.user_id, (role.cadre.user, role.group_id))
    # Every group's chair (kaderN) first, then the groups' second cadres (kaderNb).
    users = sorted(by_user.values(), key=lambda pair: (pair[0].username.endswith("b"), pair[1]))[:count]
    wanted = {group_id for _user, group_id in users}
    sessions, payloads, children = {}, {}, {}
    for group_id in wanted:
        session = CoachingSession.objects.filter(group_id=group_id).order_by("-date").first()
        sessions[group_id] = session.pk
        payloads[group_id] = dict(session_payload(session).lists())
    for child_id, group_id in (
        Child.objects.filter(family__group_id__in=wanted).in_programme_on(today).values_list("pk", "family__group_id")
    ):
        children.setdefault(group_id, []).append(child_id)
    plans = []
    for user, group_id in users:
        # Logged in on the phone weeks ago: a session like the login view makes, without the PBKDF2.
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        plans.append({"username": user.username, "sessionid": session.session_key, "group": group_id,
                      "session": sessions[group_id], "payload": payloads[group_id],
                      "children": children.get(group_id, [])[:8] or [0]})  # fmt: skip
    return plans


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CpuSampler(threading.Thread):
    """CPU seconds of the server's processes and of this database's backends, every second, from /proc."""

    def __init__(self, server_pid: int, worker_pid: int, dbname: str):
        super().__init__(daemon=True)
        self.server_pid, self.worker_pid, self.dbname = server_pid, worker_pid, dbname
        self.samples: list[tuple[float, dict]] = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.samples.append((time.time(), self.sample()))
            self.stop.wait(1.0)
        self.samples.append((time.time(), self.sample()))

    def sample(self) -> dict:
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                ppid, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK
                pid = int(entry.name)
                if pid == self.server_pid or ppid == self.server_pid:
                    found[pid] = ("gunicorn", cpu)
                elif pid == self.worker_pid:
                    found[pid] = ("worker", cpu)
                elif "postgres" in stat[: stat.index(")")]:
                    cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    if f" {self.dbname} " in cmdline:
                        found[pid] = ("database", cpu)
            except (OSError, ValueError, IndexError):
                continue
        return found

    def used(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds each kind used from `start` to `end` (processes born meanwhile count whole)."""
        before = max((s for s in self.samples if s[0] <= start), default=self.samples[0], key=lambda s: s[0])[1]
        after = min((s for s in self.samples if s[0] >= end), default=self.samples[-1], key=lambda s: s[0])[1]
        totals: dict[str, float] = {}
        for pid, (kind, cpu) in after.items():
            totals[kind] = totals.get(kind, 0.0) + cpu - before.get(pid, (kind, 0.0))[1]
        return totals


def swarm(locust: str, plan_file: Path, work: Path, steps: list[int], args):
    """gunicorn and a db_worker on core 0, locust's steps on core 1; locust's output file, the CPU samples."""
    server_cpu, client_cpu, pinned = pinning()
    port = free_port()
    out = work / "locust.json"
    env = os.environ.copy() | {
        "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "false", "BKB_BENCH_PLAN": str(plan_file), "BKB_BENCH_OUT": str(out),
        "BKB_BENCH_STEPS": ",".join(map(str, steps)), "BKB_BENCH_STEP_SECONDS": str(args.step_seconds),
        "BKB_BENCH_STOP_MS": str(TARGET_P95 * 5),
    }  # fmt: skip
    server = subprocess.Popen(
        [*server_cpu, sys.executable, "-m", "gunicorn", "bkb.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}",
         "--timeout", "30", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(
        [*server_cpu, sys.executable, "manage.py", "db_worker", "--interval", "1", "--no-reload", "-v", "0"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    sampler = CpuSampler(server.pid, worker.pid, os.environ["DATABASE_URL"].rsplit("/", 1)[-1])
    try:
        wait_for_port(port)
        warm(port, json.loads(plan_file.read_text())["cadres"])
        sampler.start()
        log(f"load: {', '.join(map(str, steps))} cadres, {args.step_seconds:.0f} s a step; {pinned}")
        cmd = [*client_cpu, locust, "-f", str(BENCH / "locustfile.py"), "--headless", "--only-summary",
               "--host", f"http://127.0.0.1:{port}", "--stop-timeout", "5", "--loglevel", "WARNING"]  # fmt: skip
        with (work / "locust.log").open("w") as output:
            subprocess.run(cmd, cwd=ROOT, env=env, timeout=len(steps) * args.step_seconds + 120, check=False,
                           stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
        if not out.exists():
            log("locust: " + (work / "locust.log").read_text()[-3000:])
    finally:
        sampler.stop.set()
        sampler.join(5)
        for process in (server, worker):
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return out, sampler, pinned


def wait_for_port(port: int) -> None:
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.2)


def warm(port: int, plans: list[dict]) -> None:
    """Warm the 4 workers (imports, DB connections, templates) so the figures are the steady state."""
    import urllib.request

    for i in range(24):
        plan = plans[i % len(plans)]
        for path in (f"/kelompok/{plan['group']}/anggota/", f"/pertemuan/{plan['session']}/ubah/",
                     f"/anak/{plan['children'][0]}/kka/"):  # fmt: skip
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={plan['sessionid']}"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()


def step_rows(res: Results, data: dict, sampler: CpuSampler, steps: list[int], args) -> None:
    """Each step's steady window: requests/s, p50, p95, errors, CPU per request; then the figure."""
    records, bounds = data["records"], data["steps"]
    best = 0
    for index, (users, start) in enumerate(bounds):
        end = bounds[index + 1][1] if index + 1 < len(bounds) else data["end"]
        window = [r for r in records if start + WARM_SKIP <= r[0] < end]
        seconds = max(1e-9, end - start - WARM_SKIP)
        times = [r[2] for r in window]
        errors = sum(1 for r in window if r[3])
        cpu = sampler.used(start + WARM_SKIP, end)
        n = len(window)
        p95 = pct(times, 95)
        ok = n > 0 and errors == 0 and p95 <= TARGET_P95
        if ok and users > best:
            best = users
        by_name = {}
        for r in window:
            by_name.setdefault(r[1], []).append(r[2])
        res.steps.append({
            "users": users, "seconds": seconds, "requests": n, "rps": n / seconds,
            "p50": statistics.median(times) if times else None, "p95": p95, "errors": errors,
            "gunicorn_cpu_ms": 1000 * cpu.get("gunicorn", 0) / n if n else None,
            "db_cpu_ms": 1000 * cpu.get("database", 0) / n if n else None,
            "worker_cpu_s": cpu.get("worker", 0), "server_core_busy": cpu.get("gunicorn", 0) / seconds,
            "ok": ok, "by_name": {name: (len(v), pct(v, 95)) for name, v in sorted(by_name.items())},
        })  # fmt: skip
        log(f"step {users}: {n / seconds:.1f} req/s, p95 {p95} ms, {errors} errors")
    skipped = [s for s in steps if s not in {users for users, _start in bounds}]
    note = f"steps of {args.step_seconds:.0f} s, the first {WARM_SKIP} s of each left out"
    if data.get("stopped"):
        note += f"; stopped after {data['stopped']['after']} ({data['stopped']['reason']}), not run: {skipped}"
    res.add("load_best", "Concurrent cadres at phone pace (20-30 s), p95 <= 300 ms, 0 errors", median=best,
            unit="cadres", note=note)  # fmt: skip
