"""Background work: batch printing an area's monthly reports, and keeping the figures current."""

import datetime
import io
import zipfile

from django.core.files.base import ContentFile
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import kept, rendering
from reports.models import BatchPrint


@task
def batch_print_run(batch_id: int) -> int:
    """Render every group's report of the batch's area into one PDF and a ZIP."""
    batch = BatchPrint.objects.select_related("area").get(pk=batch_id)
    month = Month.of(batch.month)
    groups = list(
        BkbGroup.objects.in_area(batch.area)
        .select_related("desa__parent__parent")
        .order_by("desa__parent__name", "desa__name", "name")
    )
    BatchPrint.objects.filter(pk=batch.pk).update(status=BatchPrint.Status.RUNNING, total=len(groups), done=0)
    try:
        documents, archive = [], io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for group in groups:
                document = rendering.group_report_document(group, month)
                documents.append(document)
                bundle.writestr(rendering.group_report_filename(group, month), document.write_pdf())
                # A plain UPDATE per group, so the progress page sees it at once.
                BatchPrint.objects.filter(pk=batch.pk).update(done=F("done") + 1)
        combined = rendering.combine(documents)
        name = f"laporan-{batch.area.name.lower().replace(' ', '-')}-{month}"
        batch.refresh_from_db()
        batch.pdf.save(f"{name}.pdf", ContentFile(combined), save=False)
        batch.zip.save(f"{name}.zip", ContentFile(archive.getvalue()), save=False)
        batch.status, batch.finished_at = BatchPrint.Status.DONE, timezone.now()
        batch.save(update_fields=["pdf", "zip", "status", "finished_at"])
    except Exception as error:
        BatchPrint.objects.filter(pk=batch.pk).update(status=BatchPrint.Status.FAILED, error=str(error)[:2000])
        raise
    return len(groups)


NIGHTLY_AT = datetime.time(0, 15)


def next_night(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next 00:15 local time after `now`."""
    now = timezone.localtime(now)
    at = now.replace(hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, second=0, microsecond=0)
    return at if at > now else at + datetime.timedelta(days=1)


@task
def figures_nightly() -> dict:
    """The date's changes (ages, a new month, "seen this month") for every group, then again tomorrow night."""
    try:
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
