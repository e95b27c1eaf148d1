"""The cost of keeping the figures, in a process of its own (for its peak memory).

    DATABASE_URL=... python bench/kept_cost.py [--no-nightly]

Times reports.kept.refresh for one group and its current month (the month row alone, then
as a queued task runs it: the stale month and the children's status), then reports.kept.nightly
for every group, and reports the process's resident memory after start-up, after the refreshes
and at its peak (VmHWM). Prints one JSON line.
"""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bkb.settings")
os.environ.setdefault("DEBUG", "false")
# Production-like but on loopback HTTP: a throwaway key, no HTTPS redirect.
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("BKB_HTTPS", "false")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over exec from the
    parent (the bench, hundreds of MB), while VmHWM starts afresh with this program."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median": statistics.median(ordered), "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
            "n": len(ordered)}  # fmt: skip


def main():
    import django

    django.setup()
    from django.utils import timezone

    from bkb.lib.months import Month
    from devdata.scale import scale_kabupaten
    from groups.models import BkbGroup
    from reports import kept
    from reports.models import GroupMonthFigures

    today = timezone.localdate()
    month = Month.of(today)
    group = BkbGroup.objects.filter(desa__path__startswith=scale_kabupaten().path).order_by("pk").first()
    out = {"rss_start_mb": rss_mb()}
    month_only, task = [], []
    for _ in range(10):
        started = time.perf_counter()
        kept.refresh([group.pk], [month], on=today, children=False)
        month_only.append((time.perf_counter() - started) * 1000)
    for _ in range(10):
        # As after a session save: the month's row stale, then the queued task's refresh.
        GroupMonthFigures.objects.filter(group=group, month=month.first).update(stale=True)
        started = time.perf_counter()
        kept.refresh([group.pk], on=today)
        task.append((time.perf_counter() - started) * 1000)
    out |= {"refresh_month_ms": summary(month_only), "refresh_task_ms": summary(task), "rss_refresh_mb": peak_mb()}
    if "--no-nightly" not in sys.argv:
        started = time.perf_counter()
        done = kept.nightly(on=today)
        out |= {"nightly_s": time.perf_counter() - started, "nightly_rows": done["rows"], "groups": done["groups"]}
    out["rss_peak_mb"] = peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
