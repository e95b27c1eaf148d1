from django.contrib import admin

from cadres.models import Cadre, CadreRole, SupervisionVisit, Training


class CadreRoleInline(admin.TabularInline):
    model = CadreRole
    extra = 0
    raw_id_fields = ["group"]


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "sex", "education", "date_joined", "active"]
    list_filter = ["active", "sex", "education"]
    search_fields = ["name", "nik", "phone"]
    raw_id_fields = ["user"]
    inlines = [CadreRoleInline, TrainingInline]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ["cadre", "kind", "date", "organiser"]
    list_filter = ["kind"]
    list_select_related = ["cadre"]


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(admin.ModelAdmin):
    list_display = ["group", "supervisor", "date"]
    list_select_related = ["group", "supervisor"]
    raw_id_fields = ["group"]


@admin.register(CadreRole)
class CadreRoleAdmin(admin.ModelAdmin):
    list_display = ["cadre", "group", "role", "age_group", "started_on", "ended_on"]
    list_filter = ["role", "age_group"]
    list_select_related = ["cadre", "group"]
    raw_id_fields = ["cadre", "group"]
