"""Issue 12, faults of batch printing: a worker killed mid-batch, a file missing after a restore."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import services
from reports.models import BatchPrint
from reports.tasks import batch_print_run, figures_nightly
from tests import factories as f

pytestmark = pytest.mark.django_db

STOPPED = "Gagal: pencetakan berhenti"
ROOT = Path(__file__).resolve().parents[2]
MISSING = "Berkas PDF tidak ada (mungkin dipulihkan dari cadangan tanpa berkasnya); cetak ulang"


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _killed_mid_batch(world, *, minutes_ago: int) -> BatchPrint:
    """What a worker killed at 1 of 2 groups leaves: running, 1/2 done, no heartbeat since."""
    return BatchPrint.objects.create(
        area=world["kec_a"],
        month=datetime.date(2026, 10, 1),
        created_by=world["admin"],
        status=BatchPrint.Status.RUNNING,
        total=2,
        done=1,
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_a_batch_still_moving_is_not_stalled(world, login):
    batch = _killed_mid_batch(world, minutes_ago=2)
    page = login(world["admin"]).get(reverse("reports:batch_detail", args=[batch.pk]))
    assert page.status_code == 200 and "Sedang dicetak" in page.text
    assert STOPPED not in page.text and 'id="batch-retry"' not in page.text
    assert not BatchPrint.objects.stalled(timezone.now()).exists()


def test_a_batch_whose_worker_died_fails_and_its_retry_queues_once_and_completes(
    october, world, login, db_tasks, django_capture_on_commit_callbacks
):
    batch = _killed_mid_batch(world, minutes_ago=11)
    client = login(world["admin"])
    url = reverse("reports:batch_detail", args=[batch.pk])
    assert client.get(url, headers={"Accept": "application/json"}).json()["status"] == "failed"
    page = client.get(url)
    assert page.status_code == 200
    assert STOPPED in page.text and 'id="batch-retry"' in page.text
    batch.refresh_from_db()
    assert batch.status == BatchPrint.Status.FAILED

    retry = reverse("reports:batch_retry", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(retry)
        second = client.post(retry)  # a second tap
    assert first.status_code == second.status_code == 302 and first.url == url
    tasks = DBTaskResult.objects.filter(task_path=batch_print_run.module_path)
    assert tasks.count() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.error) == (BatchPrint.Status.QUEUED, 0, "")
    assert 'id="batch-retry"' not in client.get(url).text

    # The queued task runs, as a worker runs it (db_worker itself closes the test's connection).
    queued = tasks.get()
    assert queued.status == "READY"
    assert queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"]) == 2
    status = client.get(url, headers={"Accept": "application/json"}).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 2, 2)
    assert client.get(reverse("reports:batch_download", args=[batch.pk, "pdf"])).content.startswith(b"%PDF")


def test_the_nightly_task_marks_a_dead_workers_batch_failed(october, world):
    dead = _killed_mid_batch(world, minutes_ago=60)
    moving = _killed_mid_batch(world, minutes_ago=1)
    figures_nightly.call()
    dead.refresh_from_db()
    moving.refresh_from_db()
    assert (dead.status, dead.error) == (BatchPrint.Status.FAILED, STOPPED)
    assert moving.status == BatchPrint.Status.RUNNING


def test_a_done_batch_whose_files_are_gone_says_so_and_prints_again(
    october, world, login, django_capture_on_commit_callbacks, settings
):
    client = login(world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:batch_print"), {"area": world["kec_a"].pk, "month": "2026-10"})
    batch = BatchPrint.objects.get(status=BatchPrint.Status.DONE)
    page = reverse("reports:batch_detail", args=[batch.pk])
    assert 'id="batch-retry"' not in client.get(page).text
    # A database restored from a backup without its media folder.
    for file in (batch.pdf, batch.zip):
        file.storage.delete(file.name)

    for kind in ("pdf", "zip"):
        download = client.get(reverse("reports:batch_download", args=[batch.pk, kind]))
        assert download.status_code == 404
        assert MISSING in download.text and 'id="batch-retry"' in download.text
        assert 'class="navbar' in download.text  # the app's layout
    shown = client.get(page)
    assert shown.status_code == 200 and MISSING in shown.text and 'id="batch-retry"' in shown.text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:batch_retry", args=[batch.pk]))
    assert client.get(reverse("reports:batch_download", args=[batch.pk, "pdf"])).content.startswith(b"%PDF")
    assert MISSING not in client.get(page).text


def test_a_recap_job_whose_file_is_gone_says_so(world, login):
    job = BatchPrint.objects.create(
        kind=BatchPrint.Kind.RECAP,
        area=world["kab"],
        month=datetime.date(2026, 10, 1),
        created_by=world["admin"],
        status=BatchPrint.Status.DONE,
        pdf="batches/rekap-hilang.pdf",
    )
    response = login(world["admin"]).get(reverse("reports:recap_job_download", args=[job.pk]))
    assert response.status_code == 404 and MISSING in response.text
    assert reverse("reports:recap_job_retry", args=[job.pk]) in response.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process shares the test database")
def test_a_worker_killed_mid_batch_leaves_it_stalled_and_its_retry_completes(
    world, reference_data, login, db_tasks, tmp_path, settings
):
    """A real `db_worker` killed with SIGKILL after the first group: no other worker takes the batch
    up again; the stalled rule catches it, and its retry prints it."""
    for number in range(6):
        f.group(world["desa_a1"], f"BKB Tambahan {number}")
    total = BkbGroup.objects.in_area(world["kec_a"]).count()
    with transaction.atomic():
        batch = services.batch_print_start(area=world["kec_a"], month=Month(2026, 10), user=world["admin"])
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    worker = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"]
    with open(tmp_path / "worker.log", "w") as log:
        process = subprocess.Popen(worker, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while BatchPrint.objects.get(pk=batch.pk).done < 1:
                assert time.monotonic() < deadline and process.poll() is None, (tmp_path / "worker.log").read_text()
                time.sleep(0.05)
        finally:
            process.kill()  # SIGKILL: no handler runs
            process.wait()
    batch.refresh_from_db()
    assert batch.status == BatchPrint.Status.RUNNING and 1 <= batch.done < batch.total == total
    # A new worker finds nothing to do: the killed one's task stays RUNNING, the batch with it.
    subprocess.run([*worker, "--batch"], cwd=ROOT, env=env, capture_output=True, timeout=120, check=True)
    batch.refresh_from_db()
    assert batch.status == BatchPrint.Status.RUNNING and not BatchPrint.objects.stalled(timezone.now()).exists()

    # No step for STALL_AFTER: stalled. The page marks it failed and offers the retry.
    BatchPrint.objects.filter(pk=batch.pk).update(updated_at=F("updated_at") - BatchPrint.STALL_AFTER)
    client = login(world["admin"])
    page = client.get(reverse("reports:batch_detail", args=[batch.pk]))
    assert STOPPED in page.text and 'id="batch-retry"' in page.text
    client.post(reverse("reports:batch_retry", args=[batch.pk]))
    queued = DBTaskResult.objects.get(task_path=batch_print_run.module_path, status="READY")
    settings.MEDIA_ROOT = tmp_path / "media"
    assert queued.task.call(*queued.args_kwargs["args"]) == total
    batch.refresh_from_db()
    assert (batch.status, batch.done) == (BatchPrint.Status.DONE, total)
