"""Writing the table: bench/results.md and results.json, each row beside the previous run's.

The last run's files become results-previous.md and results-previous.json first.
"""

import datetime
import json
import os
import platform
import shutil
from pathlib import Path

from bench.common import BENCH, ROOT, log


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


def _keep_previous(out_md: Path, out_json: Path) -> dict:
    """Move the last run's files aside; its rows by key."""
    previous = {}
    if out_json.exists():
        shutil.move(out_json, BENCH / "results-previous.json")
        previous = {row["key"]: row for row in json.loads((BENCH / "results-previous.json").read_text())["rows"]}
    if out_md.exists():
        shutil.move(out_md, BENCH / "results-previous.md")
    return previous


def _row_line(row: dict, previous: dict) -> str:
    unit = row["unit"]
    target_text = _target_text(row["target"], unit)
    status = "" if row["ok"] is None else ("met" if row["ok"] else "**missed**")
    prev = previous.get(row["key"])
    prev_text = f"{fmt(prev['median'], unit)} / {fmt(prev['p95'], unit)}" if prev else ""
    median_text = fmt(row["median"], unit) + ("" if unit in ("ms",) or row["median"] is None else f" {unit}")
    return (
        f"| {row['figure']} | {median_text} | {fmt(row['p95'], unit)} | {fmt(row['queries'])} | "
        f"{target_text} | {status} | {prev_text} | {row['note']} |"
    )


def write_results(rows: list[dict], meta: dict, info: dict, elapsed: dict) -> None:
    out_md, out_json = BENCH / "results.md", BENCH / "results.json"
    previous = _keep_previous(out_md, out_json)
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
    lines += [_row_line(row, previous) for row in rows]
    lines += ["", "Bench phases (seconds): " + ", ".join(f"{k} {v:.0f}" for k, v in elapsed.items()), ""]
    notes = BENCH / "NOTES.md"
    if notes.exists():
        lines += ["See bench/NOTES.md for why figures miss their targets and the index/query proposals.", ""]
    out_md.write_text("\n".join(lines))
    out_json.write_text(json.dumps({"meta": meta, "info": info, "elapsed": elapsed, "rows": rows}, indent=1,
                                   default=str))  # fmt: skip
    log(f"wrote {out_md.relative_to(ROOT)}")
    print("\n".join(lines))
