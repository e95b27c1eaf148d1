from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    # "sessions" would clash with django.contrib.sessions' label.
    name = "sessions"
    label = "coaching"
    verbose_name = _("Pertemuan penyuluhan")

    def ready(self):
        from groups.changes import figures_changed, track
        from sessions.models import Attendance, CoachingSession, HomeVisit

        figures_changed.connect(_mark_changed, dispatch_uid="sessions-kept")
        track(CoachingSession, group="group", day="date")
        track(Attendance, group="session__group", day="session__date")
        track(HomeVisit, group="family__group", day="date")


def _mark_changed(sender, group_ids, since, **kwargs):
    from sessions import kept

    kept.mark_changed(group_ids, since)
