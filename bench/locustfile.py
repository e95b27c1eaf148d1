"""Cadres on their phones, at a phone's pace, in steps: 100, 200, 400, 800, 1,600 of them.

Each simulated cadre is a distinct seeded account (kaderN, kaderNb), already logged in (a
session bench/load.py made: phones keep a 30-day session) with its group, the session it
saves and a few of its children, from the plan file (BKB_BENCH_PLAN). A cadre acts every
20-30 s: the roster (3 in 6), the session screen then its save (1 in 6), a child's KKA page
(2 in 6). Its first action comes at a random moment of its first 25 s, so a step's new
cadres arrive spread out rather than all at once. Every request is recorded with its time and
the step boundaries go to BKB_BENCH_OUT when the test stops; bench/load.py makes the table.
A step whose p95 is past BKB_BENCH_STOP_MS (or with more than 5 % errors) ends the test: the
larger steps would only queue deeper. Run only against 127.0.0.1.
"""

import itertools
import json
import os
import random
import time

import gevent
from locust import HttpUser, LoadTestShape, between, events, task

PLAN = json.loads(open(os.environ["BKB_BENCH_PLAN"]).read())
STEPS = [int(n) for n in os.environ.get("BKB_BENCH_STEPS", "100,200,400,800,1600").split(",")]
STEP_SECONDS = float(os.environ.get("BKB_BENCH_STEP_SECONDS", "60"))
STOP_MS = float(os.environ.get("BKB_BENCH_STOP_MS", "1500"))
PACE = (20, 30)
_next = itertools.count()
RECORDS: list[tuple] = []  # (time, name, ms, failed)
BOUNDARIES: list[tuple] = []  # (users, start time)
STOPPED: dict = {}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    RECORDS.append((time.time(), name, response_time, exception is not None))


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(os.environ["BKB_BENCH_OUT"], "w") as out:
        json.dump({"records": RECORDS, "steps": BOUNDARIES, "end": time.time(), "stopped": STOPPED}, out)


class Cadre(HttpUser):
    wait_time = between(*PACE)

    def on_start(self):
        if not self.host.startswith(("http://127.0.0.1", "http://localhost")):
            raise RuntimeError("the bench runs against loopback only")
        self.plan = PLAN["cadres"][next(_next) % len(PLAN["cadres"])]
        self.client.cookies.set("sessionid", self.plan["sessionid"])
        gevent.sleep(random.uniform(0, PACE[1] - 5))

    @task(3)
    def roster(self):
        self.client.get(f"/kelompok/{self.plan['group']}/anggota/", name="roster")

    @task(2)
    def child_kka(self):
        self.client.get(f"/anak/{random.choice(self.plan['children'])}/kka/", name="child KKA page")

    @task(1)
    def save_session(self):
        url = f"/pertemuan/{self.plan['session']}/ubah/"
        self.client.get(url, name="session screen")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            url,
            self.plan["payload"],
            headers={"X-CSRFToken": token, "Referer": f"{self.host}{url}"},
            name="session save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"status {response.status_code}")


def _p95(values):
    values = sorted(values)
    return values[max(0, int(round(0.95 * len(values) + 0.5)) - 1)] if values else 0


class Steps(LoadTestShape):
    """STEPS cadres, STEP_SECONDS each; stops early when a step is far past the target."""

    def tick(self):
        run_time = self.get_run_time()
        index = int(run_time // STEP_SECONDS)
        if index >= len(STEPS) or STOPPED:
            return None
        if not BOUNDARIES or BOUNDARIES[-1][0] != STEPS[index]:
            if BOUNDARIES and self._far_past(BOUNDARIES[-1][1]):
                STOPPED.update(after=BOUNDARIES[-1][0], reason=f"p95 over {STOP_MS:.0f} ms or errors over 5 %")
                return None
            BOUNDARIES.append((STEPS[index], time.time()))
        # Spawned at once: each new cadre's first action is spread over its first 25 s (on_start).
        return STEPS[index], 100

    def _far_past(self, since: float) -> bool:
        window = [r for r in RECORDS if r[0] >= since + 10]
        if not window:
            return False
        errors = sum(1 for r in window if r[3])
        return _p95([r[2] for r in window]) > STOP_MS or errors > 0.05 * len(window)
