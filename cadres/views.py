"""Cadre pages: profile with roles and training, add/edit within a group; the admin's login history."""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Sum, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bkb.lib import history
from cadres import selectors, services
from cadres.access import (
    can_keep_group_books,
    get_cadre_for,
    get_group_for,
    groups_visible_to,
    require,
    users_visible_to,
)
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


LOGINS_PER_PAGE = 50


def login_history(request):
    """Riwayat masuk: the logins and failed attempts of the accounts the admin answers for."""
    require(request.user.is_bkb_admin)
    usernames = users_visible_to(request.user).values("username")
    fields = ("attempt_time", "username", "ip_address", "user_agent")
    succeeded = AccessLog.objects.filter(username__in=usernames).values(*fields, success=Value(True))
    failed = AccessFailureLog.objects.filter(username__in=usernames).values(*fields, success=Value(False))
    attempts = succeeded.union(failed, all=True).order_by("-attempt_time")
    page = Paginator(attempts, LOGINS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(request, "cadres/login_history.html", {"page": page, "locked": _locked(usernames)})


def _locked(usernames):
    """Her people's accounts locked now by wrong passwords (django-axes' counts), to unlock by hand."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    # axes keeps a row per account and address: the account's failures are their sum.
    return list(
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
        .values_list("username", flat=True)
    )


@require_POST
def login_unlock(request):
    """The admin unlocks an account of hers before its 30 minutes are up (the lock message sends people to her)."""
    require(request.user.is_bkb_admin)
    username = request.POST.get("username", "")
    user = get_object_or_404(users_visible_to(request.user), username=username)
    AccessAttempt.objects.filter(username=user.username).delete()
    messages.success(request, _("Akun %(name)s dibuka; ia bisa masuk lagi.") % {"name": user.username})
    return redirect("login_history")
