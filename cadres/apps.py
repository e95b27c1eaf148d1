from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "cadres"
