"""Working without signal: the service worker, the installable app, and how a replayed save is answered.

A save made offline is kept on the phone (static/js/outbox.js) with a one-time key in
the form's `once` field, and replayed later as the same POST to the same view: the
view validates it as it would any save, and `groups.once.guard` accepts each key once.
A replay carries the header `X-Bkb-Outbox`; `OutboxMiddleware` turns the view's
answer into one the outbox can read without following redirects:

- saved (the view redirected, or the key was already used: the first save's page):
  200, `X-Bkb-Outbox: saved`, JSON with where the save went;
- refused (the form again with its messages, 400; or 403/404: the record is out of reach):
  the page as the view made it, `X-Bkb-Outbox: refused`, kept for the unsent page;
- anything else (not logged in, 429, 5xx): `X-Bkb-Outbox: retry`, and the entry waits.
"""

import datetime
import io
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render, resolve_url
from django.templatetags.static import static
from django.utils import timezone
from django.views import csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bkb.lib.inputs import parse_day
from groups import once
from groups.models import SubmitToken
from sessions.offline import offline_paths

HEADER = "X-Bkb-Outbox"
# A page fetched to be kept on the phone, not shown: its flash messages stay for her next real page
# (base.html). Sent by the service worker and offline.js; set by render_pages.
KEEPING = "HTTP_X_BKB_KEEPING"
# Refused for good until she looks at it: the form with its messages, or a record gone out of reach.
REFUSED = {400, 403, 404, 409, 410, 422}
# What a page needs to show without signal, fetched when the service worker installs.
STATIC_FILES = [
    "vendor/bootstrap/bootstrap.min.css",
    "css/bkb.css",
    "js/bkb.js",
    "js/outbox.js",
    "js/offline.js",
    "icons/bkb-192.png",
]
WORKBOX = [f"vendor/workbox/workbox-{name}.prod.js" for name in ("core", "routing", "strategies", "expiration")]


_handler = None


def render_pages(request, urls: list[str]) -> list[tuple[str, str]]:
    """Each page at `urls` as `request.user` gets it (GET, through every middleware), in one request.

    "Siapkan untuk offline" fetches the group's working set this way: one download instead of
    two hundred round trips on a weak signal, and compressed as one stream, so the layout the
    pages share costs once. Pages are rendered exactly as when opened one by one; a page that
    does not answer 200 is left out (the phone then shows the fallback for it).
    """
    global _handler
    if _handler is None:
        _handler = WSGIHandler()
    # Her session, without the flash messages waiting for her next real page.
    cookies = "; ".join(f"{name}={value}" for name, value in request.COOKIES.items() if name != "messages")
    base = {
        key: value
        for key, value in request.META.items()
        if key not in ("HTTP_ACCEPT_ENCODING", "HTTP_COOKIE", "QUERY_STRING", "PATH_INFO", "CONTENT_LENGTH")
        and not key.startswith("wsgi.")
    }
    pages = []
    for url in urls:
        path, _sep, query = url.partition("?")
        environ = base | {
            # base.html leaves her flash messages alone: they wait for her next real page.
            KEEPING: "1",
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_COOKIE": cookies,
            "HTTP_ACCEPT": "text/html",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": request.scheme,
            "wsgi.errors": request.META.get("wsgi.errors", io.StringIO()),
        }
        response = _handler.get_response(WSGIRequest(environ))
        if response.status_code == 200 and not response.streaming:
            pages.append((url, response.content.decode(response.charset)))
    return pages


# How far back an offline entry may say it was made (a phone kept off the network that long).
ENTRY_DAYS_BACK = datetime.timedelta(days=31)


def entry_day(request, *, not_before: datetime.date | None = None) -> datetime.date:
    """The day a save was made: today, or for a replayed offline entry the day the phone says it was made.

    A KKA check made offline on the 30th and sent on the 1st is the 30th's check, as it would
    have been with signal. A day in the future or over a month back is not believed: today.
    `not_before` (a child's birth date) bounds it from below.
    """
    today = timezone.localdate()
    if request.method != "POST" or request.headers.get(HEADER) != "1":
        return today
    made = parse_day(request.POST.get("dibuat", ""))
    if made is None or not today - ENTRY_DAYS_BACK <= made <= today:
        return today
    return max(made, not_before) if not_before else made


class OutboxMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "POST" or request.headers.get(HEADER) != "1":
            return response
        return outbox_answer(request, response)


def outbox_answer(request, response) -> HttpResponse:
    """The view's answer to a replayed save, as the outbox reads it (see the module's docstring).

    Saved means her key is recorded as used (by this save or an earlier one): any other redirect
    (logged out meanwhile, a password to change first) leaves the entry waiting.
    """
    if response.status_code in (301, 302, 303, 307, 308):
        key = once.posted_token(request)
        user = getattr(request, "user", None)
        if (
            key
            and user is not None
            and user.is_authenticated
            and SubmitToken.objects.filter(pk=key, user=user).exists()
        ):
            # The save's own success message waits in the session for her next page.
            answer = JsonResponse({"outcome": "saved", "url": response["Location"]})
        else:
            answer = JsonResponse({"outcome": "retry", "reason": urlsplit(response["Location"]).path}, status=409)
        # The session cookie the view refreshed, and anything else it set, still reach the phone.
        answer.cookies = response.cookies
        answer[HEADER] = json.loads(answer.content)["outcome"]
        return answer
    # A CSRF failure is the phone's stale token, not her entry: the next replay fetches a new one.
    refused = response.status_code in REFUSED and not getattr(request, "csrf_failed", False)
    response[HEADER] = "refused" if refused else "retry"
    return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page, marked so that a replayed entry waits instead of being refused."""
    request.csrf_failed = True
    return csrf.csrf_failure(request, reason=reason)


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, served from the site's root so that it may look after every page."""
    response = render(
        request,
        "offline/sw.js",
        {
            "workbox": [static(name) for name in WORKBOX],
            "outbox_js": static("js/outbox.js"),
            "static_files": json.dumps([static(name) for name in STATIC_FILES]),
            "offline_paths": json.dumps(offline_paths()),
            "static_url": settings.STATIC_URL,
            "tz": settings.TIME_ZONE,
        },
        content_type="text/javascript",
    )
    # A new version must reach phones at their next visit, whatever the proxies in between.
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def manifest(request):
    data = {
        "name": "BKB · Bina Keluarga Balita",
        "short_name": "BKB",
        "description": "Catatan kelompok BKB: anggota, pertemuan, KKA dan pertumbuhan anak.",
        "lang": "id",
        "start_url": resolve_url("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0f5132",
        "icons": [
            {"src": static("icons/bkb-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/bkb-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/bkb-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def status(request):
    """Who is logged in and a fresh CSRF token: asked before a replay, so entries go out under their owner only.

    Logged out, it is the login page like any other: the outbox sees the redirect and waits.
    """
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request), "now": timezone.now().isoformat()})


def unsent(request):
    """The entries waiting on this phone: filled in by static/js/offline.js from the outbox."""
    return render(request, "offline/unsent.html")


def fallback(request):
    """Shown without signal for a page the phone does not keep."""
    return render(request, "offline/fallback.html")
