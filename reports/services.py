"""Monthly report workflow: submit (chair), verify or return (supervisor)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bkb.lib.months import Month
from cadres.access import can_keep_group_books
from groups.models import BkbGroup
from reports.documents import group_report_data
from reports.models import MonthlyReport


def can_submit(user, group: BkbGroup) -> bool:
    return can_keep_group_books(user, group)


def can_review(user) -> bool:
    # Scope (is this group in the reviewer's area?) is checked by the caller's lookup.
    return user.is_supervisor or user.is_bkb_admin


def current_report(group: BkbGroup, month: Month) -> MonthlyReport | None:
    return MonthlyReport.objects.current().filter(group=group, month=month.first).first()


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


def reports_to_correct(user, group: BkbGroup) -> list[MonthlyReport]:
    """Returned reports the user, as the group's chair (or an admin), should correct and resend."""
    if not can_submit(user, group):
        return []
    return list(MonthlyReport.objects.returned().filter(group=group).select_related("reviewed_by").order_by("month"))


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
        is_late=today > month.due,
        replaces=previous,
    )
    return report


def _review(report: MonthlyReport, user) -> None:
    if not can_review(user):
        raise PermissionDenied
    if not report.is_current:
        raise ValidationError(_("Versi ini sudah diganti dengan versi yang lebih baru."))
    if report.status != MonthlyReport.Status.SUBMITTED:
        raise ValidationError(_("Laporan ini sudah diperiksa (%(status)s).") % {"status": report.get_status_display()})


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
