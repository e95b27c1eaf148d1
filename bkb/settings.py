"""BKB settings: one file, driven by the environment.

DATABASE_URL picks the database (a SQLite file when unset, so `make run` needs
nothing installed); SECRET_KEY, DEBUG and ALLOWED_HOSTS follow the usual rules.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Parse postgres://user:pass@host:port/name or sqlite:///path.

    Small enough not to warrant a dependency; fails loudly on anything else.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or BASE_DIR / "db.sqlite3"}
    if parts.scheme in ("postgres", "postgresql"):
        # JIT off: it spent about 3 s compiling the area queries and never paid that back
        # on ours (bench/NOTES.md); a URL's own ?options= wins.
        options = {"options": "-c jit=off"}
        options.update({key: values[-1] for key, values in parse_qs(parts.query).items()})
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A known key would let anyone forge sessions and password-reset links.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production sets it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
            "development runs with DEBUG=true, which uses a fixed key."
        )
    SECRET_KEY = "dev-only-insecure-key-change-me"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    # Change history of the registers (who, when, which request, before and after): bkb/lib/history.py.
    "simple_history",
    "axes",
    "groups",
    "cadres",
    "families",
    "sessions.apps.CoachingConfig",
    "reports",
    # Demo and scale data: `seed_demo` for `make run`, `seed_scale` for `make bench`.
    "devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before WhiteNoise, so static files that have no pre-compressed copy (no
    # collectstatic: `make run`, the tests) are compressed too; it leaves
    # WhiteNoise's .br/.gz answers alone.
    "django.middleware.gzip.GZipMiddleware",
    # Outside CSRF and login, so a replayed save's every answer is read for the phone's outbox.
    "bkb.offline.OutboxMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bkb.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Lends the request to the change history (its user, IP and path).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "groups.middleware.PasswordChangeRequiredMiddleware",
    # Last, as axes asks: it turns a lockout raised during login into AXES_LOCKOUT_CALLABLE's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bkb.urls"
WSGI_APPLICATION = "bkb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "groups.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or client is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "bkb.lib.validators.LocalCommonPasswordValidator"},
]

# Login throttling (django-axes): failures are counted in the database, so the lock holds
# across gunicorn workers. Five wrong passwords for one account, or from one client, lock
# that account or client for 30 minutes; the two rules are apart so either trips it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "groups.views.login_locked"
# Its admin pages are registered in groups/login_admin.py, for superusers only.
AXES_ENABLE_ADMIN = False
# The client's address: REMOTE_ADDR unless BKB_PROXY_COUNT says how many reverse proxies
# stand in front and append to X-Forwarded-For; then the address the outermost of them saw
# (right-most, so a client cannot choose its own address by sending the header).
BKB_PROXY_COUNT = int(os.environ.get("BKB_PROXY_COUNT", "0") or 0)
if BKB_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_PROXY_COUNT = BKB_PROXY_COUNT
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production runs collectstatic and gets hashed, pre-compressed files;
        # the demo and the tests serve straight from static/ without that step.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("BKB_STATIC_MANIFEST", False)
            else "bkb.storage.VersionedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not envbool("BKB_STATIC_MANIFEST", False)
# Every static URL changes with its content (hashed name, or ?v= in bkb.storage),
# so browsers keep files for a year in every mode, DEBUG included.
WHITENOISE_MAX_AGE = 365 * 24 * 60 * 60
# collectstatic's target, only where it is used (WhiteNoise warns about a missing one).
STATIC_ROOT = BASE_DIR / "staticfiles" if envbool("BKB_STATIC_MANIFEST", False) else None
MEDIA_ROOT = BASE_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # cadres share phones less than they lose signal
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Django's page, marked for the offline outbox (a stale token is retried, not refused).
CSRF_FAILURE_VIEW = "bkb.offline.csrf_failure"

# SQLite (the demo) cannot enforce UniqueConstraint(nulls_distinct=False);
# PostgreSQL does, and the cadre role form checks the same rule.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# --- Deployment (README "Run it for real"): HTTPS, cookies, HSTS, Content Security Policy ---
# Secure by default outside DEBUG; BKB_HTTPS=false only for plain-HTTP runs (tests, bench).
BKB_HTTPS = envbool("BKB_HTTPS", not DEBUG)
if envbool("BKB_BEHIND_PROXY", False):
    # Only behind a proxy that sets this header itself: a client could otherwise claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = BKB_HTTPS
# Load balancers probe the node over plain HTTP and take a redirect for a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = BKB_HTTPS
CSRF_COOKIE_SECURE = BKB_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("BKB_HSTS_SECONDS", 365 * 24 * 60 * 60 if BKB_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("BKB_HSTS_INCLUDE_SUBDOMAINS", BKB_HTTPS)
SECURE_HSTS_PRELOAD = envbool("BKB_HSTS_PRELOAD", BKB_HTTPS)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# Every script and style is a file under static/ (no inline <script>, no style=""), so nothing
# inline runs. data: images are Bootstrap's own SVG icons (select arrows, checkboxes) in its CSS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Faults (issue 12): a session write failing after the view (its save committed) must not turn
# the answer into an error; bkb.middleware.SessionMiddleware keeps the answer.
MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")] = (
    "bkb.middleware.SessionMiddleware"
)
