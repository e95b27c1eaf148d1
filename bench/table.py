"""Writing the tables: bench/results.md and results.json.

The targets table has every row of issue #11's Targets, with the issue's "today" figure beside
the one measured now; then the load test's steps, the other figures, and the database's
largest tables and indexes. The last run's files become results-previous.md/.json first, and
each row shows the previous run's median too.
"""

import datetime
import json
import os
import platform
import shutil
from pathlib import Path

from bench.common import BENCH, ROOT, log

# Issue #11's Targets: (row key, figure, today, target text, value of the row, met?)
TARGETS = [
    ("roster", "Roster, 45 children", "51-65 ms", "<= 20 ms, p95 <= 30 ms",
     lambda r: r["median"] <= 20 and r["p95"] <= 30),
    ("session_new", "Session screen, new", "34-51 ms", "<= 25 ms", lambda r: r["median"] <= 25),
    ("session_edit", "Session screen, edit", "34-51 ms", "<= 25 ms", lambda r: r["median"] <= 25),
    ("session_save", "Session save", "34-51 ms", "<= 25 ms", lambda r: r["median"] <= 25),
    ("dash_kec", "Dashboard, kecamatan (50 groups)", "1,280-1,710 ms", "<= 50 ms", lambda r: r["median"] <= 50),
    ("dash_kab", "Dashboard, kabupaten (1,000 groups)", "9,800-14,500 ms", "<= 250 ms",
     lambda r: r["median"] <= 250),
    ("recap_kab", "Recap page, kabupaten", "8,400-12,600 ms", "<= 250 ms", lambda r: r["median"] <= 250),
    ("search_name", "Family search, kabupaten (name)", "17-53 ms", "<= 15 ms", lambda r: r["median"] <= 15),
    ("search_nik", "Family search, kabupaten (NIK prefix)", "17-53 ms", "<= 15 ms", lambda r: r["median"] <= 15),
    ("pdf_ratio", "Group PDF / bare WeasyPrint (interleaved)", "1.40x", "<= 1.10x", lambda r: r["median"] <= 1.10),
    ("load_best", "Concurrent cadres at phone pace, p95 <= 300 ms, 0 errors", "~200", ">= 1,500",
     lambda r: r["median"] >= 1500),
    ("roster_cpu", "CPU per roster request", "~72 ms", "<= 15 ms", lambda r: r["median"] <= 15),
    ("nightly", "Nightly refresh, 1,000 groups", "-", "<= 60 s", lambda r: r["median"] <= 60),
    ("db_size", "Database, 1,000 groups x 24 months", "921 MB", "<= 600 MB", lambda r: r["median"] <= 600),
    # Issue #15's, not #11's: a group's spreadsheet of 500 rows, upload to written.
    ("import_total", "Import 500 rows, upload to written", "-", "< 10 s", lambda r: r["median"] < 10),
]  # fmt: skip


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
        "load_average": os.getloadavg(),
    }


def fmt(value, unit=""):
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return "n/a"
        if unit == "x":
            return f"{value:.2f}x"
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def with_unit(value, unit):
    text = fmt(value, unit)
    if not text or unit in ("ms", "x", "") or not isinstance(value, (int, float)):
        return text
    return f"{text} {unit}"


def _keep_previous(out_md: Path, out_json: Path) -> dict:
    """Move the last run's files aside; its rows by key."""
    previous = {}
    if out_json.exists():
        shutil.move(out_json, BENCH / "results-previous.json")
        try:
            previous = {row["key"]: row for row in json.loads((BENCH / "results-previous.json").read_text())["rows"]}
        except (KeyError, ValueError):
            previous = {}
    if out_md.exists():
        shutil.move(out_md, BENCH / "results-previous.md")
    return previous


def _with_cpu_row(rows: list[dict]) -> list[dict]:
    """The roster's CPU per request as a row of its own (the targets table has it)."""
    roster = next((row for row in rows if row["key"] == "roster"), None)
    if roster and roster.get("cpu") is not None:
        rows = rows + [dict(key="roster_cpu", figure="CPU per roster request (time.process_time, in-process)",
                            median=roster["cpu"], p95=None, unit="ms",
                            note=f"median over {roster['note']}; this process only (the database's share is in "
                                 "the load steps)")]  # fmt: skip
    return rows


def targets_table(rows: dict, previous: dict) -> list[str]:
    lines = [
        "| figure | today (issue #11) | now: median | p95 | target | status | floor: one indexed query "
        "(median, interleaved) | previous run | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, figure, today, target, met in TARGETS:
        row = rows.get(key)
        if row is None:
            lines.append(f"| {figure} | {today} | not measured |  | {target} |  |  |  |  |")
            continue
        unit = row["unit"]
        ok = None
        if isinstance(row["median"], (int, float)) and (row["p95"] is None or isinstance(row["p95"], (int, float))):
            try:
                ok = met(row)
            except TypeError:
                ok = None
        status = "" if ok is None else ("met" if ok else "**missed**")
        floor = f"{fmt(row.get('floor'))} ms" if row.get("floor") is not None else ""
        if row.get("ratio") is not None and key != "pdf_ratio":
            floor += f" (page {row['ratio']:.1f}x)"
        prev = previous.get(key)
        prev_text = with_unit(prev["median"], prev.get("unit", "")) if prev else ""
        lines.append(
            f"| {figure} | {today} | {with_unit(row['median'], unit)} | {fmt(row['p95'], unit)} | {target} | "
            f"{status} | {floor} | {prev_text} | {row['note']} |"
        )
    return lines


def steps_table(steps: list[dict], pinned: str) -> list[str]:
    if not steps:
        return []
    lines = [
        f"Load steps (cadres act every 20-30 s; {pinned}; each step's steady window):",
        "",
        "| cadres | requests/s | p50 ms | p95 ms | errors | gunicorn CPU / request | database CPU / request "
        "| server core busy | within p95 <= 300 ms, 0 errors | p95 by request (n) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for step in steps:
        names = "; ".join(f"{name} {p95:.0f} ({n})" for name, (n, p95) in step["by_name"].items())
        lines.append(
            f"| {step['users']:,} | {step['rps']:.1f} | {fmt(step['p50'])} | {fmt(step['p95'])} | {step['errors']} | "
            f"{fmt(step['gunicorn_cpu_ms'])} ms | {fmt(step['db_cpu_ms'])} ms | {100 * step['server_core_busy']:.0f} % "
            f"| {'yes' if step['ok'] else 'no'} | {names} |"
        )
    return lines


def other_table(rows: list[dict], previous: dict) -> list[str]:
    shown = {key for key, *_rest in TARGETS}
    lines = [
        "| figure | median | p95 | queries | floor (interleaved) | page / floor | CPU / call | previous run | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        if row["key"] in shown:
            continue
        unit = row["unit"]
        prev = previous.get(row["key"])
        lines.append(
            f"| {row['figure']} | {with_unit(row['median'], unit)} | {fmt(row['p95'], unit)} | "
            f"{fmt(row.get('queries'))} | {fmt(row.get('floor'))} | "
            f"{'' if row.get('ratio') is None else f'{row["ratio"]:.1f}x'} | {fmt(row.get('cpu'))} | "
            f"{with_unit(prev['median'], prev.get('unit', '')) if prev else ''} | {row['note']} |"
        )
    return lines


def size_table(extra: dict) -> list[str]:
    lines = []
    for key, groups in (("size_large", extra.get("groups_large")), ("size_small", extra.get("groups_small"))):
        label = f"{groups:,} groups" if groups else key
        size = extra.get(key)
        if not size:
            continue
        lines += [
            f"Database, {label}: {size['total'] / 2**20:,.0f} MB (pg_database_size). Largest tables "
            "(total / heap / indexes, MB) and indexes (MB, scans since the statistics were reset):",
            "",
            "| table | total | heap | indexes |",
            "| --- | --- | --- | --- |",
        ]
        lines += [f"| {n} | {t / 2**20:,.0f} | {h / 2**20:,.0f} | {i / 2**20:,.0f} |" for n, t, h, i in size["tables"]]
        lines += ["", "| index | table | MB | scans |", "| --- | --- | --- | --- |"]
        lines += [f"| {n} | {t} | {s / 2**20:,.1f} | {c:,} |" for n, t, s, c in size["indexes"]]
        lines.append("")
    return lines


def write_results(res, meta: dict, info: dict, elapsed: dict, args) -> None:
    out_md, out_json = BENCH / "results.md", BENCH / "results.json"
    previous = _keep_previous(out_md, out_json)
    rows = _with_cpu_row(res.rows)
    by_key = {row["key"]: row for row in rows}
    seed = ""
    if info.get("seed_phases"):
        seed = "- Seeded this run: " + ", ".join(f"{name} {sec:.0f} s" for name, sec, _n in info["seed_phases"])
    fill = info.get("kept_fill")
    lines = [
        "# BKB at kabupaten scale (`make bench`)",
        "",
        f"- Date: {meta['date']}; load average at the end {', '.join(f'{v:.1f}' for v in meta['load_average'])}",
        f"- Machine: {meta['cores']} cores ({meta['cpu']}), {meta['memory_gb']} GB memory; "
        f"Python {meta['python']}, PostgreSQL {meta['postgresql']}",
        f"- Data: {info['data']}",
        *([seed] if seed else []),
        *(
            [f"- Kept figures filled on this database (seeded before they existed) by reports.kept.nightly: "
             f"{fill['rows']:,} group-month rows and every child's status in {fill['seconds']:.0f} s"]
            if fill else []
        ),  # fmt: skip
        "- Page times are in-process (django.test.Client, force_login), warm, each page interleaved with its "
        "floor (page, floor, page, floor, ...) so both see the same machine; median and p95 over n pairs. "
        "The floor is the same answer from one indexed query on the kept rows; the ratio is the median of "
        "the per-pair ratios.",
        "",
        "## Targets (issue #11)",
        "",
        *targets_table(by_key, previous),
        "",
        *steps_table(res.steps, res.extra.get("load_pinning", "")),
        "",
        "## Other figures",
        "",
        *other_table(rows, previous),
        "",
        "## Database size",
        "",
        *size_table(res.extra),
        "Bench phases (seconds): " + ", ".join(f"{k} {v:.0f}" for k, v in elapsed.items())
        + f"; total {sum(elapsed.values()):.0f} s",
        "",
        "See bench/NOTES.md for the missed targets: their floor and what would close the rest.",
        "",
    ]  # fmt: skip
    out_md.write_text("\n".join(lines))
    out_json.write_text(json.dumps({"meta": meta, "info": info, "elapsed": elapsed, "rows": rows, "steps": res.steps,
                                    "extra": res.extra}, indent=1, default=str))  # fmt: skip
    log(f"wrote {out_md.relative_to(ROOT)}")
    print("\n".join(lines))
