"""Background work: batch printing an area's monthly reports, an area's recap PDF, and keeping the
figures current."""

import datetime
import io
import zipfile

from django.core.files.base import ContentFile
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import area, kept, rendering
from reports.models import BatchPrint


def _claim(batch_id: int) -> bool:
    """Take a queued job for this run; False if it is not queued (done, or taken by another run)."""
    claimed = BatchPrint.objects.filter(pk=batch_id, status=BatchPrint.Status.QUEUED)
    return bool(claimed.update(status=BatchPrint.Status.RUNNING, updated_at=timezone.now()))


def _started(batch: BatchPrint, total: int) -> None:
    BatchPrint.objects.filter(pk=batch.pk).update(
        status=BatchPrint.Status.RUNNING, total=total, done=0, updated_at=timezone.now()
    )


def _step(batch: BatchPrint) -> None:
    # A plain UPDATE per part, so the progress page sees it at once; it is also the heartbeat
    # that tells a slow job from one whose worker was killed (BatchPrint.objects.stalled).
    BatchPrint.objects.filter(pk=batch.pk).update(done=F("done") + 1, updated_at=timezone.now())


def _finished(batch: BatchPrint, **files: tuple[str, bytes]) -> None:
    batch.refresh_from_db()
    for field, (name, content) in files.items():
        getattr(batch, field).save(name, ContentFile(content), save=False)
    batch.status, batch.finished_at = BatchPrint.Status.DONE, timezone.now()
    batch.updated_at = batch.finished_at
    batch.save(update_fields=[*files, "status", "finished_at", "updated_at"])


def _failed(batch: BatchPrint, error: Exception) -> None:
    BatchPrint.objects.filter(pk=batch.pk).update(
        status=BatchPrint.Status.FAILED, error=str(error)[:2000], updated_at=timezone.now()
    )


@task
def batch_print_run(batch_id: int) -> int:
    """Render every group's report of the batch's area into one PDF and a ZIP."""
    # Claimed, not just read: a retried job's first task, come round late, must not run it twice.
    if not _claim(batch_id):
        return 0
    batch = BatchPrint.objects.select_related("area").get(pk=batch_id)
    month = Month.of(batch.month)
    groups = list(
        BkbGroup.objects.in_area(batch.area)
        .select_related("desa__parent__parent")
        .order_by("desa__parent__name", "desa__name", "name")
    )
    _started(batch, len(groups))
    try:
        documents, archive = [], io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for group in groups:
                document = rendering.group_report_document(group, month)
                documents.append(document)
                bundle.writestr(rendering.group_report_filename(group, month), document.write_pdf())
                _step(batch)
        combined = rendering.combine(documents)
        name = f"laporan-{batch.area.name.lower().replace(' ', '-')}-{month}"
        _finished(batch, pdf=(f"{name}.pdf", combined), zip=(f"{name}.zip", archive.getvalue()))
    except Exception as error:
        _failed(batch, error)
        raise
    return len(groups)


@task
def recap_pdf_run(batch_id: int) -> int:
    """Render the recap of the job's area (above kecamatan level) a part at a time: the kecamatan
    summary, then each kecamatan's groups. Returns the parts rendered."""
    # Claimed, not just read: a job taken as lost and asked for again (services.recap_pdf_start)
    # must not also run when its late task comes round.
    if not _claim(batch_id):
        return 0
    batch = BatchPrint.objects.select_related("area").get(pk=batch_id)
    month = Month.of(batch.month)
    try:
        # Every group of the area: whoever may open an area's recap sees all its groups.
        recap = area.recap(batch.area, BkbGroup.objects.in_area(batch.area), month, sections=True)
        parts = 1 + len(recap.sections)
        _started(batch, parts)
        content = rendering.area_recap_pdf(recap, step=lambda: _step(batch))
        _finished(batch, pdf=(rendering.area_recap_filename(batch.area, month), content))
    except Exception as error:
        _failed(batch, error)
        raise
    return parts


NIGHTLY_AT = datetime.time(0, 15)


def next_night(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next 00:15 local time after `now`."""
    now = timezone.localtime(now)
    at = now.replace(hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, second=0, microsecond=0)
    return at if at > now else at + datetime.timedelta(days=1)


@task
def figures_nightly() -> dict:
    """The date's changes (ages, a new month, "seen this month") for every group, then again tomorrow night.
    Batch prints whose worker died are marked failed on the way (their page offers a retry)."""
    try:
        BatchPrint.objects.fail_stalled(timezone.now())
        return kept.nightly()
    finally:
        nightly_schedule()


def nightly_schedule() -> bool:
    """Queue the next nightly run unless one is already waiting; True if this queued it."""
    from django.tasks import task_backends
    from django_tasks_db.models import DBTaskResult

    path = figures_nightly.module_path
    # Only the database backend keeps a task for later; the immediate one would run it now.
    if not type(task_backends[figures_nightly.backend]).__module__.startswith("django_tasks_db"):
        return False
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return False
    figures_nightly.using(run_after=next_night()).enqueue()
    return True
