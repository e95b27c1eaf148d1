from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    # "sessions" would clash with django.contrib.sessions' label.
    name = "sessions"
    label = "coaching"
    verbose_name = _("Pertemuan penyuluhan")
