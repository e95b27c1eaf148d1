from django.contrib import admin

from cadres.admin import GroupScopedAdmin
from groups.admin import KeptReadOnly, ScopedAdmin, ScopedInline
from sessions.models import Attendance, ChildStatus, CoachingSession, HomeVisit, KeptState, SessionCadre, Topic


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    national = True
    list_display = ["name", "name_en", "active", "order"]
    list_editable = ["name_en", "active", "order"]
    search_fields = ["name", "name_en"]


class SessionCadreInline(ScopedInline, admin.TabularInline):
    model = SessionCadre
    extra = 0
    raw_id_fields = ["cadre"]


class AttendanceInline(ScopedInline, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["family", "child"]


@admin.register(CoachingSession)
class CoachingSessionAdmin(GroupScopedAdmin):
    list_display = ["date", "group", "topic", "age_groups", "place"]
    list_filter = ["topic", "date"]
    search_fields = ["group__name", "place", "notes"]
    date_hierarchy = "date"
    list_select_related = ["group", "topic"]
    raw_id_fields = ["group", "created_by"]
    inlines = [SessionCadreInline, AttendanceInline]


class ChangesItsSession:
    """A cadre or attendance row changed on its own admin page changes its session: the
    session is saved too, so its version moves and an edit form opened before is caught as
    stale (sessions.services.session_save). On the session's own page the session is saved anyway."""

    def save_model(self, request, obj, form, change):
        before = form.initial.get("session") if change else None
        super().save_model(request, obj, form, change)
        _sessions_changed({obj.session_id, before})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _sessions_changed({obj.session_id})

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("session_id", flat=True))
        super().delete_queryset(request, queryset)
        _sessions_changed(ids)


def _sessions_changed(ids) -> None:
    for session in CoachingSession.objects.filter(pk__in=[pk for pk in ids if pk]):
        session.save(update_fields=["updated_at"])  # auto_now, and a history row naming the admin


@admin.register(SessionCadre)
class SessionCadreAdmin(ChangesItsSession, GroupScopedAdmin):
    group_path = "session__group"
    list_display = ["session", "cadre", "role"]
    list_select_related = ["session__group", "cadre"]
    raw_id_fields = ["session", "cadre"]


@admin.register(Attendance)
class AttendanceAdmin(ChangesItsSession, GroupScopedAdmin):
    group_path = "session__group"
    list_display = ["session", "family", "child", "attendee"]
    list_select_related = ["session__group", "family", "child"]
    raw_id_fields = ["session", "family", "child"]


@admin.register(HomeVisit)
class HomeVisitAdmin(GroupScopedAdmin):
    group_path = "family__group"
    list_display = ["family", "date", "met", "visited_by"]
    list_filter = ["met", "date"]
    search_fields = ["family__mother_name", "note"]
    list_select_related = ["family", "visited_by"]
    raw_id_fields = ["family", "visited_by"]


@admin.register(KeptState)
class KeptStateAdmin(KeptReadOnly, GroupScopedAdmin):
    list_display = ["group", "version", "children_version", "children_on", "children_at", "queued"]
    list_select_related = ["group"]


@admin.register(ChildStatus)
class ChildStatusAdmin(KeptReadOnly, GroupScopedAdmin):
    list_display = ["child", "group", "kka_status", "kka_referred", "latest_measured_on", "seen_this_month"]
    list_filter = ["kka_status", "seen_this_month", "referral_open"]
    list_select_related = ["child", "group"]
