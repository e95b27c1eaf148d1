from django.contrib import admin

from cadres.admin import GroupScopedAdmin
from groups.admin import KeptReadOnly, ScopedAdmin
from groups.models import Area
from reports.models import AreaTarget, BatchPrint, Dhis2Mapping, GroupMonthFigures, MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(GroupScopedAdmin):
    list_display = ["group", "month", "version", "status", "is_late", "submitted_at", "reviewed_at"]
    list_filter = ["status", "is_late", "month"]
    list_select_related = ["group"]
    readonly_fields = ["snapshot"]
    raw_id_fields = ["group", "submitted_by", "reviewed_by", "replaces"]


@admin.register(BatchPrint)
class BatchPrintAdmin(ScopedAdmin):
    list_display = ["area", "month", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["area", "created_by"]

    def scope(self, request, queryset):
        return queryset.filter(area__in=Area.objects.visible_to(request.user))


@admin.register(GroupMonthFigures)
class GroupMonthFiguresAdmin(KeptReadOnly, GroupScopedAdmin):
    list_display = ["group", "month", "source", "stale", "computed_at", "sessions_held", "children_total"]
    list_filter = ["stale", "source", "month"]
    list_select_related = ["group"]


@admin.register(AreaTarget)
class AreaTargetAdmin(ScopedAdmin):
    """A kabupaten's targets: its admin sees and sets only her kabupaten's row.

    The area's choices are the kabupaten areas her AreaAdmin shows (ScopedAdmin.get_field_queryset
    with the field's limit to kabupaten level), so she can create the row for her kabupaten only.
    """

    list_display = ["area", "families_present", "kka_checked", "measured"]
    list_select_related = ["area"]

    def scope(self, request, queryset):
        return queryset.filter(area__in=Area.objects.visible_to(request.user))


@admin.register(Dhis2Mapping)
class Dhis2MappingAdmin(ScopedAdmin):
    """A kabupaten's DHIS2 mapping: its admin sees only her kabupaten's. She uploads it on the app's
    Pemetaan DHIS2 page (reports:dhis2), which checks every row; here it can be read or removed."""

    list_display = ["area", "data_set", "uploaded_by", "uploaded_at"]
    list_select_related = ["area", "uploaded_by"]
    readonly_fields = ["figures", "org_units", "uploaded_by", "uploaded_at"]

    def scope(self, request, queryset):
        return queryset.filter(area__in=Area.objects.visible_to(request.user))
