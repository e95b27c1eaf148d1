"""Kept figures: each group's month in typed columns, current within seconds of a write.

How a number stays current:
- A write says which groups changed from which day (groups.changes). In the
  writer's transaction, sessions.kept adds one to the group's KeptState
  version (a row lock) and `mark_changed` here marks the group's month rows
  from that month on `stale`. When it commits, `queue` claims the groups'
  `queued` flag and enqueues one `figures_refresh` task for the claimed
  ones: a burst of writes before the task runs queues nothing more.
- `refresh` recomputes under the groups' KeptState locks, from the same
  computation as the live figures (reports.shown.live_group_months), so a
  writer either committed before the refresh read (it sees the write) or
  marks the rows stale again after it (the lock makes it wait).
- The date moves figures too: the children's roster status each day, a new
  month's rows on the 1st. `nightly` refreshes every group; it runs on the
  task worker every night (reports.tasks.figures_nightly reschedules itself).
- A page that finds stale or missing rows refreshes them itself when they are
  few (`ensure`); otherwise it shows them and says from when they are.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.tasks import task
from django.utils import timezone

from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import figures
from reports.models import GroupMonthFigures
from sessions import kept as children_kept
from sessions.models import KeptState

# A page refreshes up to this many stale group-months itself; more wait for the worker.
INLINE_LIMIT = 60
# Groups refreshed per transaction by the nightly run: each holds its groups' locks briefly.
CHUNK = 50
# The months the nightly run makes sure exist: the dashboard's trend.
KEPT_MONTHS = 12


def mark_changed(group_ids, since: datetime.date | None) -> None:
    """Mark the month rows of `group_ids` (None: all) from `since`'s month on stale; refresh after commit."""
    rows = GroupMonthFigures.objects.all()
    if group_ids is not None:
        rows = rows.filter(group_id__in=group_ids)
    if since is not None:
        rows = rows.filter(month__gte=Month.of(since).first)
    rows.update(stale=True, version=F("version") + 1)
    ids = None if group_ids is None else sorted(group_ids)
    # Robust: the write has committed, so a refresh that cannot be queued is logged, not
    # raised into the request (its rows say they are stale; pages and the nightly run refresh them).
    # Several writes in one transaction queue once: the first claims the groups (KeptState.queued).
    transaction.on_commit(lambda: queue(ids), robust=True)


def queue(group_ids) -> list[int]:
    """Enqueue one refresh for the groups that have none waiting; returns the groups queued."""
    states = KeptState.objects.filter(queued=False)
    if group_ids is not None:
        states = states.filter(group_id__in=group_ids)
    # The claim and the task together or not at all: a claim without its task would
    # silence the group's refreshes for good.
    with transaction.atomic():
        claimed = list(states.order_by("group_id").values_list("group_id", flat=True))
        if not claimed:
            return []
        KeptState.objects.filter(group_id__in=claimed).update(queued=True)
        figures_refresh.enqueue(claimed)
    return claimed


def _lock(group_ids: list[int]) -> None:
    children_kept.states_ensure(group_ids)
    # In one order, so two refreshes of overlapping groups cannot deadlock.
    list(KeptState.objects.select_for_update().filter(group_id__in=group_ids).order_by("group_id").values("pk"))


def refresh(
    group_ids, months: list[Month] | None = None, *, on: datetime.date | None = None, children: bool = True
) -> int:
    """Recompute the kept figures of `group_ids`: the given months (default: their stale months) and,
    with `children`, their children's status for `on` (default today). Returns the month rows written."""
    group_ids = sorted(set(group_ids))
    if not group_ids:
        return 0
    if months is None:
        wanted = (
            GroupMonthFigures.objects.filter(group_id__in=group_ids, stale=True)
            .values_list("month", "group_id")
            .order_by("month", "group_id")
        )
    else:
        wanted = [(month.first, group_id) for month in months for group_id in group_ids]
    by_month: dict[datetime.date, list[int]] = {}
    for first, group_id in wanted:
        by_month.setdefault(first, []).append(group_id)
    with transaction.atomic():
        _lock(group_ids)
        written = _write(by_month)
        if children:
            children_kept.children_refresh(group_ids, on or timezone.localdate())
    return written


def _write(by_month: dict[datetime.date, list[int]]) -> int:
    """Compute and write the rows {month's first day: group ids}, inside the caller's locks."""
    from reports.shown import live_group_months

    now, written = timezone.now(), 0
    for first, group_ids in sorted(by_month.items()):
        month = Month.of(first)
        found = live_group_months(BkbGroup.objects.filter(pk__in=group_ids), [month], group_ids=group_ids)[month]
        GroupMonthFigures.objects.bulk_create(
            [
                GroupMonthFigures(
                    group_id=group_id,
                    month=first,
                    source=shown.source,
                    report=shown.report,
                    computed_at=now,
                    stale=False,
                    **{key: shown.counts.get(key, 0) for key in figures.FIGURE_KEYS},
                )
                for group_id, shown in found.items()
            ],
            update_conflicts=True,
            unique_fields=["group", "month"],
            update_fields=["source", "report", "computed_at", "stale", *figures.FIGURE_KEYS],
            batch_size=500,
        )
        written += len(found)
    return written


@task
def figures_refresh(group_ids: list[int]) -> int:
    """The worker's refresh after writes (`queue`): release the groups' queue flag, then refresh
    what is stale, CHUNK groups at a time."""
    group_ids = sorted(group_ids)
    KeptState.objects.filter(group_id__in=group_ids).update(queued=False)
    return sum(refresh(group_ids[start : start + CHUNK]) for start in range(0, len(group_ids), CHUNK))


def nightly(on: datetime.date | None = None, *, months: int = KEPT_MONTHS) -> dict:
    """Every group, for a new day: the children's status, the current and previous month, anything
    stale, and the rows of the last `months` months that do not exist yet. In chunks of CHUNK groups."""
    on = on or timezone.localdate()
    current = Month.of(on)
    shown = [current.back(back) for back in range(months)]
    group_ids = list(BkbGroup.objects.order_by("pk").values_list("pk", flat=True))
    existing = set(
        GroupMonthFigures.objects.filter(month__in=[month.first for month in shown]).values_list("group_id", "month")
    )
    written = 0
    for start in range(0, len(group_ids), CHUNK):
        chunk = group_ids[start : start + CHUNK]
        # This refreshes all a waiting task would, so it takes over the groups' claims: a claim
        # whose task was lost (a worker killed as it took it) no longer silences the group for good.
        # A write after this queues its own refresh.
        KeptState.objects.filter(group_id__in=chunk, queued=True).update(queued=False)
        stale = GroupMonthFigures.objects.filter(group_id__in=chunk, stale=True).values_list("month", flat=True)
        wanted = {current.first, current.previous().first, *stale}
        wanted |= {month.first for month in shown for group_id in chunk if (group_id, month.first) not in existing}
        written += refresh(chunk, [Month.of(first) for first in sorted(wanted)], on=on)
    return {"groups": len(group_ids), "rows": written}


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    """How current the kept rows a page shows are: the oldest computation, and how many wait."""

    computed_at: datetime.datetime | None
    stale: int = 0

    @property
    def current(self) -> bool:
        return self.stale == 0


def _rows(groups: QuerySet, months: list[Month]) -> QuerySet:
    return GroupMonthFigures.objects.filter(group__in=groups.values("pk"), month__in=[m.first for m in months])


def ensure(groups: QuerySet, months: list[Month], *, limit: int | None = None) -> Freshness:
    """Make the kept rows of `groups` x `months` current where that is cheap, and say how current they are.

    Missing rows are always computed (there is nothing else to show), stale
    ones when there are at most `limit` (default INLINE_LIMIT, read when
    called). Two queries when all is current.
    """
    limit = INLINE_LIMIT if limit is None else limit
    found = _rows(groups, months).aggregate(
        n=Count("pk"), stale=Count("pk", filter=Q(stale=True)), oldest=Min("computed_at")
    )
    if found["stale"] == 0 and found["n"] == groups.count() * len(months):
        return Freshness(found["oldest"])
    rows_state = {
        (group_id, month): stale
        for group_id, month, stale in _rows(groups, months).values_list("group_id", "month", "stale")
    }
    take_stale = found["stale"] <= limit
    by_month: dict[datetime.date, list[int]] = {}
    for group_id in groups.order_by("pk").values_list("pk", flat=True):
        for month in months:
            stale = rows_state.get((group_id, month.first))
            if stale is None or (stale and take_stale):
                by_month.setdefault(month.first, []).append(group_id)
    with transaction.atomic():
        _lock(sorted({group_id for ids in by_month.values() for group_id in ids}))
        _write(by_month)
    found = _rows(groups, months).aggregate(stale=Count("pk", filter=Q(stale=True)), oldest=Min("computed_at"))
    return Freshness(found["oldest"], found["stale"])


def live_counts(groups: QuerySet, month: Month) -> dict[int, dict[str, int]]:
    """{group id: its month's live counts}, as figures.counts gives them: from the kept rows
    that hold live counts (no standing report), computed now for the groups whose report stands."""
    ensure(groups, [month])
    found, rest = {}, []
    for row in rows(groups, [month]):
        if row.holds_live_counts:
            found[row.group_id] = row.counts()
        else:
            rest.append(row.group_id)
    if rest:
        found.update(figures.counts(BkbGroup.objects.filter(pk__in=rest), month))
    return found


def live_counted_at(group: BkbGroup, month: Month) -> datetime.datetime:
    """When the live counts `live_counts` gives for the group's month were counted: its kept row's
    time, or now where they were counted on the spot (a standing report's month)."""
    row = GroupMonthFigures.objects.filter(group=group, month=month.first).only("source", "stale", "computed_at")
    found = row.first()
    return found.computed_at if found and found.holds_live_counts else timezone.now()


# What an area view shows of a group's current report: its status, version and lateness.
REPORT_FIELDS = [f"report__{name}" for name in ("id", "group", "month", "version", "status", "is_late", "is_current")]


def rows(groups: QuerySet, months: list[Month], *, only: list[str] | None = None) -> QuerySet:
    """The kept rows of `groups` x `months` (call `ensure` first), their current report alongside."""
    keys = only if only is not None else figures.FIGURE_KEYS
    return (
        _rows(groups, months)
        .select_related("report")
        # The report's figures are in the kept columns already: its large snapshot stays unread
        # (defer() after only() would not keep it out).
        .only("group", "month", "source", "computed_at", "stale", *keys, *REPORT_FIELDS)
        .order_by()
    )


def totals_by_month(groups: QuerySet, months: list[Month], *, only: list[str] | None = None) -> dict[Month, dict]:
    """Per month, the sums of the kept columns over `groups`: one query for every month."""
    keys = only if only is not None else figures.FIGURE_KEYS
    found = {
        Month.of(row.pop("month")): row
        for row in _rows(groups, months).values("month").annotate(**{key: Sum(key) for key in keys}).order_by()
    }
    return {month: {key: found.get(month, {}).get(key) or 0 for key in keys} for month in months}


@dataclass(frozen=True)
class Sums:
    """Kept rows summed: the figures, how many groups they add up, how many of those show a report,
    and any `extra` aggregates the caller asked for."""

    counts: dict[str, int]
    groups: int
    reported: int
    freshness: Freshness
    extra: dict = field(default_factory=dict)


def sums(
    groups: QuerySet,
    month: Month,
    *,
    by: str | None = None,
    only: list[str] | None = None,
    extra: dict | None = None,
) -> dict:
    """The kept rows of `groups` for `month` summed in the database: {None: Sums} for all of them, or
    with `by` (a field of the group, "desa__parent": per kecamatan) {its value: Sums}. One query;
    `extra` adds aggregates of the rows ({"no_session": Count("pk", filter=Q(sessions_held=0))}).

    Every figure is summed, the cadres too: a caller showing people counts them once itself
    (reports.figures.distinct_cadre_counts)."""
    keys = only if only is not None else figures.FIGURE_KEYS
    extra = extra or {}
    # sum_<key>, apart from the row counts beside them.
    annotations = {
        **{f"sum_{key}": Sum(key) for key in keys},
        "n_groups": Count("pk"),
        "n_reported": Count("pk", filter=Q(source=GroupMonthFigures.Source.REPORT)),
        "n_stale": Count("pk", filter=Q(stale=True)),
        "oldest": Min("computed_at"),
        **{f"extra_{name}": aggregate for name, aggregate in extra.items()},
    }
    if by is None:
        found = {None: _rows(groups, [month]).aggregate(**annotations)}
    else:
        field = f"group__{by}"
        found = {row.pop(field): row for row in _rows(groups, [month]).values(field).annotate(**annotations).order_by()}
    return {
        value: Sums(
            {key: row[f"sum_{key}"] or 0 for key in keys},
            row["n_groups"],
            row["n_reported"],
            Freshness(row["oldest"], row["n_stale"]),
            {name: row[f"extra_{name}"] for name in extra},
        )
        for value, row in found.items()
    }
