"""Our middleware: the chosen language, and a session write that cannot undo a save.

Language: Indonesian unless the person chose English in the footer.

Django's LocaleMiddleware would follow the browser's Accept-Language, and
many phones in Indonesia are set to English; the programme's words (kader,
KKA, Posyandu) read best in Indonesian, so only an explicit choice (the
language cookie set by the footer switch) changes it.
"""

import logging

from django.conf import settings
from django.contrib.sessions import middleware as sessions_middleware
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import DatabaseError
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread serves other requests (and tests) next: leave no language behind.
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class SessionMiddleware(sessions_middleware.SessionMiddleware):
    """Django's, except that a session that cannot be written does not change the answer.

    The session is written after the view, so after its save committed: the messages
    (MESSAGE_STORAGE keeps them in the session) go there. Django answers 400
    (SessionInterrupted) when that write fails, whether the row was deleted meanwhile (a logout
    in another tab) or the database went away, and the cadre is told her save failed when it
    did not, and saves again. Here the answer stands; only the message is lost.
    """

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError):
            logger.warning("session not saved after %s %s", request.method, request.path, exc_info=True)
            patch_vary_headers(response, ("Cookie",))
            return response
