"""django-axes's login records in the Django admin, for superusers only.

Registered from GroupsConfig.ready (AXES_ENABLE_ADMIN is off) rather than in groups/admin.py,
which holds the scoped admins of our own models.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class SuperuserOnly:
    """Login records name every account of every kabupaten: only a superuser sees them here.
    A kabupaten admin reads her own people's logins on the app's "Riwayat masuk" page."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting an attempt is how a superuser unlocks an account or client.
        return self.has_module_permission(request) and self.model is AccessAttempt


@admin.register(AccessAttempt)
class LoginAttemptAdmin(SuperuserOnly, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class LoginLogAdmin(SuperuserOnly, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(SuperuserOnly, AccessFailureLogAdmin):
    pass
