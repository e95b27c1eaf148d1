"""Fetch-and-check for coaching sessions: 404 outside the user's groups, 403 for a
write by someone who only reads (the rules themselves live in cadres.access)."""

from django.shortcuts import get_object_or_404

from cadres.access import can_write_registers, require
from sessions.models import CoachingSession


def get_session_for(user, pk, *, write: bool = False) -> CoachingSession:
    session = get_object_or_404(
        CoachingSession.objects.visible_to(user).select_related("group__desa__parent", "topic"), pk=pk
    )
    if write:
        require(can_write_registers(user))
    return session
