"""Telling the kept figures that a group's data changed.

The figures of a group's month and its children's status are kept in tables
(`sessions.KeptState`, `sessions.ChildStatus`, `reports.GroupMonthFigures`)
rather than recomputed on every page. Every write that can change them says
so here, inside its own transaction: which groups, and from which day on
(a mark dated in March changes March and every later month). The apps that
keep figures listen to `figures_changed` and mark their rows stale in the
same transaction, then queue a refresh once it commits.

Two ways in, one signal:
- `track(model, group=..., day=...)`: a model's single saves and deletes
  (forms, the Django admin, factories), with the old and the new values, so
  a session moved to another month or a family moved to another group marks
  both sides.
- `changed(group_ids, since)`: what a service writes in bulk (bulk_create,
  update()), which sends no model signal; `told(group_ids, since)` around a
  bulk write that does (a queryset's delete() sends one per row) says it once.
"""

import datetime
import threading
from contextlib import contextmanager

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal

# Sent with group_ids (a set of ids, or None for every group) and since (a
# date, or None for every month).
figures_changed = Signal()


def changed(group_ids, since: datetime.date | None = None) -> None:
    """Say that the figures of `group_ids` from `since`'s month on may have changed."""
    if getattr(_local, "quiet", 0):
        return
    if group_ids is not None:
        group_ids = {group_id for group_id in group_ids if group_id is not None}
        if not group_ids:
            return
    figures_changed.send(sender=None, group_ids=group_ids, since=since)


_local = threading.local()


@contextmanager
def quiet():
    """Inside, nothing says it changed the figures: the caller refreshes them itself (a seed)
    or says it once afterwards (`told`)."""
    _local.quiet = getattr(_local, "quiet", 0) + 1
    try:
        yield
    finally:
        _local.quiet -= 1


@contextmanager
def told(group_ids, since: datetime.date | None = None):
    """Write in bulk inside, quietly; then one `changed` says it all."""
    with quiet():
        yield
    changed(group_ids, since)


def _earliest(days) -> datetime.date | None:
    days = [day for day in days if day is not None]
    # A row without a day (a child with no birth date yet) changes every month.
    return min(days) if days else None


def track(model: type[models.Model], *, group: str | None, day: str | None) -> None:
    """Mark the figures stale on every save and delete of `model`.

    `group` is the lookup from the model to its group's id (e.g.
    "child__family__group"), None for a row that changes every group (the
    KKA instrument); `day` the lookup of the date from which its figures
    change, None for "every month". Each save reads the row's group and day
    before and after it (two small queries), so an edit that moves a row
    marks where it was and where it went.
    """
    fields = [lookup for lookup in (group, day) if lookup]

    def where(pk) -> list[tuple]:
        if not fields:
            return [(None, None)]
        rows = model._default_manager.filter(pk=pk).values(*fields)
        return [(row[group] if group else None, row[day] if day else None) for row in rows]

    def remember(sender, instance, **kwargs):
        if getattr(_local, "quiet", 0):
            return
        instance._figures_before = where(instance.pk) if instance.pk is not None else []

    def tell(sender, instance, **kwargs):
        if getattr(_local, "quiet", 0):
            return
        before = getattr(instance, "_figures_before", [])
        after = [] if kwargs.get("signal") is post_delete else where(instance.pk)
        spots = before + after
        if not spots:
            return
        groups = None if group is None else {spot[0] for spot in spots}
        changed(groups, _earliest(spot[1] for spot in spots))

    uid = f"figures-{model._meta.label}"
    pre_save.connect(remember, sender=model, weak=False, dispatch_uid=f"{uid}-pre-save")
    pre_delete.connect(remember, sender=model, weak=False, dispatch_uid=f"{uid}-pre-delete")
    post_save.connect(tell, sender=model, weak=False, dispatch_uid=f"{uid}-post-save")
    post_delete.connect(tell, sender=model, weak=False, dispatch_uid=f"{uid}-post-delete")
