from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from bkb import offline
from bkb.health import healthz
from cadres import views as cadres_views
from families import group_views
from groups.views import PasswordChange

urlpatterns = [
    path("", group_views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("masuk/ganti-sandi/", PasswordChange.as_view(), name="password_change"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch must work on the login page too.
    path("bahasa/", login_not_required(set_language), name="set_language"),
    path("kelompok/", include("families.group_urls")),
    path("kader/", include("cadres.urls")),
    path("riwayat-masuk/", cadres_views.login_history, name="login_history"),
    path("riwayat-masuk/buka/", cadres_views.login_unlock, name="login_unlock"),
    path("", include("families.urls")),
    path("", include("sessions.urls")),
    path("laporan/", include("reports.urls")),
    path("admin/", admin.site.urls),
    # At the root: a service worker looks after the pages under its own path only.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("luring/status/", offline.status, name="offline_status"),
    path("luring/", offline.fallback, name="offline_fallback"),
    path("belum-terkirim/", offline.unsent, name="offline_unsent"),
    # No trailing slash: load balancers are configured with /healthz and follow no redirect.
    path("healthz", healthz, name="healthz"),
]

# A parameter that cannot be read answers 400 with what was wrong, in the app's layout.
handler400 = "groups.views.bad_request"
