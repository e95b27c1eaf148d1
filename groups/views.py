"""The error page for a request whose parameters cannot be read.

Group pages show registers and cadres, so they live above this app, in
families/group_views.py (URL namespace "groups").
"""

from django.core.exceptions import BadRequest
from django.shortcuts import render


def bad_request(request, exception=None):
    # Only our own BadRequest messages are meant for people; others (too many fields, a bad host) are not.
    message = str(exception.args[0]) if isinstance(exception, BadRequest) and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)
