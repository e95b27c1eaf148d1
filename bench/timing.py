"""The measuring machinery: targets, the rows, and timing a call (median, p95, queries).

Django imports stay inside the functions: run.py sets up Django only after the database exists.
"""

import statistics
import time

from bench.common import log

# Targets from issue #5 (reported against, not asserted). Units: ms unless noted.
TARGETS = {
    "cadre": 50,
    "search": 50,
    "dash_kec": 150,
    "dash_kab": 1000,
    "pdf_ratio": 1.2,  # x, view / bare WeasyPrint
    "batch": 20,  # groups/min
    "load_p95": 300,  # with 0 errors
}


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


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    index = max(0, min(len(values) - 1, int(round(q / 100 * len(values) + 0.5)) - 1))
    return values[index]


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


def timed_row(res: Results, key, figure, fn, *, reps, budget, warmup=2, target=None, note=""):
    """Time `fn` and add its row, its p95 held against TARGETS[target] if named; returns its query count."""
    median, p95, queries, n = timed(fn, reps=reps, budget=budget, warmup=warmup)
    limit = TARGETS[target] if target else None
    res.add(key, figure, median=median, p95=p95, queries=queries, target=limit,
            ok=None if limit is None else p95 <= limit, note=f"n={n}{note}")  # fmt: skip
    return queries


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def get_ok(client, url, **extra):
    def call():
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} -> {response.status_code}")
        return response

    return call
