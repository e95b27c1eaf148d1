"""Family pages: the group roster, registering a family with its children, the family card,
and the child pages (KKA card, growth, referrals)."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bkb.lib import history
from bkb.lib.inputs import param_int, param_text
from cadres.access import can_write_registers, get_group_for, groups_visible_to, require
from families import measurements, selectors, services
from families.access import (
    deleted_families_for,
    get_child_for,
    get_deleted_family_for,
    get_family_for,
    get_referral_for,
)
from families.forms import (
    ChildFormSet,
    FamilyForm,
    FamilyMoveForm,
    MeasurementForm,
    ReferralCloseForm,
    ReferralForm,
)
from families.models import Family
from groups import once
from groups.access import can_move_families


@require_http_methods(["GET", "POST"])
@once.guard
def family_edit(request, group_id=None, pk=None):
    if pk:
        family = get_family_for(request.user, pk, write=True)
        group = family.group
    else:
        group = get_group_for(request.user, group_id, write=True)
        family = Family(group=group)
    data = request.POST or None
    form = FamilyForm(data, instance=family, group=group, user=request.user)
    children = ChildFormSet(data, instance=family, group=group, user=request.user, prefix="children")
    if request.method == "POST" and form.is_valid() and children.is_valid():
        children.save(commit=False)  # fills new_objects, changed_objects and deleted_objects, writes nothing
        try:
            family = services.family_save_with_children(
                family=form.save(commit=False),
                children=[*children.new_objects, *(child for child, _fields in children.changed_objects)],
                removed_children=children.deleted_objects,
            )
        except services.NumberTaken:
            # Someone registered the same number a moment ago: checking again says where.
            form.full_clean()
            children.full_clean()
            if form.is_valid() and children.is_valid():
                form.add_error(None, _("Nomor NIK atau KK ini baru saja didaftarkan di tempat lain. Periksa lagi."))
        else:
            once.record(request, reverse("families:detail", args=[family.pk]))
            messages.success(request, _("Keluarga ibu %(name)s tersimpan.") % {"name": family.mother_name})
            return redirect("families:detail", pk=family.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "families/family_form.html",
        {"form": form, "children": children, "group": group, "family": family},
        status=status,
    )


SEARCH_LIMIT = 50


def family_search(request):
    """Find a family anywhere in one's scope (a supervisor's kecamatan, an admin's kabupaten)."""
    query = param_text(request, "q")
    families = []
    if len(query) >= 3:
        found = services.search_families(Family.objects.visible_to(request.user), query)
        families = list(found.select_related("group__desa").order_by("mother_name", "pk")[: SEARCH_LIMIT + 1])
    return render(
        request,
        "families/family_search.html",
        {"query": query, "families": families[:SEARCH_LIMIT], "more": len(families) > SEARCH_LIMIT},
    )


def family_detail(request, pk):
    family = get_family_for(request.user, pk)
    move_form = None
    if can_move_families(request.user):
        move_form = FamilyMoveForm(groups=groups_visible_to(request.user).exclude(pk=family.group_id))
    today = timezone.localdate()
    children = list(family.children.all())
    for child in children:
        child.months = child.age_months(today)
        child.band = child.age_group(today)
    return render(
        request,
        "families/family_detail.html",
        {
            "family": family,
            "children": children,
            "can_write": can_write_registers(request.user),
            **history.page_context(selectors.family_history(family)),
            "move_form": move_form,
        },
    )


def child_detail(request, pk):
    child = get_child_for(request.user, pk)
    today = timezone.localdate()
    page = selectors.child_page(child, on=today)
    return render(
        request,
        "families/child_detail.html",
        {**page, "child": child, "today": today, "can_write": can_write_registers(request.user)},
    )


@require_http_methods(["GET", "POST"])
@once.guard
def measurement_add(request, pk):
    child = get_child_for(request.user, pk, write=True)
    today = timezone.localdate()
    form = MeasurementForm(
        request.POST or None,
        child=child,
        initial={"date": today, "position": measurements.default_position(child, today)},
    )
    if request.method == "POST" and form.is_valid():
        measurement = form.record(user=request.user)
        if measurement is not None:
            once.record(request, reverse("families:child_detail", args=[child.pk]))
            categories = measurements.Categories.of(measurement)
            shown = [str(label) for label in (categories.hfa, categories.wfa, categories.wfh) if label]
            messages.success(
                request,
                _("Pengukuran %(d)s tersimpan: %(c)s.")
                % {"d": measurement.date.strftime("%d-%m-%Y"), "c": ", ".join(shown) or "–"},
            )
            return redirect("families:child_detail", pk=child.pk)
    return render(
        request,
        "families/measurement_form.html",
        {"child": child, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@once.guard
def referral_add(request, pk):
    child = get_child_for(request.user, pk, write=True)
    form = ReferralForm(request.POST or None, child=child, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        referral = services.referral_record(child=child, user=request.user, **form.cleaned_data)
        once.record(request, reverse("families:child_detail", args=[child.pk]))
        messages.success(request, _("Rujukan ke %(to)s tercatat.") % {"to": referral.referred_to})
        return redirect("families:child_detail", pk=child.pk)
    return render(
        request,
        "families/referral_form.html",
        {"child": child, "form": form, "title": _("Catat rujukan")},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def referral_close(request, pk):
    referral = get_referral_for(request.user, pk, write=True)
    child = referral.child
    form = ReferralCloseForm(request.POST or None, instance=referral, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.referral_close(referral=referral, **form.cleaned_data)
        messages.success(request, _("Rujukan ke %(to)s selesai.") % {"to": referral.referred_to})
        return redirect("families:child_detail", pk=child.pk)
    return render(
        request,
        "families/referral_form.html",
        {"child": child, "form": form, "referral": referral, "title": _("Tutup rujukan")},
        status=400 if request.method == "POST" else 200,
    )


DELETED_LIMIT = 100


def deleted_families(request):
    """Deleted families of the admin's groups, newest deletion first, each with a restore button."""
    records = deleted_families_for(request.user).select_related("group", "history_user").order_by("-history_date")
    latest = {}
    for record in records[: DELETED_LIMIT * 2]:
        latest.setdefault(record.id, record)  # deleted, restored and deleted again: the last time
    return render(request, "families/deleted_families.html", {"deleted": list(latest.values())[:DELETED_LIMIT]})


@require_POST
@once.guard
def family_restore(request, pk):
    deleted = get_deleted_family_for(request.user, pk)
    try:
        family = services.family_restore(deleted=deleted)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("families:deleted")
    once.record(request, reverse("families:detail", args=[family.pk]))
    messages.success(request, _("Keluarga ibu %(name)s dipulihkan.") % {"name": family.mother_name})
    return redirect("families:detail", pk=family.pk)


@require_POST
@once.guard
def family_move(request, pk):
    family = get_family_for(request.user, pk)
    require(can_move_families(request.user))
    group_id = param_int(request.POST.get("to_group"), what=_("Kelompok"))
    if group_id is None:
        raise BadRequest(_("Pilih kelompok tujuan."))
    to_group = get_group_for(request.user, group_id)  # 404 outside the user's groups
    family = services.family_move(family=family, to_group=to_group, by=request.user)
    once.record(request, reverse("families:detail", args=[family.pk]))
    messages.success(
        request,
        _("Keluarga ibu %(name)s dipindahkan ke %(group)s.") % {"name": family.mother_name, "group": to_group.label},
    )
    return redirect("families:detail", pk=family.pk)
