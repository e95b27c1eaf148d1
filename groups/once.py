"""One save per form: a one-time token against double taps and resent forms.

Every form that creates something carries a hidden token (`{% once_token %}`
from `groups/templatetags/once.py`). A view wrapped in `@guard` runs in
one transaction when a token is posted, and records the token with `record()`
right after its write, so the token and the write commit together or not at all.
A second POST with the same token (a double tap, a form resent after a lost
answer) is sent where the first save went instead of creating again. Two
requests in flight at once are decided by the token's primary key: the
second insert waits for the first transaction and then fails, its own write
is rolled back with it, and it too is sent on to the first save's page.

A POST without a token (an old page, a script) is saved as before.
"""

import datetime
import re
import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import SubmitToken

FIELD = "once"
# Longer than an offline entry may wait on a phone (bkb.offline.ENTRY_DAYS_BACK), so a replay
# whose answer was lost is still known when it comes again; short enough that the table stays small.
KEEP = datetime.timedelta(days=35)
_TOKEN = re.compile(r"[0-9a-f]{32}")


class Replayed(Exception):
    """This form's token was saved by another request a moment ago."""


def new_token() -> str:
    return uuid.uuid4().hex


def posted_token(request) -> str | None:
    value = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return value if _TOKEN.fullmatch(value) else None


def token_for(request) -> str:
    """The token a form page carries: the posted one while it is unused (a form shown again), else new."""
    token = posted_token(request)
    if token and not SubmitToken.objects.filter(pk=token).exists():
        return token
    return new_token()


def record(request, url: str) -> None:
    """Mark this POST's token used (inside @guard's transaction); Replayed if another request already did."""
    token = posted_token(request)
    if token is None:
        return
    SubmitToken.objects.filter(used_at__lt=timezone.now() - KEEP).delete()
    try:
        SubmitToken.objects.create(token=token, user=request.user, url=url[:500])
    except IntegrityError as error:
        # @guard's transaction rolls this request's write back with it.
        raise Replayed(token) from error


def _first_save(request, token: str):
    used = SubmitToken.objects.filter(pk=token, user=request.user).first()
    if used is None:
        return None
    messages.info(request, _("Formulir ini sudah tersimpan sekali; kiriman kedua tidak disimpan lagi."))
    return redirect(used.url)


def guard(view):
    """A POST whose token is used answers with the first save's page, never a second save."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = posted_token(request)
        if token is None:
            return view(request, *args, **kwargs)
        if response := _first_save(request, token):
            return response
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except Replayed:
            if response := _first_save(request, token):
                return response
            # Another person's token (a form passed on, or forged): nothing was saved.
            raise BadRequest(_("Formulir ini sudah dipakai. Buka lagi halamannya dan isi ulang.")) from None

    return wrapper
