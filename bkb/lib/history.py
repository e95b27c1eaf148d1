"""Change history: who changed a record, when, from which request, and what it held before and after.

django-simple-history keeps a historical copy of every save and delete of the models that
declare `HistoricalRecords(bases=[RequestStamp])`; this module adds the request (IP, method,
path and an id per request) to each copy, and reads the copies back as short entries for a
record's page in a fixed number of queries.
"""

import datetime
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from bkb.lib.inputs import format_decimal


class RequestStamp(models.Model):
    """The request a historical record came from (empty for a command or the worker)."""

    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    request_method = models.CharField(_("metode permintaan"), max_length=8, blank=True)
    request_path = models.CharField(_("alamat halaman"), max_length=255, blank=True)
    request_id = models.CharField(_("nomor permintaan"), max_length=32, blank=True)

    class Meta:
        abstract = True


# simple-history names its own fields and models in English when the class is made; these
# name them in the page's language (tests/test_i18n.py).
_HISTORY_FIELDS = {
    "history_id": _("nomor riwayat"),
    "history_date": _("waktu perubahan"),
    "history_change_reason": _("alasan perubahan"),
    "history_type": _("jenis perubahan"),
    "history_user": _("diubah oleh"),
}


@receiver(class_prepared)
def _name_history_model(sender, **kwargs):
    if not issubclass(sender, RequestStamp) or not hasattr(sender, "instance_type"):
        return
    meta, tracked = sender._meta, sender.instance_type._meta
    for model_field in meta.local_fields:
        if model_field.name in _HISTORY_FIELDS:
            model_field.verbose_name = _HISTORY_FIELDS[model_field.name]
    meta.verbose_name = meta.original_attrs["verbose_name"] = format_lazy(_("riwayat {}"), tracked.verbose_name)
    meta.verbose_name_plural = meta.original_attrs["verbose_name_plural"] = format_lazy(
        _("riwayat {}"), tracked.verbose_name_plural
    )


# Outside a request (the worker, a command) the row's own "who" field names the writer.
_WRITER_FIELDS = ("recorded_by", "checked_by", "created_by", "submitted_by")


def _writer(request=None, instance=None, **kwargs):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    for name in _WRITER_FIELDS:
        if getattr(instance, f"{name}_id", None) is not None:
            return getattr(instance, name)
    return None


def request_history(**kwargs) -> HistoricalRecords:
    """The history of a model, with the request of each change."""
    return HistoricalRecords(bases=[RequestStamp], get_user=_writer, **kwargs)


def request_stamp() -> dict:
    """The current request's fields for a historical record (empty outside a request)."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return {}
    if not hasattr(request, "history_request_id"):
        # A proxy's id joins our record to its log line; otherwise one of our own.
        given = request.headers.get("X-Request-ID", "")[:32]
        request.history_request_id = given or uuid.uuid4().hex
    return {
        "ip_address": request.META.get("REMOTE_ADDR") or None,
        "request_method": request.method[:8],
        "request_path": request.path[:255],
        "request_id": request.history_request_id,
    }


@receiver(pre_create_historical_record)
def _stamp_request(sender, history_instance, **kwargs):
    for name, value in request_stamp().items():
        setattr(history_instance, name, value)


@contextmanager
def disabled():
    """Write without history inside: a seed of thousands of demo rows nobody changed.
    simple-history's own switch, a setting it reads on every write (so: one process, no threads)."""
    before = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = before


def enabled() -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


# --- Reading it back ------------------------------------------------------------------------

# A record's page shows this many of the newest changes.
LIMIT = 20
ACTIONS = {"+": _("dibuat"), "~": _("diubah"), "-": _("dihapus")}
# Kept for the machine (search keys, timestamps the history has anyway), not worth a line.
SKIPPED = {"id", "search_key", "created_at", "updated_at", "recorded_at", "is_current"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    action: str
    kind: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    history_type: str = ""
    request_path: str = ""


def _shown(model_field, value) -> str:
    if value is None or value == "":
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("ya") if value else _("tidak"))
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "…"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED]


def _changes(model, row, before) -> list[Change]:
    changes = []
    for model_field in _fields(model):
        after_value = getattr(row, model_field.attname)
        before_value = getattr(before, model_field.attname) if before is not None else None
        if row.history_type == "-" or after_value == before_value:
            continue
        if before is None and after_value in (None, "", False, [], {}):
            continue
        changes.append(
            Change(str(model_field.verbose_name), _shown(model_field, before_value), _shown(model_field, after_value))
        )
    return changes


def who(user) -> str:
    """How a change's author is named on a page."""
    if user is None:
        return str(_("sistem"))
    return user.get_full_name() or user.get_username()


def entries(sources, *, limit: int = LIMIT) -> list[Entry]:
    """The newest `limit` changes across `sources`, newest first.

    `sources` is a list of (history queryset, describe) where describe(row) names the record
    (e.g. the child's name and the date of a measurement). Two queries per source at most:
    the newest rows, each with the id of its row before; then those rows before.
    """
    picked = []
    for queryset, describe in sources:
        model = queryset.model
        before_id = Subquery(
            model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        rows = list(
            queryset.annotate(before_id=before_id)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        )
        picked.extend((row, model, describe) for row in rows)
    picked.sort(key=lambda item: item[0].history_date, reverse=True)
    picked = picked[:limit]

    wanted: dict = {}
    for row, model, _describe in picked:
        if row.history_type == "~" and row.before_id:
            wanted.setdefault(model, set()).add(row.before_id)
    befores = {}
    for model, ids in wanted.items():
        befores.update({(model, row.history_id): row for row in model.objects.filter(history_id__in=ids)})

    result = []
    for row, model, describe in picked:
        tracked = model.instance_type
        before = befores.get((model, row.before_id)) if row.history_type == "~" else None
        result.append(
            Entry(
                when=row.history_date,
                who=who(row.history_user),
                action=str(ACTIONS.get(row.history_type, row.history_type)),
                kind=str(tracked._meta.verbose_name),
                subject=describe(row) if describe else "",
                changes=_changes(tracked, row, before),
                history_type=row.history_type,
                request_path=getattr(row, "request_path", ""),
            )
        )
    return result


def bulk_create_new(model, objs, *, stamp: str, within: dict, user=None) -> list:
    """`bulk_create(ignore_conflicts=True)` that writes history for the rows it really inserted.

    A conflicting row is left as it was and gets no "created" entry. The inserted rows are
    found again by `stamp`, a timestamp field the insert itself sets (auto_now/auto_now_add),
    among the rows `within` selects (e.g. the children written): simple-history's own helper
    matches on the editable fields, which an identical row already there matches too.
    """
    objs = list(objs)
    if not objs:
        return []
    manager = model._default_manager
    manager.bulk_create(objs, ignore_conflicts=True)
    if not enabled():
        return objs
    made = list(manager.filter(**within, **{f"{stamp}__in": {getattr(obj, stamp) for obj in objs}}))
    model.history.bulk_history_create(made, default_user=user, custom_historical_attrs=request_stamp())
    return made


def page_context(found: list[Entry]) -> dict:
    """What templates/includes/history.html reads."""
    return {"change_history": found, "change_history_limit": LIMIT}
