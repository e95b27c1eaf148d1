"""Family pages: the group roster, registering a family with its children, the family card."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from families import selectors, services
from families.forms import ChildFormSet, FamilyForm
from families.models import Family
from groups.access import can_write_registers, get_group_for, require


def get_family_for(user, pk, *, write: bool = False) -> Family:
    family = get_object_or_404(Family.objects.visible_to(user).select_related("group__desa"), pk=pk)
    if write:
        require(can_write_registers(user))
    return family


def roster(request, group_id):
    group = get_group_for(request.user, group_id)
    query = request.GET.get("q", "").strip()
    today = timezone.localdate()
    bands = selectors.roster(group, on=today, query=query)
    context = {
        "group": group,
        "bands": bands,
        "query": query,
        "total": sum(len(band.children) for band in bands),
        "can_write": can_write_registers(request.user),
        "today": today,
    }
    template = "families/roster.html#results" if request.headers.get("X-Partial") else "families/roster.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def family_edit(request, group_id=None, pk=None):
    if pk:
        family = get_family_for(request.user, pk, write=True)
        group = family.group
    else:
        group = get_group_for(request.user, group_id, write=True)
        family = Family(group=group)
    data = request.POST or None
    form = FamilyForm(data, instance=family, group=group)
    children = ChildFormSet(data, instance=family, group=group, prefix="children")
    if request.method == "POST" and form.is_valid() and children.is_valid():
        family = services.family_save_with_children(family_form=form, child_formset=children)
        messages.success(request, _("Keluarga ibu %(name)s tersimpan.") % {"name": family.mother_name})
        return redirect("families:detail", pk=family.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "families/family_form.html",
        {"form": form, "children": children, "group": group, "family": family},
        status=status,
    )


def family_detail(request, pk):
    family = get_family_for(request.user, pk)
    today = timezone.localdate()
    children = list(family.children.all())
    for child in children:
        child.months = child.age_months(today)
        child.band = child.age_group(today)
    return render(
        request,
        "families/family_detail.html",
        {"family": family, "children": children, "can_write": can_write_registers(request.user)},
    )
