from django.contrib import admin

from families.models import Child, Family


class ChildInline(admin.TabularInline):
    model = Child
    extra = 0


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["mother_name", "group", "kk_number", "is_pus", "kb_method", "joined_on", "left_on"]
    list_filter = ["is_pus", "kb_method", "welfare_stage", "is_pkh", "stunting_risk"]
    search_fields = ["mother_name", "father_name", "mother_nik", "kk_number"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]
    inlines = [ChildInline]


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["name", "sex", "birth_date", "family"]
    search_fields = ["name", "nik", "family__mother_name"]
    list_select_related = ["family"]
    raw_id_fields = ["family"]
