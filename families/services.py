"""Writes and cross-group checks for member families and children.

NIK and KK numbers are national: the same number anywhere in the kabupaten
(indeed anywhere in the database) is the same person or household, so a
second registration is refused with the group where it already stands.
A likely duplicate child (same mother's name and birth date, similar name)
is only a warning: twins exist, the cadre confirms.
"""

import datetime
import difflib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bkb.lib.inputs import search_key
from families.models import Child, Family, KkaCheck, Measurement, MilestoneRecord, Referral
from groups.models import Area, BkbGroup


def _where(group: BkbGroup) -> str:
    return _("kelompok %(group)s, %(desa)s") % {"group": group.label, "desa": group.desa.label}


def _registered_message(holder: Family, *, user, group: BkbGroup, named: str, unnamed: str) -> str:
    """Inside the user's scope the holder may be named; in her kabupaten only the group and desa
    (so the family can be moved); in another kabupaten nothing at all."""
    if Family.objects.visible_to(user).filter(pk=holder.pk).exists():
        return named
    if holder.group.desa.path_at(Area.Level.KABUPATEN) == group.desa.path_at(Area.Level.KABUPATEN):
        return unnamed
    return _("Nomor ini sudah terdaftar di kabupaten lain. Tanyakan kepada admin Anda.")


@dataclass
class Known:
    """The register's rows that many registrations at once (an import) are checked against,
    read in three queries instead of a few per family (`known_for`)."""

    mothers: dict[str, Family] = field(default_factory=dict)  # by the mother's NIK
    cards: dict[str, Family] = field(default_factory=dict)  # by KK number
    children: dict[str, Child] = field(default_factory=dict)  # by the child's NIK
    # Children of the kabupaten by (birth date, mother's name in lower case): likely duplicates' candidates.
    births: dict[tuple, list[Child]] = field(default_factory=dict)


def _birth_key(birth_date: datetime.date, mother_name: str) -> tuple:
    # As likely_duplicate_children's query compares: the name typed, trimmed, against the stored
    # name as it is, case aside (iexact).
    return (birth_date, mother_name.lower())


def known_for(*, numbers: set[str], births: set[tuple], kabupaten: Area | None) -> Known:
    """What `numbers` (NIK and KK) and `births` ((birth date, mother's name)) meet in the register."""
    known = Known()
    numbers = {number for number in numbers if number}
    if numbers:
        families = Family.objects.filter(Q(mother_nik__in=numbers) | Q(kk_number__in=numbers))
        for holder in families.select_related("group__desa"):
            if holder.mother_nik in numbers:
                known.mothers[holder.mother_nik] = holder
            if holder.kk_number in numbers:
                known.cards[holder.kk_number] = holder
        for holder in Child.objects.filter(nik__in=numbers).select_related("family__group__desa"):
            known.children[holder.nik] = holder
    wanted = {_birth_key(day, name.strip()) for day, name in births if day and name}
    if wanted:
        candidates = Child.objects.filter(birth_date__in={day for day, _name in wanted}).select_related(
            "family__group__desa"
        )
        if kabupaten is not None:
            candidates = candidates.filter(family__group__desa__path__startswith=kabupaten.path)
        for candidate in candidates.order_by("pk"):
            key = _birth_key(candidate.birth_date, candidate.family.mother_name)
            if key in wanted:
                known.births.setdefault(key, []).append(candidate)
    return known


def _holder(known: dict | None, number: str, rows, row):
    """The holder of `number` that is not `row` itself: from `known` (prefetched holders by
    number) when given, else the first of `rows` (the number's holders in the database)."""
    if known is not None:
        holder = known.get(number)
        return holder if holder is not None and (row is None or holder.pk != row.pk) else None
    if row is not None and row.pk:
        rows = rows.exclude(pk=row.pk)
    return rows.first()


def nik_registered_elsewhere(
    nik: str,
    *,
    user,
    group: BkbGroup,
    family: Family | None = None,
    child: Child | None = None,
    known: Known | None = None,
) -> str | None:
    """Where this NIK is already registered (as mother or child), or None; said as much as
    `user`, registering into `group`, may know. With `known`, looked up there."""
    if not nik:
        return None
    mothers = Family.objects.filter(mother_nik=nik).select_related("group__desa")
    if holder := _holder(known and known.mothers, nik, mothers, family):
        where = _where(holder.group)
        return _registered_message(
            holder,
            user=user,
            group=group,
            named=_("NIK ini sudah terdaftar untuk ibu %(name)s di %(where)s.")
            % {"name": holder.mother_name, "where": where},
            unnamed=_("NIK ini sudah terdaftar sebagai ibu di %(where)s. Minta PKB atau admin memindahkan keluarganya.")
            % {"where": where},
        )
    children = Child.objects.filter(nik=nik).select_related("family__group__desa")
    if holder := _holder(known and known.children, nik, children, child):
        where = _where(holder.family.group)
        return _registered_message(
            holder.family,
            user=user,
            group=group,
            named=_("NIK ini sudah terdaftar untuk anak %(name)s di %(where)s.")
            % {"name": holder.name, "where": where},
            unnamed=_(
                "NIK ini sudah terdaftar sebagai anak di %(where)s. Minta PKB atau admin memindahkan keluarganya."
            )
            % {"where": where},
        )
    return None


def kk_registered_elsewhere(
    kk: str, *, user, group: BkbGroup, family: Family | None = None, known: Known | None = None
) -> str | None:
    if not kk:
        return None
    holders = Family.objects.filter(kk_number=kk).select_related("group__desa")
    if holder := _holder(known and known.cards, kk, holders, family):
        where = _where(holder.group)
        return _registered_message(
            holder,
            user=user,
            group=group,
            named=_("Nomor KK ini sudah terdaftar untuk keluarga ibu %(name)s di %(where)s.")
            % {"name": holder.mother_name, "where": where},
            unnamed=_("Nomor KK ini sudah terdaftar di %(where)s. Minta PKB atau admin memindahkan keluarganya.")
            % {"where": where},
        )
    return None


def similar_names(a: str, b: str) -> bool:
    """Two children's names that may be one child's: the same, the same first name, or close."""
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    if a == b or a.split()[0] == b.split()[0]:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def likely_duplicate_children(
    *,
    name: str,
    birth_date: datetime.date,
    mother_name: str,
    kabupaten: Area | None,
    exclude_pk: int | None = None,
    known: Known | None = None,
) -> list[Child]:
    """Children in the kabupaten with the same mother's name and birth date and a similar name."""
    if not (name and birth_date and mother_name):
        return []
    if known is not None:
        found = known.births.get(_birth_key(birth_date, mother_name.strip()), [])
        return [child for child in found if child.pk != exclude_pk and similar_names(child.name, name)]
    candidates = Child.objects.filter(
        birth_date=birth_date, family__mother_name__iexact=mother_name.strip()
    ).select_related("family__group__desa")
    if kabupaten is not None:
        candidates = candidates.filter(family__group__desa__path__startswith=kabupaten.path)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    return [child for child in candidates if similar_names(child.name, name)]


def describe_duplicate(child: Child, *, user) -> str:
    """A likely duplicate (always in the same kabupaten): named only inside the user's scope."""
    values = {
        "name": child.name,
        "born": child.birth_date.strftime("%d-%m-%Y"),
        "mother": child.family.mother_name,
        "where": _where(child.family.group),
    }
    if Family.objects.visible_to(user).filter(pk=child.family_id).exists():
        return _("Mungkin sama dengan %(name)s (lahir %(born)s, ibu %(mother)s) di %(where)s.") % values
    return _("Mungkin sama dengan anak yang lahir %(born)s di %(where)s.") % values


def family_move(*, family: Family, to_group: BkbGroup, by) -> Family:
    """Move a family and its children to another group; `by` is who moves it (the view has
    checked both groups are theirs). Its past attendance stays on the old group's sessions;
    the family's save marks both groups' kept figures (groups/changes.py)."""
    with transaction.atomic():
        family = Family.objects.select_for_update().get(pk=family.pk)
        if family.group_id != to_group.pk:
            family.group = to_group
            family.save(update_fields=["group"])
    return family


class NumberTaken(Exception):
    """A NIK or KK number was registered by someone else between the form's check and the save."""


def family_save_with_children(
    *, family: Family, children: list[Child], removed_children: list[Child] = (), family_changed: bool = True
) -> Family:
    """Save a family (unsaved or edited in memory) with its new or edited children, and
    delete the children taken off the form: all of it or none of it.

    With `family_changed` False an existing family's own row is not written (an import that
    only adds a child leaves no change record on the family).

    Raises NumberTaken when a concurrent save took one of its numbers (the database's
    unique constraint): the caller checks its form again, which then says where it is.
    """
    unsaved = [row for row in (family, *children) if row._state.adding]
    try:
        with transaction.atomic():
            if family_changed or family._state.adding:
                family.save()
            for child in removed_children:
                child.delete()
            for child in children:
                child.family = family
                child.save()
    except IntegrityError as error:
        # Rolled back: what was new is unsaved again, so the form shows no id that does not exist.
        for row in unsaved:
            row.pk, row._state.adding = None, True
        if any(column in str(error) for column in ("mother_nik", "kk_number", "_nik")):
            raise NumberTaken from error
        raise
    return family


def referral_record(*, child: Child, user, date: datetime.date, referred_to: str, reason: str = "") -> Referral:
    with transaction.atomic():
        return Referral.objects.create(child=child, created_by=user, date=date, referred_to=referred_to, reason=reason)


def referral_close(*, referral: Referral, closed_on: datetime.date, outcome: str) -> Referral:
    with transaction.atomic():
        referral.closed_on, referral.outcome = closed_on, outcome
        referral.save(update_fields=["closed_on", "outcome"])
    return referral


def search_families(queryset, query: str):
    """Filter families by mother's/father's/child's name, NIK or KK as typed.

    One indexed lookup per column, OR-ed as `pk IN (...)`: an OR across the
    join to children can use no index and reads every family in the area
    (bench/NOTES.md: 62 ms -> 8 ms for a name across a kabupaten).
    """
    query = " ".join(query.split())
    if not query:
        return queryset
    # Each lookup stays inside `queryset`, so a group's roster searches its
    # own families and never the whole table.
    children = Child.objects.filter(family__in=queryset.values("pk"))
    if query.isdigit():
        lookups = [
            queryset.filter(mother_nik__startswith=query).values("pk"),
            queryset.filter(kk_number__startswith=query).values("pk"),
            children.filter(nik__startswith=query).values("family_id"),
        ]
    else:
        # Case, accents and apostrophes do not count ("nuraini" finds "Nur'aini"): compare search keys.
        key = search_key(query)
        if not key:
            return queryset.none()
        lookups = [
            queryset.filter(search_key__contains=key).values("pk"),
            children.filter(search_key__contains=key).values("family_id"),
        ]
    match = Q()
    for ids in lookups:
        match |= Q(pk__in=ids)
    return queryset.filter(match)


# A cascade deletes a family's children and their rows a moment before the family itself;
# rows deleted this long before it, in the same request, went with it.
_CASCADE_WINDOW = datetime.timedelta(minutes=1)


def _deleted_with(model, deleted, **lookups) -> list:
    """The latest record of each `model` row matching `lookups` that was deleted together with `deleted`
    (a Family delete record) and is still gone."""
    records = model.history.filter(
        history_type="-",
        history_date__gte=deleted.history_date - _CASCADE_WINDOW,
        history_date__lte=deleted.history_date,
        **lookups,
    ).exclude(id__in=model.objects.values("id"))
    if deleted.request_id:
        records = records.filter(request_id=deleted.request_id)
    latest = {}
    for record in records.order_by("history_date", "history_id"):
        latest[record.id] = record
    return list(latest.values())


def _revive(records) -> list:
    """Model instances from delete records, with links to rows that are gone since set empty."""
    objs = [record.instance for record in records]
    if not objs:
        return objs
    model = type(objs[0])
    for model_field in model._meta.concrete_fields:
        if not (model_field.is_relation and model_field.null):
            continue
        ids = {getattr(obj, model_field.attname) for obj in objs} - {None}
        alive = set(model_field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        for obj in objs:
            if getattr(obj, model_field.attname) not in alive:
                setattr(obj, model_field.attname, None)
    return objs


def _insert_as_it_was(obj) -> None:
    # auto_now(_add) stamps the insert with now: put back when the row was made or last marked.
    stamps = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    }
    obj.save(force_insert=True)
    if stamps:
        type(obj)._default_manager.filter(pk=obj.pk).update(**stamps)


def family_restore(*, deleted) -> Family:
    """Bring back a deleted family (`deleted`, its delete record in the history) with the children,
    measurements, KKA marks and checks and referrals deleted with it, under the same ids.

    Each row is saved one by one, so the history records the restore and the kept figures
    are marked as for any save. A NIK or KK number registered again since refuses it.
    """
    if Family.objects.filter(pk=deleted.id).exists():
        raise ValidationError(_("Keluarga ini sudah dipulihkan."))  # a second tab, or a colleague
    child_records = _deleted_with(Child, deleted, family_id=deleted.id)
    child_ids = [record.id for record in child_records]
    rows = [_revive([deleted]), _revive(child_records)]
    for model in (Measurement, MilestoneRecord, KkaCheck, Referral):
        rows.append(_revive(_deleted_with(model, deleted, child_id__in=child_ids)))
    try:
        with transaction.atomic():
            for objs in rows:
                for obj in objs:
                    _insert_as_it_was(obj)
    except IntegrityError as error:
        raise ValidationError(
            _("Keluarga ini tidak dapat dipulihkan: NIK atau nomor KK-nya kini sudah terdaftar di data lain.")
        ) from error
    return rows[0][0]
