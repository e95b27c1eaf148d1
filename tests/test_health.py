"""Issue 12: /healthz for the load balancer (bkb/health.py)."""

import datetime
import socket

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports.kept import figures_refresh
from reports.tasks import nightly_schedule


@pytest.fixture
def client_(db) -> Client:
    return Client()  # anonymous: the load balancer has no login


def test_answers_database_and_worker_in_one_query(client_, django_assert_num_queries):
    nightly_schedule()  # as `make worker` does: the nightly run waits for 00:15
    with django_assert_num_queries(1):
        response = client_.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["database"] == "ok" and body["worker"] == "ok"
    assert body["nightly_scheduled"] is True and body["tasks_due"] == 0


def test_a_task_just_queued_is_not_stale(client_):
    nightly_schedule()
    figures_refresh.enqueue([])
    body = client_.get("/healthz").json()
    assert body["worker"] == "ok" and body["tasks_due"] == 1 and body["oldest_due_minutes"] == 0


def test_a_task_waiting_too_long_makes_the_worker_stale_but_the_node_healthy(client_):
    nightly_schedule()
    figures_refresh.enqueue([])
    DBTaskResult.objects.filter(task_path=figures_refresh.module_path).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=25)
    )
    response = client_.get("/healthz")
    assert response.status_code == 200  # the web node itself is fine
    body = response.json()
    assert body["worker"] == "stale" and body["oldest_due_minutes"] == 25


def test_a_nightly_run_overdue_makes_the_worker_stale(client_):
    # The worker died before midnight: the nightly run is due and nobody took it.
    nightly_schedule()
    DBTaskResult.objects.update(run_after=timezone.now() - datetime.timedelta(hours=2))
    body = client_.get("/healthz").json()
    assert body["worker"] == "stale" and body["oldest_due_minutes"] == 120


def test_no_nightly_run_queued_is_unknown(client_):
    body = client_.get("/healthz").json()
    assert body == {
        "database": "ok",
        "worker": "unknown",
        "worker_detail": "no nightly run is waiting",
        "tasks_due": 0,
        "oldest_due_minutes": None,
        "nightly_scheduled": False,
    }


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_down_answers_503_not_an_error_page(transactional_db):
    # A real failing connection: the next connect goes to a port nobody listens on.
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        connection.settings_dict["NAME"] = "/nonexistent/dir/db.sqlite3"
    try:
        response = Client().get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.update(saved)  # before the test database is flushed
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "worker": "unknown"}


def test_only_get(client_):
    assert client_.post("/healthz").status_code == 405
