"""Importing a group's families from a spreadsheet: the template, the upload, the preview and the confirm.

The rules are families.imports'; these pages only carry the file between the steps.
"""

import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bkb.lib import sheets
from cadres.access import get_group_for
from families import imports, spreadsheet
from families.models import FamilyImport
from groups import once

# An upload nobody confirmed is dropped after this long.
KEEP_UPLOADS = datetime.timedelta(days=7)
# The preview lists this many problems; the rest are counted.
SHOWN_PROBLEMS = 300


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas .xlsx atau .csv"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content, self.table = sheets.read_upload(upload)
        except sheets.SheetError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def template_download(request, pk, fmt):
    get_group_for(request.user, pk, write=True)
    return sheets.response(spreadsheet.template_sheets(), "templat-keluarga-bkb", fmt)


@require_http_methods(["GET", "POST"])
@once.guard
def family_import(request, pk):
    group = get_group_for(request.user, pk, write=True)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        FamilyImport.objects.filter(
            uploaded_by=request.user, imported_at__isnull=True, uploaded_at__lt=timezone.now() - KEEP_UPLOADS
        ).delete()
        upload = FamilyImport.objects.create(
            group=group,
            uploaded_by=request.user,
            filename=form.cleaned_data["file"].name[:200],
            content=form.content,
        )
        target = reverse("groups:import_preview", args=[group.pk, upload.pk])
        once.record(request, target)
        return redirect(target)
    recent = FamilyImport.objects.filter(group=group, imported_at__isnull=False).select_related("uploaded_by")[:5]
    return render(
        request,
        "families/import.html",
        {"group": group, "form": form, "recent": recent},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@once.guard
def import_preview(request, pk, upload_id):
    group = get_group_for(request.user, pk, write=True)
    # Anyone who keeps the group's register may finish an import: the admin helping a cadre, say.
    # The file and whether it is imported in one read: a confirm committing in between empties the file.
    upload = get_object_or_404(FamilyImport, pk=upload_id, group=group)
    try:
        if upload.imported_at:
            raise sheets.SheetError(_("Berkas ini sudah diimpor."))
        table = sheets.read_table(bytes(upload.content), upload.filename)
    except sheets.SheetError:
        messages.info(request, _("Berkas ini sudah diimpor."))
        return redirect("sessions:roster", group.pk)
    status = 200
    if request.method == "POST":
        try:
            done = _confirm(request, group, upload, table)
        except imports.Refused as refused:
            plan, status = refused.plan, 400
            if refused.message:
                messages.error(request, refused.message)
        else:
            summary = done.summary()
            messages.success(
                request,
                _(
                    "Impor selesai: %(fn)s keluarga baru, %(fc)s keluarga diperbarui, %(cn)s anak baru, "
                    "%(cc)s anak diperbarui, %(fs)s keluarga tidak berubah."
                )
                % {
                    "fn": summary["families_new"],
                    "fc": summary["families_changed"],
                    "cn": summary["children_new"],
                    "cc": summary["children_changed"],
                    "fs": summary["families_same"],
                },
            )
            return redirect("sessions:roster", group.pk)
    else:
        plan = imports.plan(group, request.user, table)
    return render(
        request,
        "families/import_preview.html",
        {
            "group": group,
            "upload": upload,
            "plan": plan,
            "problems": plan.problems[:SHOWN_PROBLEMS],
            "more_problems": max(0, len(plan.problems) - SHOWN_PROBLEMS),
            "new": [family for family in plan.families if family.outcome == "new"],
            "changed": [family for family in plan.families if family.outcome == "changed"],
        },
        status=status,
    )


@transaction.atomic
def _confirm(request, group, upload, table) -> imports.Plan:
    """Write the file and mark it imported, together; a second confirm finds it imported."""
    locked = FamilyImport.objects.select_for_update().defer("content").get(pk=upload.pk)
    if locked.imported_at:
        raise imports.Refused(imports.plan(group, request.user, table), _("Berkas ini sudah diimpor."))
    done = imports.apply(group, request.user, table)
    locked.imported_at = timezone.now()
    locked.summary = done.summary()
    locked.content = b""
    locked.save(update_fields=["imported_at", "summary", "content"])
    once.record(request, reverse("sessions:roster", args=[group.pk]))
    return done
