"""The one computation of a month's figures.

Every figure is a *population* (cadres, families, children, sessions,
referrals) and a *predicate* on it. Counting is one aggregate query per
population for any number of groups; the rows behind a figure are the same
base queryset filtered by the same predicate. So the preview page, the PDF,
the dashboard, the recap and the "show me the rows" links agree by
construction: there is no second way to count.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from bkb.lib.ages import AgeGroup, add_months
from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole, Training, held_on_q
from families import growth
from families.kka import KkaStatus, annotate_kka_status, checked_between
from families.measurements import measured_between
from families.models import Child, Family, Measurement, Referral, member_on_q
from groups.models import BkbGroup
from sessions.models import Attendance, CoachingSession, HomeVisit

AGE_GROUPS = [value for value, _label in AgeGroup.choices]
KB_METHODS = [(value, label) for value, label in Family.KbMethod.choices if value]


def _in_month(field: str, month: Month) -> Q:
    return Q(**_range(field, month))


def _age_group_q(k: int, on: datetime.date) -> Q:
    return Q(birth_date__gt=add_months(on, -12 * (k + 1)), birth_date__lte=add_months(on, -12 * k))


@dataclass(frozen=True)
class Population:
    key: str
    base: Callable[[Month], QuerySet]
    group_field: str
    count_field: str
    figures: Callable[[Month], dict[str, Q]]
    # Figures that are exact matches on a few columns, counted with GROUP BY
    # instead of FILTER: PostgreSQL re-runs a correlated subquery for every
    # FILTER that names it, but computes a grouping column once per row.
    grouped: dict[str, dict] = field(default_factory=dict)
    # What a page listing the rows behind a figure prints beside each row.
    related: tuple[str, ...] = ()


# Cadres --------------------------------------------------------------------


def _cadre_base(month: Month) -> QuerySet:
    # Nothing month-bound here: the predicates carry the month, so an area's
    # cadres can be counted for many months in one query (distinct_cadre_counts).
    return CadreRole.objects.all()


def _cadre_figures(month: Month) -> dict[str, Q]:
    # Roles held on the month's last day, from the role history: a cadre who
    # leaves today still counts in the months she served.
    active = held_on_q(month.last)
    trained = Q(Exists(Training.objects.filter(cadre=OuterRef("cadre"), date__lte=month.last)))
    figures = {
        "cadres_active": active,
        "cadres_trained": active & trained,
        "cadres_new": active & Q(cadre__date_joined__gt=add_months(month.last, -12)),
    }
    for role in CadreRole.Role.values:
        figures[f"cadres_role_{role}"] = active & Q(role=role)
    return figures


# Families ------------------------------------------------------------------


def _family_base(month: Month) -> QuerySet:
    return Family.objects.annotate(
        attended=Exists(
            Attendance.objects.filter(
                family=OuterRef("pk"), session__group=OuterRef("group"), **_range("session__date", month)
            )
        ),
        visited=Exists(HomeVisit.objects.filter(family=OuterRef("pk"), **_range("date", month))),
    )


def _range(field: str, month: Month) -> dict:
    return {f"{field}__gte": month.first, f"{field}__lte": month.last}


def _member(month: Month, prefix: str = "") -> Q:
    """Member at the month's end (families.models.member_on_q)."""
    return member_on_q(month.last, prefix)


def _family_figures(month: Month) -> dict[str, Q]:
    member = _member(month)
    pus = member & Q(is_pus=True)
    figures = {
        "families_members": member,
        "families_joined": _in_month("joined_on", month),
        "families_left": _in_month("left_on", month),
        "families_present": member & Q(attended=True),
        "families_absent": member & Q(attended=False),
        "families_absent_visited": member & Q(attended=False, visited=True),
        "families_pus": pus,
        "families_kb": pus & ~Q(kb_method=""),
        "families_pkh": member & Q(is_pkh=True),
        "families_krs": member & Q(stunting_risk=True),
    }
    for method, _label in KB_METHODS:
        figures[f"families_kb_{method}"] = pus & Q(kb_method=method)
    return figures


# Children ------------------------------------------------------------------


def _latest_in_month(field: str, month: Month) -> Subquery:
    return Subquery(
        Measurement.objects.filter(child=OuterRef("pk"), **_range("date", month)).order_by("-date").values(field)[:1]
    )


def _child_base(month: Month) -> QuerySet:
    children = Child.objects.in_programme_on(month.last).annotate(
        checked=checked_between(month.first, month.last),
        measured=measured_between(month.first, month.last),
        month_haz=_latest_in_month("haz", month),
        month_waz=_latest_in_month("waz", month),
        month_whz=_latest_in_month("whz", month),
        family_attended=Exists(
            Attendance.objects.filter(
                family=OuterRef("family"), session__group=OuterRef("family__group"), **_range("session__date", month)
            )
        ),
        referral_open=Exists(Referral.objects.filter(child=OuterRef("pk")).open_on(month.last)),
    )
    children = children.annotate(
        age_band=Case(
            *[When(_age_group_q(k, month.last), then=Value(k)) for k in AGE_GROUPS], output_field=IntegerField()
        )
    )
    return annotate_kka_status(children, month.last)


# Counted by GROUP BY (see Population.grouped): the KKA status is two
# anti-joins per child and the family's attendance a subquery, the costliest
# columns of the report, and these figures name them many times over.
CHILD_GROUPED = {
    "children_present": {"family_attended": True},
    **{f"children_age_{k}": {"age_band": k} for k in AGE_GROUPS},
    **{f"children_present_age_{k}": {"age_band": k, "family_attended": True} for k in AGE_GROUPS},
    "kka_belum_dinilai": {"kka_status": KkaStatus.BELUM_DINILAI},
    "kka_sesuai": {"kka_status": KkaStatus.SESUAI},
    "kka_terhutang": {"kka_status": KkaStatus.TERHUTANG},
    "kka_rujukan": {"kka_status": KkaStatus.PERLU_RUJUKAN},
    # Referred: an open referral, or a closed one made after every task now
    # needing referral became due (families.kka's rule, kka_referred).
    "kka_rujukan_unreferred": {"kka_status": KkaStatus.PERLU_RUJUKAN, "kka_referred": False},
}


def _child_figures(month: Month) -> dict[str, Q]:
    figures = {"children_total": Q(), **{key: Q(**spec) for key, spec in CHILD_GROUPED.items()}}
    figures.update(
        {
            "kka_checked": Q(checked=True),
            "referrals_open": Q(referral_open=True),
            "measured": Q(measured=True),
            # WHO's tables stop at 60 months: older children are measured but get no z-score.
            "measured_scored": Q(month_haz__isnull=False),
            "stunted": growth.stunted_q("month_"),
            "underweight": growth.underweight_q("month_"),
            "wasted": growth.wasted_q("month_"),
        }
    )
    return figures


# Sessions and referrals ------------------------------------------------------


def _session_base(month: Month) -> QuerySet:
    return CoachingSession.objects.filter(**_range("date", month))


def _session_figures(month: Month) -> dict[str, Q]:
    return {
        "sessions_held": Q(),
        "sessions_with_ape": ~Q(ape_used=""),
        "sessions_supervised": ~Q(supervising_agency=""),
    }


def _referral_figures(month: Month) -> dict[str, Q]:
    return {"referrals_made": _in_month("date", month), "referrals_closed": _in_month("closed_on", month)}


POPULATIONS = [
    Population("cadres", _cadre_base, "group", "cadre", _cadre_figures),
    Population("families", _family_base, "group", "pk", _family_figures),
    Population(
        "children", _child_base, "family__group", "pk", _child_figures, grouped=CHILD_GROUPED, related=("family",)
    ),
    Population("sessions", _session_base, "group", "pk", _session_figures, related=("topic",)),
    Population(
        "referrals",
        lambda month: Referral.objects.all(),
        "child__family__group",
        "pk",
        _referral_figures,
        related=("child__family",),
    ),
]
FIGURE_POPULATION = {key: pop for pop in POPULATIONS for key in pop.figures(Month(2000, 1))}
# The typed columns of the kept rows (reports.models.GroupMonthFigures) are these same figures.
FIGURE_KEYS = list(FIGURE_POPULATION)


def counts(groups: QuerySet, month: Month) -> dict[int, dict[str, int]]:
    """{group id: {figure key: count}} for every group in `groups`: one query per population."""
    group_ids = groups.values("pk")
    result: dict[int, dict[str, int]] = {}
    for pop in POPULATIONS:
        base = pop.base(month).filter(**{f"{pop.group_field}__in": group_ids}).order_by()
        filtered = {key: q for key, q in pop.figures(month).items() if key not in pop.grouped}
        rows = base.values(pop.group_field).annotate(
            **{key: Count(pop.count_field, filter=q, distinct=True) for key, q in filtered.items()}
        )
        for row in rows:
            group_id = row.pop(pop.group_field)
            result.setdefault(group_id, {}).update(row)
        if pop.grouped:
            _count_grouped(pop, base, result)
    return result


def _count_grouped(pop: Population, base: QuerySet, result: dict[int, dict[str, int]]) -> None:
    """Add the population's exact-match figures from one GROUP BY over their columns.

    The rows are already counted per group and column values in the
    database; this only files each count under the figures it matches.
    """
    columns = sorted({column for spec in pop.grouped.values() for column in spec})
    rows = base.values(pop.group_field, *columns).annotate(n=Count(pop.count_field, distinct=True))
    for row in rows:
        found = result.setdefault(row[pop.group_field], {})
        for key, spec in pop.grouped.items():
            found.setdefault(key, 0)
            if all(row[column] == value for column, value in spec.items()):
                found[key] += row["n"]


def rows_behind(group: BkbGroup | QuerySet, month: Month, key: str) -> QuerySet:
    """The rows a figure counts, for the "show me" links. KeyError for unknown keys.

    `group` is one group, or a queryset of groups for a batch of reports.
    """
    pop = FIGURE_POPULATION[key]
    lookup = pop.group_field if isinstance(group, BkbGroup) else f"{pop.group_field}__in"
    rows = pop.base(month).filter(**{lookup: group}).filter(pop.figures(month)[key])
    if pop.key == "cadres":
        return Cadre.objects.filter(pk__in=rows.values("cadre")).order_by("name")
    if pop.related:  # select_related() with no names would follow every foreign key
        rows = rows.select_related(*pop.related)
    return rows.distinct()


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(FIGURE_POPULATION, 0)


def frozen_counts(counts: dict[str, int]) -> dict[str, int]:
    """A submitted report's counts with every figure present.

    Reports frozen before a figure existed read 0 for it, except
    "measured_scored": they divided the stunting share by all measured.
    """
    found = {**empty_counts(), **counts}
    if "measured_scored" not in counts:
        found["measured_scored"] = found["measured"]
    return found


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Ratio:
    """A share as the reports print it: part, whole and percent ("2 dari 18 (11,1%)")."""

    part_key: str
    whole_key: str
    part: int
    whole: int

    @property
    def pct(self) -> float | None:
        return percent(self.part, self.whole)


@dataclass
class MonthFigures:
    """A group's (or an area's) counts with the ratios the reports show.

    For an area, `cadres_counted_once` says the cadre figures count people
    across the area (a cadre serving two groups is one), so they are not
    the sum of the group rows.
    """

    counts: dict[str, int]
    cadres_counted_once: bool = False

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    def get(self, key: str, default=None):
        return self.counts.get(key, default)

    def ratio(self, part_key: str, whole_key: str) -> Ratio:
        return Ratio(part_key, whole_key, self.counts[part_key], self.counts[whole_key])

    @property
    def attendance_ratio(self) -> Ratio:
        return self.ratio("families_present", "families_members")

    @property
    def children_present_ratio(self) -> Ratio:
        return self.ratio("children_present", "children_total")

    @property
    def kka_checked_ratio(self) -> Ratio:
        return self.ratio("kka_checked", "children_total")

    @property
    def stunted_ratio(self) -> Ratio:
        # Over the children measured with a z-score (WHO's tables stop at 60 months).
        return self.ratio("stunted", "measured_scored")

    @property
    def trained_ratio(self) -> Ratio:
        return self.ratio("cadres_trained", "cadres_active")

    @property
    def kb_ratio(self) -> Ratio:
        return self.ratio("families_kb", "families_pus")

    @property
    def attendance_pct(self) -> float | None:
        return self.attendance_ratio.pct

    @property
    def kka_checked_pct(self) -> float | None:
        return self.kka_checked_ratio.pct

    @property
    def stunted_pct(self) -> float | None:
        return self.stunted_ratio.pct

    @property
    def trained_pct(self) -> float | None:
        return self.trained_ratio.pct

    @property
    def kb_pct(self) -> float | None:
        return self.kb_ratio.pct

    @property
    def families_per_cadre(self) -> float | None:
        active = self.counts["cadres_active"]
        return round(self.counts["families_members"] / active, 1) if active else None

    def age_rows(self) -> list[dict]:
        # The keys are built here, not in the template: a template's `add` of a
        # string and a number gives "" and every cell read 0.
        return [
            {
                "label": label,
                "key": f"children_age_{value}",
                "children": self.counts[f"children_age_{value}"],
                "present": self.ratio(f"children_present_age_{value}", f"children_age_{value}"),
            }
            for value, label in AgeGroup.choices
        ]

    def kb_rows(self) -> list[dict]:
        return [
            {"key": f"families_kb_{value}", "label": label, "count": self.counts[f"families_kb_{value}"]}
            for value, label in KB_METHODS
        ]

    def role_rows(self) -> list[dict]:
        return [
            {"key": f"cadres_role_{value}", "label": label, "count": self.counts[f"cadres_role_{value}"]}
            for value, label in CadreRole.Role.choices
        ]


def group_figures(group: BkbGroup, month: Month) -> MonthFigures:
    found = counts(BkbGroup.objects.filter(pk=group.pk), month).get(group.pk, {})
    return MonthFigures({**empty_counts(), **found})


def distinct_cadre_counts(
    groups: QuerySet, months: list[Month], *, only: list[str] | None = None
) -> dict[Month, dict[str, int]]:
    """Per month, the cadre figures of all `groups` together, each person counted once (one query).

    A cadre serving two groups is one person in an area total, so an area's
    cadre figures are not the sum of its group rows. With `only`, just those
    figures: each is a COUNT(DISTINCT) a month, so a year of all of them
    (the dashboard's trend) is costly to build and to run.
    """
    if not months:
        return {}
    found = _cadre_base_of(groups, months[0]).aggregate(**_distinct_cadre_annotations(months, only))
    return _by_month(found, months)


def distinct_cadre_counts_by(
    groups: QuerySet, months: list[Month], by: str, *, only: list[str] | None = None
) -> dict[Month, dict[object, dict]]:
    """Per month and per value of the group's field `by` ("desa__parent": per kecamatan), the cadre
    figures (with `only`, those) of those groups, each person counted once within each (one query)."""
    if not months:
        return {}
    pop = FIGURE_POPULATION["cadres_active"]
    field = f"{pop.group_field}__{by}"
    rows = _cadre_base_of(groups, months[0]).values(field).annotate(**_distinct_cadre_annotations(months, only))
    result: dict[Month, dict[object, dict]] = {month: {} for month in months}
    for row in rows:
        value = row.pop(field)
        for month, found in _by_month(row, months).items():
            result[month][value] = found
    return result


def _cadre_base_of(groups: QuerySet, month: Month) -> QuerySet:
    pop = FIGURE_POPULATION["cadres_active"]
    return pop.base(month).filter(**{f"{pop.group_field}__in": groups.values("pk")}).order_by()


def _distinct_cadre_annotations(months: list[Month], only: list[str] | None = None) -> dict:
    pop = FIGURE_POPULATION["cadres_active"]
    return {
        f"m{index}_{key}": Count(pop.count_field, filter=q, distinct=True)
        for index, month in enumerate(months)
        for key, q in pop.figures(month).items()
        if only is None or key in only
    }


def _by_month(found: dict, months: list[Month]) -> dict[Month, dict[str, int]]:
    result: dict[Month, dict[str, int]] = {month: {} for month in months}
    for name, value in found.items():
        index, key = name.split("_", 1)
        result[months[int(index[1:])]][key] = value
    return result


LABELS = {
    "cadres_active": _("Kader aktif"),
    "cadres_trained": _("Kader terlatih"),
    "cadres_new": _("Kader baru (12 bulan)"),
    "families_members": _("Keluarga anggota"),
    "families_joined": _("Keluarga bergabung bulan ini"),
    "families_left": _("Keluarga keluar bulan ini"),
    "families_present": _("Keluarga hadir"),
    "families_absent": _("Keluarga tidak hadir"),
    "families_absent_visited": _("Tidak hadir, sudah dikunjungi"),
    "families_pus": _("PUS anggota"),
    "families_kb": _("PUS ber-KB"),
    "families_pkh": _("KPM PKH"),
    "families_krs": _("Keluarga berisiko stunting"),
    "children_total": _("Anak balita anggota"),
    "children_present": _("Anak yang keluarganya hadir"),
    "kka_checked": _("Anak dipantau dengan KKA bulan ini"),
    "kka_belum_dinilai": _("KKA belum dinilai"),
    "kka_sesuai": _("KKA sesuai"),
    "kka_terhutang": _("KKA terhutang"),
    "kka_rujukan": _("KKA perlu rujukan"),
    "kka_rujukan_unreferred": _("Perlu rujukan, belum dirujuk"),
    "referrals_open": _("Rujukan berjalan"),
    "referrals_made": _("Rujukan baru bulan ini"),
    "referrals_closed": _("Rujukan selesai bulan ini"),
    "measured": _("Anak diukur bulan ini"),
    "measured_scored": _("Anak diukur dengan skor-z (sampai 60 bulan)"),
    "stunted": _("Pendek/sangat pendek (stunting)"),
    "underweight": _("Berat badan kurang"),
    "wasted": _("Gizi kurang/buruk"),
    "sessions_held": _("Pertemuan"),
    "sessions_with_ape": _("Pertemuan memakai APE"),
    "sessions_supervised": _("Pertemuan didampingi pembina"),
}


def label(key: str) -> str:
    if key in LABELS:
        return str(LABELS[key])
    if key.startswith("families_kb_"):
        return str(Family.KbMethod(key.removeprefix("families_kb_")).label)
    if key.startswith("cadres_role_"):
        return str(CadreRole.Role(key.removeprefix("cadres_role_")).label)
    if key.startswith("children_present_age_"):
        return f"{_('Hadir')} {AgeGroup(int(key.rsplit('_', 1)[1])).label}"
    if key.startswith("children_age_"):
        return f"{_('Anak')} {AgeGroup(int(key.rsplit('_', 1)[1])).label}"
    raise KeyError(key)
