"""What the monthly report says: its data as plain JSON-able values.

The same dict feeds the preview page, the PDF and, when the chair submits,
the frozen snapshot (MonthlyReport.snapshot). Counting is done by
reports.figures; this module only adds the lists a report prints.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cadres.models import Cadre, CadreRole, Training
from families.ages import AgeGroup, age_in_months
from families.growth import LABELS as GROWTH_LABELS
from families.growth import categorise
from families.kka import KkaStatus
from groups.models import BkbGroup, User
from reports import figures
from reports.periods import Month
from sessions.models import Attendance, CoachingSession

SNAPSHOT_VERSION = 1


def _supervisors(group: BkbGroup) -> list[str]:
    parts = group.desa.path.strip("/").split("/")
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    people = User.objects.filter(role=User.Role.SUPERVISOR, is_active=True, areas__path__in=paths).distinct()
    return [person.get_full_name() or person.username for person in people.order_by("last_name", "first_name")]


def _chair(group: BkbGroup) -> str:
    role = (
        CadreRole.objects.filter(group=group, role=CadreRole.Role.KETUA, cadre__active=True)
        .select_related("cadre")
        .first()
    )
    return role.cadre.name if role else ""


def _growth_labels(child) -> list[str]:
    labels = []
    if child.month_haz is not None and child.month_haz < -2:
        labels.append(str(GROWTH_LABELS["hfa"][categorise("hfa", child.month_haz)]))
    if child.month_waz is not None and child.month_waz < -2:
        labels.append(str(GROWTH_LABELS["wfa"][categorise("wfa", child.month_waz)]))
    if child.month_whz is not None and child.month_whz < -2:
        labels.append(str(GROWTH_LABELS["wfh"][categorise("wfh", child.month_whz)]))
    return labels


def group_report_data(group: BkbGroup, month: Month) -> dict:
    """Everything the monthly report prints, computed now, in a fixed number of queries."""
    desa = group.desa
    kecamatan = desa.parent
    kabupaten = kecamatan.parent if kecamatan else None
    counts = figures.group_figures(group, month).counts

    sessions = (
        CoachingSession.objects.filter(group=group, date__gte=month.first, date__lte=month.last)
        .select_related("topic")
        .order_by("date")
    )
    attendance = (
        Attendance.objects.filter(session__in=sessions)
        .select_related("family", "child", "session")
        .order_by("session__date", "family__mother_name")
    )
    attention = (
        figures.rows_behind(group, month, "children_total")
        .filter(
            Q(kka_status__in=[KkaStatus.TERHUTANG, KkaStatus.PERLU_RUJUKAN])
            | Q(month_haz__lt=-2)
            | Q(month_waz__lt=-2)
            | Q(month_whz__lt=-2)
        )
        .select_related("family")
        .order_by("family__mother_name", "name")
    )
    cadres = (
        Cadre.objects.filter(roles__group=group, active=True)
        .distinct()
        .annotate(trained=Exists(Training.objects.filter(cadre=OuterRef("pk"), date__lte=month.last)))
        .order_by("name")
    )
    roles: dict[int, list[str]] = {}
    for role in CadreRole.objects.filter(group=group, cadre__active=True).order_by("role", "age_group"):
        text = role.get_role_display()
        if role.age_group is not None:
            text += f" {AgeGroup(role.age_group).label}"
        roles.setdefault(role.cadre_id, []).append(text)

    return {
        "version": SNAPSHOT_VERSION,
        "month": str(month),
        "group": {
            "id": group.pk,
            "name": group.name,
            "rw": group.rw,
            "desa": desa.name,
            "kecamatan": kecamatan.name if kecamatan else "",
            "kabupaten": kabupaten.name if kabupaten else "",
            "stratum": group.get_stratum_display(),
            "integration": group.get_integration_display(),
            "has_ape_kit": group.has_ape_kit,
            "meeting_place": group.meeting_place,
            "year_formed": group.year_formed,
            "decree_number": group.decree_number,
        },
        "counts": counts,
        "sessions": [
            {
                "date": session.date.isoformat(),
                "topic": session.topic.name,
                "age_groups": [str(AgeGroup(value).label) for value in sorted(session.age_groups)],
                "ape_used": session.ape_used,
            }
            for session in sessions
        ],
        "attendance": [
            {
                "date": row.session.date.isoformat(),
                "family": row.family.mother_name,
                "attendee": row.get_attendee_display(),
                "child": row.child.name if row.child else "",
            }
            for row in attendance
        ],
        "attention": [
            {
                "child": child.name,
                "mother": child.family.mother_name,
                "age_months": age_in_months(child.birth_date, month.last),
                "kka": str(KkaStatus.LABELS[KkaStatus.shown(child.kka_status, child.kka_referred)])
                if child.kka_status in (KkaStatus.TERHUTANG, KkaStatus.PERLU_RUJUKAN)
                else "",
                "growth": _growth_labels(child),
                "referral_open": child.referral_open,
            }
            for child in attention
        ],
        "cadres": [
            {"name": cadre.name, "roles": ", ".join(roles.get(cadre.pk, [])), "trained": cadre.trained}
            for cadre in cadres
        ],
        "chair": _chair(group),
        "supervisors": _supervisors(group),
    }


def report_title(data: dict) -> str:
    return _("Laporan bulanan %(group)s, %(month)s") % {
        "group": data["group"]["name"],
        "month": Month.parse(data["month"]).label,
    }
