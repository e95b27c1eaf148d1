"""Who may do what with reports: one fetch-and-check per object, and the report roles.

Out of scope answers 404 (the lookups go through `groups_visible_to` or the
user's areas); in scope but not allowed answers 403. Views call these and
pass the predicates to their templates, which never test a role themselves.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cadres.access import can_keep_group_books, get_cadre_for, groups_visible_to, require
from cadres.models import Cadre
from groups.access import get_area_for
from groups.models import Area, BkbGroup
from reports.models import BatchPrint, MonthlyReport

# Role predicates --------------------------------------------------------------


def can_submit(user, group: BkbGroup) -> bool:
    """The chair sends her group's monthly report (an admin may, for her)."""
    return can_keep_group_books(user, group)


def can_review(user) -> bool:
    """The PKB/PLKB verifies or returns reports (an admin may too). Scope is the lookup's."""
    return user.is_supervisor or user.is_bkb_admin


def can_review_report(user, report: MonthlyReport | None) -> bool:
    """Whether the page offers this user the verify/return buttons for this version."""
    return report is not None and can_review(user) and report.awaits_review


def can_see_overview(user) -> bool:
    """Cadres work inside their group; the dashboard and the recap are for supervisors and admins."""
    return user.is_supervisor or user.is_bkb_admin


def can_batch_print(user) -> bool:
    return user.is_bkb_admin


def can_issue_certificate(user) -> bool:
    return user.is_bkb_admin


def can_map_dhis2(user) -> bool:
    """A kabupaten's DHIS2 mapping is its admin's to upload."""
    return user.is_bkb_admin


# Fetch and check --------------------------------------------------------------


def get_report_for(user, pk, *, review: bool = False) -> MonthlyReport:
    """A report version of a group the user sees (404 otherwise); with `review`, 403 unless she reviews."""
    report = get_object_or_404(MonthlyReport.objects.visible_to(user).select_related("group"), pk=pk)
    if review:
        require(can_review(user))
    return report


def overview_areas(user) -> QuerySet[Area]:
    """The areas an overview or a batch print may be asked for: the user's, down to the desa."""
    return Area.objects.visible_to(user).filter(level__lte=Area.Level.DESA).order_by("path")


def get_overview_area_for(user, pk) -> Area:
    """An area for the recap: 403 for cadres, 404 outside the user's areas."""
    require(can_see_overview(user))
    return get_area_for(user, pk)


def dhis2_kabupatens(user) -> QuerySet[Area]:
    """The kabupaten whose DHIS2 mapping the user may upload: the admin's own."""
    if not can_map_dhis2(user):
        return Area.objects.none()
    return Area.objects.visible_to(user).filter(level=Area.Level.KABUPATEN).order_by("path")


def get_dhis2_kabupaten_for(user, pk: int | None) -> Area | None:
    """The kabupaten of the mapping page (her first when not asked): 403 for anyone not an admin,
    404 for a kabupaten not hers; None when she has none (an admin of a single kecamatan)."""
    require(can_map_dhis2(user))
    kabupatens = dhis2_kabupatens(user)
    if pk is None:
        return kabupatens.first()
    return get_object_or_404(kabupatens, pk=pk)


def get_batch_for(user, pk) -> BatchPrint:
    """A batch print the admin started herself: 403 for anyone not an admin, 404 for another's."""
    require(can_batch_print(user))
    return get_object_or_404(BatchPrint.objects.reports().select_related("area"), pk=pk, created_by=user)


def get_recap_job_for(user, pk) -> BatchPrint:
    """An area's recap PDF job: anyone who may open the area's recap follows it, whoever asked for it.

    403 for cadres, 404 for an area outside the user's."""
    require(can_see_overview(user))
    jobs = BatchPrint.objects.recaps().filter(area__in=Area.objects.visible_to(user))
    return get_object_or_404(jobs.select_related("area"), pk=pk)


def get_certificate_for(user, cadre_pk) -> tuple[Cadre, BkbGroup | None]:
    """The cadre a certificate honours and the group it names (one of hers the admin sees).

    403 for anyone not an admin, 404 for a cadre outside the admin's groups.
    """
    require(can_issue_certificate(user))
    cadre = get_cadre_for(user, cadre_pk)
    role = cadre.roles.filter(group__in=groups_visible_to(user)).select_related("group__desa").first()
    return cadre, role.group if role else None
