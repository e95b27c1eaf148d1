from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "cadres"

    def ready(self):
        from cadres.models import Cadre, CadreRole, Training
        from groups.changes import track

        track(CadreRole, group="group", day="started_on")
        track(Training, group="cadre__roles__group", day="date")
        track(Cadre, group="roles__group", day="date_joined")
