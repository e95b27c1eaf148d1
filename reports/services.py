"""Monthly report workflow: submit (chair), verify or return (supervisor); batch printing and
the recap PDF on the task worker."""

import datetime
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bkb.lib.months import Month
from groups.models import Area, BkbGroup
from reports.access import can_review, can_submit
from reports.documents import group_report_data
from reports.models import BatchPrint, MonthlyReport
from reports.selectors import current_report
from reports.tasks import batch_print_run, recap_pdf_run


def submit_opens_on(month: Month) -> datetime.date:
    """A month's report can be sent from its last day: the last meeting may fall on it."""
    return month.last


def submit_not_yet(month: Month, today: datetime.date) -> str | None:
    """Why the month cannot be sent yet, or None when it can."""
    if today < submit_opens_on(month):
        return _("Laporan %(month)s baru bisa dikirim mulai %(day)s.") % {
            "month": month.label,
            "day": submit_opens_on(month).strftime("%d-%m-%Y"),
        }
    return None


def sent_late(month: Month, today: datetime.date) -> bool:
    """A month's report sent on `today` is late: after its due date (Month.due); on the day itself it is on time."""
    return today > month.due


@transaction.atomic
def report_submit(
    *, group: BkbGroup, month: Month, user, now=None, correction_confirmed: bool = False
) -> MonthlyReport:
    """Freeze the month's figures as a new version; the previous one is kept, superseded.

    Sending a month again (a correction) needs `correction_confirmed`: the person ticked
    that the new version replaces the one already sent."""
    if not can_submit(user, group):
        raise PermissionDenied
    now = now or timezone.now()
    today = timezone.localdate(now)
    if reason := submit_not_yet(month, today):
        raise ValidationError(reason)
    # Lock the group's row so two submissions cannot both become "current".
    BkbGroup.objects.select_for_update().get(pk=group.pk)
    previous = current_report(group, month)
    if previous is not None and not correction_confirmed:
        # A correction replaces what the supervisor has (or has already checked): ask first.
        raise ValidationError(
            {
                "confirm": _(
                    "Centang konfirmasi untuk mengirim koreksi: versi %(new)s akan menggantikan versi %(old)s."
                )
                % {"new": previous.version + 1, "old": previous.version}
            }
        )
    if previous is not None:
        # Retire the old version first: only one may be current at a time.
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    report = MonthlyReport.objects.create(
        group=group,
        month=month.first,
        version=previous.version + 1 if previous else 1,
        snapshot=group_report_data(group, month),
        submitted_by=user,
        submitted_at=now,
        is_late=sent_late(month, today),
        replaces=previous,
    )
    return report


def _review(report: MonthlyReport, user) -> None:
    if not can_review(user):
        raise PermissionDenied
    if reason := report.why_not_reviewable():
        raise ValidationError(reason)


@transaction.atomic
def report_verify(*, report: MonthlyReport, user, now=None) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    _review(report, user)
    report.status = MonthlyReport.Status.VERIFIED
    report.reviewed_by, report.reviewed_at, report.review_comment = user, now or timezone.now(), ""
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    return report


@transaction.atomic
def report_return(*, report: MonthlyReport, user, comment: str, now=None) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    _review(report, user)
    if not comment.strip():
        raise ValidationError({"comment": _("Tulis apa yang perlu diperbaiki.")})
    report.status = MonthlyReport.Status.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_comment = user, now or timezone.now(), comment.strip()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    return report


@transaction.atomic
def batch_print_start(*, area: Area, month: Month, user) -> BatchPrint:
    """Queue the printing of every group's report of `area` for `month`.

    Queued once the batch row is committed: a worker that picked the task up
    earlier would not find its batch."""
    batch = BatchPrint.objects.create(area=area, month=month.first, created_by=user)
    transaction.on_commit(partial(batch_print_run.enqueue, batch.pk))
    return batch


@transaction.atomic
def recap_pdf_start(*, area: Area, month: Month, user, now=None) -> BatchPrint:
    """Queue the recap PDF of `area` for `month` on the worker, or return the one already on its way.

    One job per area and month at a time, whoever asks: a second click (or a
    colleague's) follows the first job. Queued once the row is committed."""
    now = now or timezone.now()
    # Two clicks at once: the second waits here until the first's job row is committed.
    list(Area.objects.select_for_update().filter(pk=area.pk).values_list("pk", flat=True))
    pending = BatchPrint.objects.recaps().pending().filter(area=area, month=month.first).order_by("-created_at").first()
    if pending is not None:
        # A job whose worker stopped (BatchPrint.is_stalled) is given up and made anew.
        if not pending.is_stalled(now):
            return pending
        pending.status, pending.error, pending.updated_at = BatchPrint.Status.FAILED, BatchPrint.STALLED_ERROR, now
        pending.save(update_fields=["status", "error", "updated_at"])
    batch = BatchPrint.objects.create(kind=BatchPrint.Kind.RECAP, area=area, month=month.first, created_by=user)
    transaction.on_commit(partial(recap_pdf_run.enqueue, batch.pk))
    return batch


@transaction.atomic
def job_retry(*, batch: BatchPrint, now=None) -> bool:
    """Queue a failed job again (a batch print or a recap PDF): one whose worker stopped, or whose
    files are gone (restored without its media). True if this queued it.

    The row is locked first, so a second tap (or two at once) finds it queued and queues nothing.
    Its parts are rendered again from the first: the task keeps them in memory until the end."""
    now = now or timezone.now()
    batch = BatchPrint.objects.select_for_update().get(pk=batch.pk)
    if not batch.can_retry(now):
        return False
    batch.status, batch.done, batch.error, batch.updated_at, batch.finished_at = (
        BatchPrint.Status.QUEUED,
        0,
        "",
        now,
        None,
    )
    batch.save(update_fields=["status", "done", "error", "updated_at", "finished_at"])
    run = recap_pdf_run if batch.kind == BatchPrint.Kind.RECAP else batch_print_run
    transaction.on_commit(partial(run.enqueue, batch.pk))
    return True
