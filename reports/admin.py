from django.contrib import admin

from groups.admin import KeptReadOnly
from reports.models import BatchPrint, GroupMonthFigures, MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["group", "month", "version", "status", "is_late", "submitted_at", "reviewed_at"]
    list_filter = ["status", "is_late", "month"]
    list_select_related = ["group"]
    readonly_fields = ["snapshot"]
    raw_id_fields = ["group", "submitted_by", "reviewed_by", "replaces"]


@admin.register(BatchPrint)
class BatchPrintAdmin(admin.ModelAdmin):
    list_display = ["area", "month", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["area", "created_by"]


@admin.register(GroupMonthFigures)
class GroupMonthFiguresAdmin(KeptReadOnly):
    list_display = ["group", "month", "source", "stale", "computed_at", "sessions_held", "children_total"]
    list_filter = ["stale", "source", "month"]
    list_select_related = ["group"]
