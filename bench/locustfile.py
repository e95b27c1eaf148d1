"""200 cadres on their phones: open the roster, open and save the month's session.

Each simulated cadre takes its own seeded account (kader<N>, already logged
in with a session cookie made by bench/load.py) and group from the plan file
bench/load.py writes (BKB_BENCH_PLAN). Think time 2-6 s between actions, as a
cadre reading the screen. Run only against 127.0.0.1.
"""

import itertools
import json
import os

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BKB_BENCH_PLAN"]).read())
_next = itertools.count()


class Cadre(HttpUser):
    wait_time = between(2, 6)

    def on_start(self):
        if not self.host.startswith(("http://127.0.0.1", "http://localhost")):
            raise RuntimeError("the bench runs against loopback only")
        self.plan = PLAN["cadres"][next(_next) % len(PLAN["cadres"])]
        # Already logged in on the phone (bench/load.py made the session): no 200 password hashes at once.
        self.client.cookies.set("sessionid", self.plan["sessionid"])

    @task(3)
    def roster(self):
        self.client.get(f"/kelompok/{self.plan['group']}/anggota/", name="roster")

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
