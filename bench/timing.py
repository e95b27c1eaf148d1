"""The measuring machinery: the rows, and timing a call against a floor, interleaved.

A page's time is taken in turns with its floor (A, B, A, B, ...) in one process, so both see
the same machine: on 2 busy cores a sequential run of A then B measures the neighbours as
much as the code. Each row reports A's median and p95, B's median and the median of the
per-pair ratios A/B, plus the CPU time (time.process_time) of this process per A call.

Django imports stay inside the functions: run.py sets up Django only after the database exists.
"""

import statistics
import time
from dataclasses import dataclass, field

from bench.common import log


class Results:
    def __init__(self):
        self.rows: list[dict] = []
        self.steps: list[dict] = []  # the load test's steps
        self.extra: dict = {}  # phase facts the table and notes print (plans, sizes, seed phases)

    def add(self, key, figure, *, median=None, p95=None, unit="ms", note="", **more):
        row = dict(key=key, figure=figure, median=median, p95=p95, unit=unit, note=note, **more)
        self.rows.append(row)
        shown = f"{median:.1f}" if isinstance(median, float) else median
        shown95 = f"{p95:.1f}" if isinstance(p95, float) else p95
        log(f"{figure}: median {shown} p95 {shown95} {unit} {note}")
        return row

    def get(self, key) -> dict | None:
        return next((row for row in self.rows if row["key"] == key), None)


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    index = max(0, min(len(values) - 1, int(round(q / 100 * len(values) + 0.5)) - 1))
    return values[index]


@dataclass
class Pair:
    """What an interleaved run of A (the page) and B (its floor) measured; times in ms."""

    a: list = field(default_factory=list)
    b: list = field(default_factory=list)
    a_cpu: list = field(default_factory=list)
    queries: int | None = None

    @property
    def n(self) -> int:
        return len(self.a)

    @property
    def median(self):
        return statistics.median(self.a) if self.a else None

    @property
    def p95(self):
        return pct(self.a, 95)

    @property
    def floor(self):
        return statistics.median(self.b) if self.b else None

    @property
    def ratio(self):
        """The median of the per-pair ratios A/B: each pair saw the same moment of the machine."""
        ratios = [a / b for a, b in zip(self.a, self.b, strict=False) if b > 0]
        return statistics.median(ratios) if ratios else None

    @property
    def cpu(self):
        return statistics.median(self.a_cpu) if self.a_cpu else None


def interleaved(a, b=None, *, reps: int, budget: float, warmup: int = 2, minimum: int = 5) -> Pair:
    """Call `a` and `b` in turns, `reps` pairs or until `budget` seconds (at least `minimum` pairs).

    The second call of `a` counts its queries; `warmup` calls are not timed. A call
    slower than budget/minimum makes the run stop at `minimum` pairs: slow pages get fewer
    runs (n is reported) so the bench stays bounded.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Pair()
    # The first call may refresh kept rows a write left stale: count the queries of the next one.
    a()
    with CaptureQueriesContext(connection) as captured:
        a()
    result.queries = len(captured)
    for _ in range(max(0, warmup - 2)):
        a()
        if b:
            b()
    started = time.perf_counter()
    while result.n < reps and (result.n < minimum or time.perf_counter() - started < budget):
        c0, t0 = time.process_time(), time.perf_counter()
        a()
        t1, c1 = time.perf_counter(), time.process_time()
        result.a.append((t1 - t0) * 1000)
        result.a_cpu.append((c1 - c0) * 1000)
        if b:
            t0 = time.perf_counter()
            b()
            result.b.append((time.perf_counter() - t0) * 1000)
    return result


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


class PageFailed(RuntimeError):
    pass


def get_ok(client, url, **extra):
    def call():
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise PageFailed(f"GET {url} -> {response.status_code}")
        return response

    return call


def sql_floor(sql: str, params=()):
    """One SQL statement run and fetched through Django's connection: the floor of a page that
    could answer with that one indexed query."""
    from django.db import connection

    def call():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return call
