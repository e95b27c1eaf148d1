"""Time SQL statements (median of N) on the bench DB: python bench/sqltime.py FILE [N].

Statements in FILE are separated by lines holding only ';'. Used to measure
index and query-shape proposals before and after (see bench/NOTES.md).
"""

import os
import statistics
import sys
import time

import psycopg

url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bkb_bench")
statements = [s.strip() for s in open(sys.argv[1]).read().split("\n;\n") if s.strip()]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
with psycopg.connect(url) as conn:
    for i, sql in enumerate(statements):
        times, rows = [], 0
        for _ in range(n + 1):
            t = time.perf_counter()
            rows = len(conn.execute(sql).fetchall())
            times.append((time.perf_counter() - t) * 1000)
        times = sorted(times[1:])
        p95 = times[max(0, round(0.95 * n) - 1)]
        print(f"#{i}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, {rows} rows")
