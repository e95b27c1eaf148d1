from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from groups.models import Area, BkbGroup, Office, SubmitToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (("BKB", {"fields": ["role", "areas", "phone"]}),)
    filter_horizontal = ["areas", "groups", "user_permissions"]

    def save_model(self, request, obj, form, change):
        # The admin chose this password: its owner picks their own at first login.
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "code"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]


@admin.register(BkbGroup)
class BkbGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "desa", "rw", "stratum", "integration", "has_ape_kit", "active"]
    list_filter = ["stratum", "integration", "has_ape_kit", "active"]
    search_fields = ["name", "desa__name"]
    list_select_related = ["desa"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "kabupaten", "signer_name", "signer_title"]
    search_fields = ["name", "kabupaten__name", "signer_name"]
    list_select_related = ["kabupaten"]


@admin.register(SubmitToken)
class SubmitTokenAdmin(admin.ModelAdmin):
    """Read-only: which form was saved once, by whom, and where it went."""

    list_display = ["token", "user", "url", "used_at"]
    list_select_related = ["user"]
    search_fields = ["token", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KeptReadOnly(admin.ModelAdmin):
    """Kept figures are written only by their refresh (reports.kept): the admin may look, not edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
