"""Group pages: the list and detail for supervisors and admins, edits for admins.

They show the group's families and cadres, so they live in the first app that
knows both; their URL namespace is still "groups" (families/group_urls.py).
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bkb.lib import sheets
from bkb.lib.months import Month
from cadres import services as cadre_services
from cadres.access import can_keep_group_books, get_group_for, groups_visible_to, require
from cadres.forms import SupervisionVisitForm
from cadres.models import SupervisionVisit
from families import exports
from families.models import Family, in_programme_q, member_on_q
from groups import once
from groups.access import can_edit_groups, can_record_supervision, can_write_registers
from groups.forms import BkbGroupForm


def home(request):
    groups = groups_visible_to(request.user)
    if request.user.is_cadre:
        ids = list(groups.values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            # Her month's tasks first; the roster is a tap away from there.
            return redirect("reports:tasks", group_id=ids[0])
        return redirect("groups:list")
    return redirect("reports:dashboard")


def group_list(request):
    today = timezone.localdate()
    groups = (
        groups_visible_to(request.user)
        .select_related("desa__parent")
        .annotate(
            family_count=Count("families", filter=member_on_q(today, "families__"), distinct=True),
            child_count=Count(
                "families__children", filter=in_programme_q(today, "families__children__"), distinct=True
            ),
            cadre_count=Count(
                "cadre_roles__cadre",
                filter=Q(cadre_roles__cadre__active=True, cadre_roles__ended_on__isnull=True),
                distinct=True,
            ),
        )
        .order_by("desa__parent__name", "desa__name", "name")
    )
    return render(
        request, "groups/group_list.html", {"groups": groups, "can_edit_groups": can_edit_groups(request.user)}
    )


def group_detail(request, pk):
    group = get_group_for(request.user, pk)
    today = timezone.localdate()
    # The cadres export lists the same people with the same roles.
    cadres = exports.serving_cadres(group)
    roles_by_cadre = exports.current_roles(group)
    cadre_rows = [(cadre, roles_by_cadre.get(cadre.pk, []), cadre.is_new(today)) for cadre in cadres]
    active = [row for row in cadre_rows if row[0].active]
    stats = {
        "cadres": len(active),
        "trained": sum(1 for cadre, _roles, _new in active if cadre.is_trained),
        "new": sum(1 for _cadre, _roles, new in active if new),
        "families": Family.objects.filter(group=group).members_on(today).count(),
    }
    visits = SupervisionVisit.objects.filter(group=group).select_related("supervisor")[:5]
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "cadre_rows": cadre_rows,
            "stats": stats,
            "visits": visits,
            "last_month": str(Month.of(today).previous()),
            "can_manage_cadres": can_keep_group_books(request.user, group),
            "can_edit_group": can_edit_groups(request.user),
            "can_write": can_write_registers(request.user),
            "can_record_visit": can_record_supervision(request.user),
        },
    )


@require_GET
def register_export(request, pk, table, fmt):
    """One of the group's registers (exports.REGISTER_TABLES) as .xlsx or .csv, to whoever sees the group."""
    builder = exports.REGISTER_TABLES.get(table)
    if builder is None:
        raise Http404
    group = get_group_for(request.user, pk)
    today = timezone.localdate()
    filename = f"{table}-{slugify(group.name) or 'kelompok'}-{group.pk}-{today.isoformat()}"
    return sheets.response([builder(group, today)], filename, fmt)


@require_http_methods(["GET", "POST"])
@once.guard
def group_edit(request, pk=None):
    require(can_edit_groups(request.user))
    group = get_group_for(request.user, pk) if pk else None
    form = BkbGroupForm(request.POST or None, instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        once.record(request, reverse("groups:detail", args=[group.pk]))
        messages.success(request, _("Data kelompok %(name)s tersimpan.") % {"name": group.name})
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/group_form.html", {"form": form, "group": group})


@require_http_methods(["GET", "POST"])
@once.guard
def supervision_visit_create(request, pk):
    group = get_group_for(request.user, pk)
    require(can_record_supervision(request.user))
    form = SupervisionVisitForm(
        request.POST or None,
        instance=SupervisionVisit(group=group, supervisor=request.user),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        cadre_services.supervision_visit_record(group=group, supervisor=request.user, **form.cleaned_data)
        once.record(request, reverse("groups:detail", args=[group.pk]))
        messages.success(request, _("Kunjungan pembinaan tersimpan."))
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/visit_form.html", {"form": form, "group": group})
