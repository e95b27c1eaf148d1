"""Reads the report pages need, shaped for them."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bkb.lib import history
from bkb.lib.months import Month
from cadres.models import Cadre
from groups.models import Area, BkbGroup
from reports.access import can_submit
from reports.models import BatchPrint, MonthlyReport


def current_report(group: BkbGroup, month: Month) -> MonthlyReport | None:
    return MonthlyReport.objects.current().filter(group=group, month=month.first).first()


def report_history(group: BkbGroup, month: Month) -> QuerySet[MonthlyReport]:
    """Every version of the group's month, the superseded ones too."""
    return MonthlyReport.objects.filter(group=group, month=month.first).select_related("submitted_by", "reviewed_by")


def reports_to_correct(user, group: BkbGroup) -> list[MonthlyReport]:
    """Returned reports the user, as the group's chair (or an admin), should correct and resend."""
    if not can_submit(user, group):
        return []
    return list(MonthlyReport.objects.returned().filter(group=group).select_related("reviewed_by").order_by("month"))


def certificate_cadres(group: BkbGroup) -> dict[str, int]:
    """{name: id} of the group's cadres, past and present: each can be given a certificate."""
    return dict(Cadre.objects.filter(roles__group=group).values_list("name", "pk"))


def home_area(user, areas: list[Area]) -> Area:
    """Where an overview starts: the user's own assigned area, not the province above it."""
    assigned = set(user.areas.values_list("pk", flat=True))
    return next((area for area in areas if area.pk in assigned), areas[0])


def recent_batches(user) -> QuerySet[BatchPrint]:
    """The admin's last batch prints, newest first."""
    return BatchPrint.objects.reports().filter(created_by=user).select_related("area")[:10]


def recap_job_latest(area: Area, month: Month) -> BatchPrint | None:
    """The area's last recap PDF job for the month (on its way, done or failed), for its recap page."""
    return BatchPrint.objects.recaps().filter(area=area, month=month.first).order_by("-created_at").first()


def report_changes(group: BkbGroup, month: Month, *, limit: int = history.LIMIT) -> list[history.Entry]:
    """The newest changes of the group's month's reports (every version), in a fixed number of queries."""
    return history.entries(
        [
            (
                MonthlyReport.history.filter(group_id=group.pk, month=month.first),
                lambda row: _("versi %(n)s") % {"n": row.version},
            )
        ],
        limit=limit,
    )
