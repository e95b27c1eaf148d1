from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.admin import GroupScopedAdmin
from families.instruments import instrument_activate, load_instrument
from families.kka import children_to_reassess
from families.models import (
    Child,
    Family,
    FamilyImport,
    Instrument,
    KkaCheck,
    Measurement,
    Milestone,
    MilestoneRecord,
    MilestoneRecordRemoval,
    Referral,
)
from groups.admin import ScopedAdmin, ScopedInline

# Everything of a child is scoped by her family's group.
BY_CHILD = "child__family__group"


class ChildInline(ScopedInline, admin.TabularInline):
    model = Child
    extra = 0


@admin.register(Family)
class FamilyAdmin(GroupScopedAdmin):
    list_display = ["mother_name", "group", "kk_number", "is_pus", "kb_method", "joined_on", "left_on"]
    list_filter = ["is_pus", "kb_method", "welfare_stage", "is_pkh", "stunting_risk"]
    search_fields = ["mother_name", "father_name", "mother_nik", "kk_number"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]
    inlines = [ChildInline]


@admin.register(Child)
class ChildAdmin(GroupScopedAdmin):
    group_path = "family__group"
    list_display = ["name", "sex", "birth_date", "family"]
    search_fields = ["name", "nik", "family__mother_name"]
    list_select_related = ["family"]
    raw_id_fields = ["family"]


class MilestoneInline(ScopedInline, admin.TabularInline):
    national = True
    model = Milestone
    extra = 0
    fields = ["code", "band_start_month", "band_end_month", "aspect", "text_id", "text_en"]


class InstrumentUploadForm(forms.Form):
    name = forms.CharField(label=_("Nama instrumen"), max_length=160)
    source = forms.CharField(label=_("Sumber"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label=_("Berkas CSV"),
        help_text=_("Kolom: code, band_start_month, band_end_month, aspect, text_id, text_en (UTF-8)."),
    )
    activate = forms.BooleanField(
        label=_("Jadikan instrumen yang dipakai"),
        required=False,
        help_text=_("Setelah dimuat, Anda melihat dulu berapa anak yang menjadi belum dinilai, lalu mengonfirmasi."),
    )


@admin.register(Instrument)
class InstrumentAdmin(ScopedAdmin):
    # Switching the instrument changes every kabupaten's KKA: a superuser's decision.
    national = True
    list_display = ["name", "active", "milestone_count", "created_at"]
    readonly_fields = ["active", "created_at"]
    actions = ["make_active"]
    inlines = [MilestoneInline]
    change_list_template = "families/admin_instrument_changelist.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(milestone_total=Count("milestones"))

    @admin.display(description=_("jumlah tugas"), ordering="milestone_total")
    def milestone_count(self, obj):
        return obj.milestone_total

    @admin.action(description=_("Jadikan instrumen yang dipakai"), permissions=["change"])
    def make_active(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Pilih tepat satu instrumen."), messages.ERROR)
            return None
        # Switching changes every child's KKA: say what will happen, then confirm.
        return redirect("admin:families_instrument_activate", pk=chosen[0].pk)

    def get_urls(self):
        upload = path("muat/", self.admin_site.admin_view(self.upload_view), name="families_instrument_upload")
        activate = path(
            "<int:pk>/pakai/", self.admin_site.admin_view(self.activate_view), name="families_instrument_activate"
        )
        return [upload, activate, *super().get_urls()]

    def activate_view(self, request, pk):
        """The confirmation step of switching instruments: how many children become belum dinilai."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        instrument = get_object_or_404(Instrument, pk=pk)
        today = timezone.localdate()
        if request.method == "POST" and not instrument.active:
            instrument_activate(instrument)
            self.message_user(
                request,
                _("Instrumen '%(name)s' dipakai: %(n)s anak belum dinilai sampai diperiksa dengan instrumen ini.")
                % {"name": instrument.name, "n": children_to_reassess(instrument, today)},
            )
            return redirect("admin:families_instrument_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "instrument": instrument,
            "current": Instrument.objects.filter(active=True).first(),
            "to_reassess": children_to_reassess(instrument, today),
            "children": Child.objects.in_programme_on(today).count(),
            "title": _("Ganti instrumen KKA yang dipakai"),
        }
        return render(request, "families/admin_instrument_activate.html", context)

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InstrumentUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                instrument = load_instrument(
                    form.cleaned_data["file"], name=form.cleaned_data["name"], source=form.cleaned_data["source"]
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                self.message_user(
                    request,
                    _("Instrumen '%(name)s' dimuat: %(n)s tugas.")
                    % {"name": instrument.name, "n": instrument.milestones.count()},
                )
                if form.cleaned_data["activate"]:
                    return redirect("admin:families_instrument_activate", pk=instrument.pk)
                return redirect("admin:families_instrument_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Muat instrumen dari CSV"),
        }
        return render(request, "families/admin_instrument_upload.html", context)


@admin.register(MilestoneRecord)
class MilestoneRecordAdmin(GroupScopedAdmin):
    group_path = BY_CHILD
    list_display = ["child", "milestone", "achieved_on", "recorded_at"]
    raw_id_fields = ["child", "milestone", "session", "recorded_by"]
    list_select_related = ["child", "milestone"]


@admin.register(KkaCheck)
class KkaCheckAdmin(GroupScopedAdmin):
    group_path = BY_CHILD
    list_display = ["child", "date", "instrument", "checked_by", "session"]
    list_filter = ["instrument"]
    raw_id_fields = ["child", "checked_by", "session", "home_visit"]
    list_select_related = ["child", "instrument", "checked_by", "session"]
    date_hierarchy = "date"


@admin.register(MilestoneRecordRemoval)
class MilestoneRecordRemovalAdmin(GroupScopedAdmin):
    """The history of un-marked tasks: read only."""

    group_path = BY_CHILD
    list_display = ["child", "milestone", "achieved_on", "removed_by", "removed_at"]
    list_select_related = ["child", "milestone", "removed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FamilyImport)
class FamilyImportAdmin(GroupScopedAdmin):
    """Spreadsheets uploaded into a group's register: who, when, and what they wrote. Read only:
    an import is made and confirmed on the group's own pages."""

    list_display = ["filename", "group", "uploaded_by", "uploaded_at", "imported_at"]
    list_select_related = ["group", "uploaded_by"]
    exclude = ["content"]
    readonly_fields = ["group", "uploaded_by", "filename", "uploaded_at", "imported_at", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Measurement)
class MeasurementAdmin(GroupScopedAdmin):
    group_path = BY_CHILD
    list_display = ["child", "date", "weight_kg", "height_cm", "position", "haz", "waz", "whz"]
    raw_id_fields = ["child", "session", "recorded_by"]
    list_select_related = ["child"]
    readonly_fields = ["haz", "waz", "whz", "baz"]

    def has_add_permission(self, request):
        # z-scores are computed by families.measurements.measurement_record only.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(GroupScopedAdmin):
    group_path = BY_CHILD
    list_display = ["child", "date", "referred_to", "closed_on"]
    raw_id_fields = ["child", "created_by"]
    list_select_related = ["child"]


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdmin):
    national = True
    list_display = ["code", "instrument", "band_start_month", "band_end_month", "aspect", "text_id"]
    list_filter = ["instrument", "aspect"]
    search_fields = ["code", "text_id", "text_en"]
    list_select_related = ["instrument"]
