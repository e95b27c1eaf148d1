"""Cadres' admin, and the admins of groups' models that need the scope rule (cadres.access).

`GroupScopedAdmin` is the ScopedAdmin of everything that hangs from a BKB group: it says
the way to the group (`group_path`) and the group scope is `groups_visible_to`'s.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cadres.access import cadres_visible_to, groups_visible_to, users_visible_to
from cadres.models import Cadre, CadreRole, SupervisionVisit, Training
from groups.admin import ScopedAdmin, ScopedInline
from groups.models import BkbGroup, SubmitToken, User


class GroupScopedAdmin(ScopedAdmin):
    # The lookup from the admin's model to its group ("child__family__group").
    group_path = "group"

    def scope(self, request, queryset):
        return queryset.filter(**{f"{self.group_path}__in": groups_visible_to(request.user)})


@admin.register(BkbGroup)
class BkbGroupAdmin(ScopedAdmin):
    list_display = ["name", "desa", "rw", "stratum", "integration", "has_ape_kit", "active"]
    list_filter = ["stratum", "integration", "has_ape_kit", "active"]
    search_fields = ["name", "desa__name"]
    list_select_related = ["desa"]

    def scope(self, request, queryset):
        return groups_visible_to(request.user, queryset)


# What only a superuser sets on an account: superuser and staff status, Django's own groups and permissions.
SUPERUSER_FIELDS = {"is_superuser", "is_staff", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (("BKB", {"fields": ["role", "areas", "phone"]}),)
    # A new account gets its role and areas at once: without an area inside hers, the
    # kabupaten admin who made it could not see it on the next page.
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "role", "areas"),
            },
        ),
    )
    filter_horizontal = ["areas", "groups", "user_permissions"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=users_visible_to(request.user))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in SUPERUSER_FIELDS]})
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_superuser or "areas" not in form.base_fields:
            return form
        # The choices are her own areas (ScopedAdmin), and an account she makes or keeps needs one:
        # an admin without areas sees every kabupaten, and anyone else would leave her scope. Only an
        # existing cadre's account may have none, as her groups' roles keep it in scope.
        form.base_fields["areas"].help_text = _("Wilayah di dalam wilayah tugas Anda. Wajib untuk akun baru.")
        adding = obj is None

        class InHerAreas(form):
            def clean(self):
                cleaned = super().clean()
                if not cleaned.get("areas") and (adding or cleaned.get("role") != User.Role.CADRE):
                    self.add_error("areas", _("Pilih wilayah tugasnya di dalam wilayah Anda."))
                return cleaned

        return InHerAreas

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # Staff status follows the role: an admin uses this site, a supervisor or cadre does not.
            obj.is_staff = obj.role == User.Role.ADMIN
        if not change:
            # The admin chose this password: its owner picks their own at first login.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and str(request.user.pk) != str(id):
            # A password set by someone else is known to them: its owner replaces it at next login.
            User.objects.filter(pk=id).update(must_change_password=True)
        return response


@admin.register(SubmitToken)
class SubmitTokenAdmin(ScopedAdmin):
    """Read-only: which form was saved once, by whom, and where it went."""

    list_display = ["token", "user", "url", "used_at"]
    list_select_related = ["user"]
    search_fields = ["token", "user__username"]

    def scope(self, request, queryset):
        return queryset.filter(user__in=users_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CadreRoleInline(ScopedInline, admin.TabularInline):
    model = CadreRole
    extra = 0
    raw_id_fields = ["group"]


class TrainingInline(ScopedInline, admin.TabularInline):
    model = Training
    extra = 0


@admin.register(Cadre)
class CadreAdmin(ScopedAdmin):
    list_display = ["name", "phone", "sex", "education", "date_joined", "active"]
    list_filter = ["active", "sex", "education"]
    search_fields = ["name", "nik", "phone"]
    raw_id_fields = ["user"]
    inlines = [CadreRoleInline, TrainingInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=cadres_visible_to(request.user))


@admin.register(Training)
class TrainingAdmin(ScopedAdmin):
    list_display = ["cadre", "kind", "date", "organiser"]
    list_filter = ["kind"]
    list_select_related = ["cadre"]

    def scope(self, request, queryset):
        return queryset.filter(cadre__in=cadres_visible_to(request.user))


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(GroupScopedAdmin):
    list_display = ["group", "supervisor", "date"]
    list_select_related = ["group", "supervisor"]
    raw_id_fields = ["group"]


@admin.register(CadreRole)
class CadreRoleAdmin(GroupScopedAdmin):
    list_display = ["cadre", "group", "role", "age_group", "started_on", "ended_on"]
    list_filter = ["role", "age_group"]
    list_select_related = ["cadre", "group"]
    raw_id_fields = ["cadre", "group"]
