"""Cadre pages: profile with roles and training, add/edit within a group."""

from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bkb.lib import history
from cadres import selectors, services
from cadres.access import can_keep_group_books, get_cadre_for, get_group_for, groups_visible_to, require
from cadres.forms import CadreForm, RoleFormSet, TrainingForm
from cadres.models import Cadre, Training
from groups import once


def _detail_context(user, cadre: Cadre, training_form: TrainingForm) -> dict:
    # Open roles first, then the ended ones: what she does now, then what she did.
    roles = list(
        cadre.roles.select_related("group")
        .filter(group__in=get_group_ids(user))
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )
    edit_group = roles[0].group if roles else None
    return {
        "cadre": cadre,
        "roles": roles,
        "trainings": cadre.trainings.all(),
        "training_form": training_form,
        "edit_group": edit_group if edit_group and can_keep_group_books(user, edit_group) else None,
        **history.page_context(selectors.cadre_history(cadre, user)),
    }


def cadre_detail(request, pk):
    cadre = get_cadre_for(request.user, pk)
    return render(request, "cadres/cadre_detail.html", _detail_context(request.user, cadre, TrainingForm()))


def get_group_ids(user):
    return groups_visible_to(user).values("pk")


@require_http_methods(["GET", "POST"])
@once.guard
def cadre_edit(request, group_id, pk=None):
    group = get_group_for(request.user, group_id, write=True)
    # Who is a cadre, and in which role, is the chair's register (or an admin's):
    # another cadre could otherwise make herself ketua or switch a colleague off.
    require(can_keep_group_books(request.user, group))
    # Edit a cadre through a group they serve, so roles land in the right group.
    cadre = get_object_or_404(Cadre.objects.filter(roles__group=group).distinct(), pk=pk) if pk else Cadre()
    form = CadreForm(request.POST or None, instance=cadre)
    roles = RoleFormSet(request.POST or None, instance=cadre, group=group, prefix="roles")
    if request.method == "POST" and form.is_valid() and roles.is_valid():
        roles.save(commit=False)  # sorts the roles into new, changed and deleted; writes nothing
        cadre = services.cadre_save(
            cadre=form.save(commit=False),
            group=group,
            on=timezone.localdate(),
            new_roles=roles.new_objects,
            changed_roles=[role for role, _fields in roles.changed_objects],
            removed_roles=roles.deleted_objects,
        )
        once.record(request, reverse("groups:detail", args=[group.pk]))
        messages.success(request, _("Data kader %(name)s tersimpan.") % {"name": cadre.name})
        return redirect("groups:detail", pk=group.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "roles": roles, "group": group, "cadre": cadre})


@require_http_methods(["POST"])
@once.guard
def training_create(request, pk):
    # Supervisors may record training too: the PKB/PLKB is often the one who ran it.
    cadre = get_cadre_for(request.user, pk)
    form = TrainingForm(request.POST, instance=Training(cadre=cadre))
    if form.is_valid():
        services.training_record(cadre=cadre, **form.cleaned_data)
        once.record(request, reverse("cadres:detail", args=[cadre.pk]))
        messages.success(request, _("Pelatihan tercatat."))
        return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/cadre_detail.html", _detail_context(request.user, cadre, form), status=400)
