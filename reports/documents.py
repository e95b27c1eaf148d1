"""What the monthly report says: its data as plain JSON-able values.

The same dict feeds the preview page, the PDF and, when the chair submits,
the frozen snapshot (MonthlyReport.snapshot). Counting is done by
reports.figures; this module only adds the lists a report prints.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from bkb.lib.ages import AgeGroup, age_in_months
from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole, Training
from families import growth
from families.kka import KkaStatus
from groups.models import BkbGroup, User
from reports import figures, kept
from sessions.models import Attendance, CoachingSession

SNAPSHOT_VERSION = 1
# The KKA states that put a child on the report's "needs attention" list.
KKA_ATTENTION = (KkaStatus.TERHUTANG, KkaStatus.PERLU_RUJUKAN)


def _supervisors(groups: list[BkbGroup]) -> dict[int, list[str]]:
    """{group id: names of the active supervisors whose area holds the group}."""

    def paths(group):
        parts = group.desa.path.strip("/").split("/")
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

    wanted = {path for group in groups for path in paths(group)}
    people = (
        User.objects.filter(role=User.Role.SUPERVISOR, is_active=True, areas__path__in=wanted)
        .annotate(area_path=F("areas__path"))
        .order_by("last_name", "first_name", "pk")
    )
    by_path: dict[str, list[User]] = {}
    for person in people:
        by_path.setdefault(person.area_path, []).append(person)
    result = {}
    for group in groups:
        found = {person.pk: person for path in paths(group) for person in by_path.get(path, [])}
        ordered = sorted(found.values(), key=lambda person: (person.last_name, person.first_name, person.pk))
        result[group.pk] = [person.get_full_name() or person.username for person in ordered]
    return result


def _growth_labels(child) -> list[str]:
    labels = []
    if child.month_haz is not None and growth.is_stunted(child.month_haz):
        labels.append(growth.category_label("hfa", child.month_haz))
    if child.month_waz is not None and growth.is_underweight(child.month_waz):
        labels.append(growth.category_label("wfa", child.month_waz))
    if child.month_whz is not None and growth.is_wasted(child.month_whz):
        labels.append(growth.category_label("wfh", child.month_whz))
    return labels


def group_report_data(group: BkbGroup, month: Month) -> dict:
    """Everything the monthly report prints, computed now, in a fixed number of queries."""
    return group_reports_data(BkbGroup.objects.filter(pk=group.pk), month)[group.pk]


def group_reports_data(groups: QuerySet, month: Month) -> dict[int, dict]:
    """{group id: its monthly report's data} for every group of `groups`, in a fixed number of queries.

    The one computation of a report, for one group (the page, the PDF, a
    submission) or a batch (the bench's submitted history): each list is one
    query for all the groups, filed by group here.
    """
    listed = list(groups.select_related("desa__parent__parent").order_by("pk"))
    counts = kept.live_counts(groups, month)
    by_group: dict[int, dict[str, list]] = {
        group.pk: {"sessions": [], "attendance": [], "attention": [], "cadres": []} for group in listed
    }

    sessions = (
        CoachingSession.objects.filter(group__in=groups, date__gte=month.first, date__lte=month.last)
        .select_related("topic")
        .order_by("group", "date", "pk")
    )
    for session in sessions:
        by_group[session.group_id]["sessions"].append(
            {
                "date": session.date.isoformat(),
                "topic": session.topic.name,
                "age_groups": [str(AgeGroup(value).label) for value in sorted(session.age_groups)],
                "ape_used": session.ape_used,
            }
        )
    attendance = (
        Attendance.objects.filter(session__in=sessions)
        .select_related("family", "child", "session")
        .order_by("session__group", "session__date", "family__mother_name", "pk")
    )
    for row in attendance:
        by_group[row.session.group_id]["attendance"].append(
            {
                "date": row.session.date.isoformat(),
                "family": row.family.mother_name,
                "attendee": row.get_attendee_display(),
                "child": row.child.name if row.child else "",
            }
        )
    attention = (
        figures.rows_behind(groups, month, "children_total")
        .filter(Q(kka_status__in=KKA_ATTENTION) | growth.growth_problem_q("month_"))
        .order_by("family__group", "family__mother_name", "name", "pk")
    )
    for child in attention:
        by_group[child.family.group_id]["attention"].append(
            {
                "child": child.name,
                "mother": child.family.mother_name,
                "age_months": age_in_months(child.birth_date, month.last),
                "kka": str(KkaStatus.LABELS[KkaStatus.shown(child.kka_status, child.kka_referred)])
                if child.kka_status in KKA_ATTENTION
                else "",
                "growth": _growth_labels(child),
                "referral_open": child.referral_open,
            }
        )

    # The cadres who held a role on the month's last day, as the cadre figures count them.
    held = CadreRole.objects.held_on(month.last).filter(group__in=groups)
    trained = {
        cadre.pk: cadre.trained
        for cadre in Cadre.objects.filter(pk__in=held.values("cadre")).annotate(
            trained=Exists(Training.objects.filter(cadre=OuterRef("pk"), date__lte=month.last))
        )
    }
    roles: dict[int, dict[int, list[str]]] = {}
    names: dict[int, str] = {}
    chairs: dict[int, tuple] = {}
    for role in held.select_related("cadre").order_by("group", "role", "age_group", "pk"):
        text = role.get_role_display()
        if role.age_group is not None:
            text += f" {AgeGroup(role.age_group).label}"
        roles.setdefault(role.group_id, {}).setdefault(role.cadre_id, []).append(text)
        names[role.cadre_id] = role.cadre.name
        if role.role == CadreRole.Role.KETUA:
            # The chair is the longest-serving holder of the chair's role.
            candidate = (role.started_on, role.pk, role.cadre.name)
            chairs[role.group_id] = min(chairs.get(role.group_id, candidate), candidate)
    for group_id, cadre_roles in roles.items():
        ordered = sorted(cadre_roles, key=lambda cadre_id: (names[cadre_id], cadre_id))
        by_group[group_id]["cadres"] = [
            {"name": names[cadre_id], "roles": ", ".join(cadre_roles[cadre_id]), "trained": trained[cadre_id]}
            for cadre_id in ordered
        ]
    supervisors = _supervisors(listed)

    result = {}
    for group in listed:
        desa = group.desa
        kecamatan = desa.parent
        kabupaten = kecamatan.parent if kecamatan else None
        result[group.pk] = {
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
            "counts": {**figures.empty_counts(), **counts.get(group.pk, {})},
            **by_group[group.pk],
            "chair": chairs[group.pk][2] if group.pk in chairs else "",
            "supervisors": supervisors[group.pk],
        }
    return result


def report_title(data: dict) -> str:
    return _("Laporan bulanan %(group)s, %(month)s") % {
        "group": data["group"]["name"],
        "month": Month.parse(data["month"]).label,
    }
