"""The error page for a request whose parameters cannot be read; the login's lockout and password pages.

Group pages show registers and cadres, so they live above this app, in
families/group_views.py (URL namespace "groups").
"""

from axes.helpers import get_cool_off
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, BadRequest
from django.forms.utils import ErrorDict
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _


def bad_request(request, exception=None):
    # Only our own BadRequest messages are meant for people; others (too many fields, a bad host) are not.
    message = str(exception.args[0]) if isinstance(exception, BadRequest) and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)


def login_locked(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with why it refuses, instead of a bare 403.

    The form is bound to what was typed but not validated: validating would ask axes again
    and count one more failure.
    """
    minutes = int(get_cool_off(request).total_seconds() // 60)
    message = _(
        "Terlalu banyak percobaan masuk yang gagal. Akun ini atau perangkat ini dikunci selama "
        "%(minutes)s menit. Coba lagi nanti, atau minta admin Anda membukanya."
    ) % {"minutes": minutes}
    if request.path.startswith(reverse("admin:login")):
        form = AdminAuthenticationForm(request, data=request.POST)
        template, context = "admin/login.html", {**admin.site.each_context(request), "title": _("Masuk")}
    else:
        form = AuthenticationForm(request, data=request.POST)
        template, context = "registration/login.html", {}
    form._errors = ErrorDict({NON_FIELD_ERRORS: form.error_class([message])})
    form.cleaned_data = {}
    context.update(form=form, next=request.POST.get("next", ""), app_path=request.get_full_path())
    return render(request, template, context, status=429)


class PasswordChange(auth_views.PasswordChangeView):
    """The first-login change (and any later one); clears `must_change_password`."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)
        messages.success(self.request, _("Kata sandi sudah diganti."))
        return response
