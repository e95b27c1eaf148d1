"""*Tugas bulan ini*: what a cadre still has to do for her group this month (issue 14).

Each task list reads a rule the figures and the pages already have, taken on
`today` instead of on the month's last day; none is defined here a second time:

- in the programme, a member: families.models.in_programme_q (Child.in_programme_on);
- checked on the KKA this month: families.kka.checked_between, the month's first day to today;
- the KKA status and "needs referral": families.kka.annotate_kka_status and
  KkaStatus.needs_referral. A watch ending this month is a child owed today
  (*terhutang*) whom the same rule finds *perlu rujukan* on the month's last
  day: the three-month watch (families.kka's docstring) runs out before the
  month does, so the card should be looked at again first;
- an open referral: ReferralQuerySet.open_on;
- absent and not visited: sessions.selectors.home_visit_list, the home-visit
  page's own list, less the families it shows a visit for. Before the month's
  first session (the figures' "sessions_held") nobody has missed one yet;
- measured this month: families.measurements.measured_between;
- last month's report: the current version (MonthlyReportQuerySet.current),
  due on Month.due, late as reports.services.sent_late says.

`supervisor_tasks` is the PKB/PLKB's side of the same rules, for the groups of
her area: a group with no session this month so far (the figures'
"sessions_held"), last month's report not sent (the same rule as the chair's),
a report sent back and not corrected (MonthlyReportQuerySet.returned), a group
with no supervision visit in three months (cadres.models.SupervisionVisit), and
the referrals the cadres have to follow up (the same query as theirs), and this
month's measurements saved although unlikely (Measurement.confirmed_unlikely,
families.measurements' CONFIRM), data to check. A fixed number of queries,
whatever the number of groups and children.

A task goes when it is done because doing it writes the very row its rule
reads: a check, a mark, a measurement, a visit, a referral made or closed, a
report sent. Five to seven queries, whatever the number of children.

Three tasks come with a ready WhatsApp reminder to the family (`Task.whatsapp`,
a wa.me link in the family's language, sessions.whatsapp's texts): a KKA check
due, a referral to follow up, a member to visit. The others are the cadre's own
work; nothing to ask of the family.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from families.kka import KkaStatus, annotate_kka_status, checked_between
from families.measurements import measured_between
from families.models import Child, Family, Measurement, Referral, in_programme_q
from groups.models import BkbGroup
from reports import figures
from reports.models import MonthlyReport
from reports.services import sent_late
from sessions import whatsapp
from sessions.selectors import home_visit_list

# A referral still open this many days after it was made asks for its outcome. The 28th
# day itself counts: sessions often fall on the same weekday each month, and a referral
# made at one would otherwise miss the session four weeks later by a day.
FOLLOW_UP_AFTER_DAYS = 28
# A group the PKB/PLKB has not visited (cadres.models.SupervisionVisit) for this many months.
VISIT_EVERY_MONTHS = 3

LABELS = {
    "kka_due": _("Belum diperiksa KKA bulan ini"),
    "watch_ending": _("Masa pantau berakhir bulan ini"),
    "to_refer": _("Perlu rujukan, belum dirujuk"),
    "referrals_to_follow": _("Rujukan lebih dari 4 minggu tanpa hasil"),
    "absent_not_visited": _("Tidak hadir, belum dikunjungi"),
    "not_measured": _("Belum diukur bulan ini"),
    "report": _("Laporan bulan lalu"),
}


@dataclass(frozen=True, kw_only=True)
class Task:
    """One thing to do and the screen that does it (a URL name with its arguments)."""

    url_name: str
    args: tuple = ()
    group: BkbGroup | None = None  # on the supervisor's list, whose task it is
    query: str = ""  # without "?": "bulan=2026-10"
    fragment: str = ""  # without "#"
    whatsapp: str = ""  # a wa.me link to the family; "" when there is nothing to ask or no number

    @property
    def url(self) -> str:
        url = reverse(self.url_name, args=self.args)
        if self.query:
            url += f"?{self.query}"
        if self.fragment:
            url += f"#{self.fragment}"
        return url


@dataclass(frozen=True, kw_only=True)
class ChildTask(Task):
    # Its family preloaded; annotated with kka_status and kka_referred as of today.
    child: Child


@dataclass(frozen=True, kw_only=True)
class FamilyTask(Task):
    family: Family


@dataclass(frozen=True, kw_only=True)
class ReferralTask(Task):
    # The child and its family preloaded.
    referral: Referral
    days_open: int


@dataclass(frozen=True, kw_only=True)
class ReportTask(Task):
    """Last month's report: not sent yet (report None), or sent back by the supervisor."""

    month: Month
    due: datetime.date
    report: MonthlyReport | None  # the returned current version, its reviewer preloaded
    days_left: int | None = None  # not sent and not late: days until it is due, 0 on the day
    days_late: int | None = None  # not sent and late: days since it was due

    @property
    def returned(self) -> bool:
        return self.report is not None

    @property
    def comment(self) -> str:
        return self.report.review_comment if self.report is not None else ""


@dataclass
class TaskGroup:
    key: str
    items: list

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def count(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class CadreTasks:
    group: BkbGroup
    month: Month
    today: datetime.date
    kka_due: TaskGroup
    watch_ending: TaskGroup
    to_refer: TaskGroup
    referrals_to_follow: TaskGroup
    absent_not_visited: TaskGroup
    not_measured: TaskGroup
    report: TaskGroup

    @property
    def groups(self) -> list[TaskGroup]:
        return [getattr(self, key) for key in LABELS]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)


def cadre_tasks(group: BkbGroup, *, today: datetime.date) -> CadreTasks:
    """The group's tasks for `today`'s month, as of `today`."""
    month = Month.of(today)
    programme = Child.objects.filter(family__group=group).in_programme_on(today)
    children = list(
        annotate_kka_status(
            programme.select_related("family").annotate(
                checked=checked_between(month.first, today), measured=measured_between(month.first, today)
            ),
            today,
        ).order_by("name", "pk")
    )
    # The same rule on the month's last day, with what is recorded by today.
    refer_by_month_end = set(
        annotate_kka_status(programme, month.last)
        .filter(kka_status=KkaStatus.PERLU_RUJUKAN)
        .values_list("pk", flat=True)
    )

    def child_tasks(url_name: str, rows) -> list[ChildTask]:
        return [ChildTask(child=child, url_name=url_name, args=(child.pk,)) for child in rows]

    # Not assessed at all comes first: those children owe nothing until someone looks.
    unchecked = sorted(
        (child for child in children if not child.checked),
        key=lambda child: child.kka_status != KkaStatus.BELUM_DINILAI,
    )
    watch_ending = [
        child for child in children if child.kka_status == KkaStatus.TERHUTANG and child.pk in refer_by_month_end
    ]
    to_refer = [child for child in children if KkaStatus.needs_referral(child.kka_status, child.kka_referred)]
    return CadreTasks(
        group=group,
        month=month,
        today=today,
        kka_due=TaskGroup(
            "kka_due",
            [
                ChildTask(
                    child=child,
                    url_name="sessions:child_kka",
                    args=(child.pk,),
                    whatsapp=whatsapp.family_link(child.family, whatsapp.kka_due_text(child=child, group=group)),
                )
                for child in unchecked
            ],
        ),
        watch_ending=TaskGroup("watch_ending", child_tasks("sessions:child_kka", watch_ending)),
        to_refer=TaskGroup("to_refer", child_tasks("families:referral_add", to_refer)),
        referrals_to_follow=TaskGroup("referrals_to_follow", _referrals_to_follow(group, today)),
        absent_not_visited=TaskGroup("absent_not_visited", _absent_not_visited(group, month, today)),
        not_measured=TaskGroup(
            "not_measured", child_tasks("families:measurement_add", [c for c in children if not c.measured])
        ),
        report=TaskGroup("report", _report(group, month.previous(), today)),
    )


def _referrals_open_too_long(today: datetime.date) -> QuerySet:
    """Referrals still open `FOLLOW_UP_AFTER_DAYS` after they were made, oldest first.

    The children the figures count ("referrals_open"): a family that left is not the group's to follow.
    """
    made_by = today - datetime.timedelta(days=FOLLOW_UP_AFTER_DAYS)
    return (
        Referral.objects.open_on(today)
        .filter(in_programme_q(today, "child__"), date__lte=made_by)
        .order_by("date", "pk")
    )


def _referrals_to_follow(group: BkbGroup, today: datetime.date) -> list[ReferralTask]:
    referrals = _referrals_open_too_long(today).filter(child__family__group=group).select_related("child__family")
    return [
        ReferralTask(
            referral=referral,
            days_open=(today - referral.date).days,
            url_name="families:referral_close",
            args=(referral.pk,),
            whatsapp=whatsapp.family_link(
                referral.child.family, whatsapp.referral_follow_up_text(referral=referral, group=group)
            ),
        )
        for referral in referrals
    ]


def _absent_not_visited(group: BkbGroup, month: Month, today: datetime.date) -> list[FamilyTask]:
    if not figures.rows_behind(group, month, "sessions_held").exists():
        return []
    return [
        FamilyTask(
            family=row.family,
            url_name="sessions:home_visit_create",
            args=(row.family.pk,),
            query=f"bulan={month}",
            whatsapp=whatsapp.family_link(row.family, whatsapp.visit_text(family=row.family, group=group)),
        )
        for row in home_visit_list(group, month=month, today=today)
        if not row.visits
    ]


def _report(group: BkbGroup, month: Month, today: datetime.date) -> list[ReportTask]:
    report = (
        MonthlyReport.objects.current().filter(group=group, month=month.first).select_related("reviewed_by").first()
    )
    return _report_tasks(group, month, report, today)


def _report_tasks(
    group: BkbGroup, month: Month, report: MonthlyReport | None, today: datetime.date
) -> list[ReportTask]:
    """The month's report as a task, from its current version (None: not sent): [] once it stands."""
    task = {
        "month": month,
        "due": month.due,
        "url_name": "reports:group_month",
        "args": (group.pk, str(month)),
        "fragment": "report-status",
        "group": group,
    }
    if report is None:
        if sent_late(month, today):
            return [ReportTask(report=None, days_late=(today - month.due).days, **task)]
        return [ReportTask(report=None, days_left=(month.due - today).days, **task)]
    if report.status == MonthlyReport.Status.RETURNED:
        return [ReportTask(report=report, **task)]
    return []


# --- the supervisor's list ---------------------------------------------------------------

SUPERVISOR_LABELS = {
    "no_session": _("Belum ada pertemuan bulan ini"),
    "report_not_sent": _("Laporan bulan lalu belum dikirim"),
    "report_returned": _("Laporan dikembalikan, belum diperbaiki"),
    "not_visited": _("Belum dikunjungi pembina 3 bulan terakhir"),
    "referrals_to_follow": LABELS["referrals_to_follow"],
    "measurements_to_check": _("Pengukuran tidak wajar yang dikonfirmasi kader (perlu dicek)"),
}


@dataclass(frozen=True, kw_only=True)
class GroupTask(Task):
    """A group with something missing: no session this month, no visit in three months."""

    last_date: datetime.date | None = None  # its last visit, for "not visited"


@dataclass(frozen=True, kw_only=True)
class MeasurementTask(Task):
    # Its child and family preloaded.
    measurement: Measurement


@dataclass
class SupervisorTaskGroup(TaskGroup):
    @property
    def label(self) -> str:
        return str(SUPERVISOR_LABELS[self.key])


@dataclass
class SupervisorTasks:
    month: Month
    today: datetime.date
    visited_since: datetime.date
    no_session: SupervisorTaskGroup
    report_not_sent: SupervisorTaskGroup
    report_returned: SupervisorTaskGroup
    not_visited: SupervisorTaskGroup
    referrals_to_follow: SupervisorTaskGroup
    measurements_to_check: SupervisorTaskGroup

    @property
    def groups(self) -> list[SupervisorTaskGroup]:
        return [getattr(self, key) for key in SUPERVISOR_LABELS]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)


def supervisor_tasks(groups: QuerySet, *, today: datetime.date) -> SupervisorTasks:
    """What needs following up in `groups` (the supervisor's area, already scoped) as of `today`.

    Six queries, whatever the number of groups and children.
    """
    month = Month.of(today)
    last_month = month.previous()
    visited_since = add_months(today, -VISIT_EVERY_MONTHS)
    found = list(
        groups.select_related("desa").annotate(last_visit=Max("supervision_visits__date")).order_by("name", "pk")
    )
    by_pk = {group.pk: group for group in found}
    held = set(figures.rows_behind(groups, month, "sessions_held").values_list("group_id", flat=True))
    sent = set(
        MonthlyReport.objects.current()
        .filter(group__in=groups, month=last_month.first)
        .values_list("group_id", flat=True)
    )
    returned = MonthlyReport.objects.returned().filter(group__in=groups).select_related("reviewed_by").defer("snapshot")
    referrals = _referrals_open_too_long(today).filter(child__family__group__in=groups).select_related("child__family")
    measurements = (
        Measurement.objects.filter(
            confirmed_unlikely=True, date__gte=month.first, date__lte=today, child__family__group__in=groups
        )
        .select_related("child__family")
        .order_by("date", "pk")
    )
    return SupervisorTasks(
        month=month,
        today=today,
        visited_since=visited_since,
        no_session=SupervisorTaskGroup(
            "no_session",
            [
                GroupTask(group=group, url_name="sessions:list", args=(group.pk,))
                for group in found
                if group.pk not in held
            ],
        ),
        report_not_sent=SupervisorTaskGroup(
            "report_not_sent",
            [task for group in found if group.pk not in sent for task in _report_tasks(group, last_month, None, today)],
        ),
        report_returned=SupervisorTaskGroup(
            "report_returned",
            [
                task
                for report in sorted(returned, key=lambda r: (by_pk[r.group_id].name, r.group_id, r.month))
                for task in _report_tasks(by_pk[report.group_id], report.period, report, today)
            ],
        ),
        not_visited=SupervisorTaskGroup(
            "not_visited",
            [
                GroupTask(group=group, last_date=group.last_visit, url_name="groups:visit_create", args=(group.pk,))
                for group in found
                if group.last_visit is None or group.last_visit < visited_since
            ],
        ),
        referrals_to_follow=SupervisorTaskGroup(
            "referrals_to_follow",
            [
                ReferralTask(
                    referral=referral,
                    days_open=(today - referral.date).days,
                    group=by_pk[referral.child.family.group_id],
                    url_name="families:child_detail",
                    args=(referral.child_id,),
                )
                for referral in referrals
            ],
        ),
        measurements_to_check=SupervisorTaskGroup(
            "measurements_to_check",
            [
                MeasurementTask(
                    measurement=measurement,
                    group=by_pk[measurement.child.family.group_id],
                    url_name="families:child_detail",
                    args=(measurement.child_id,),
                )
                for measurement in measurements
            ],
        ),
    )
