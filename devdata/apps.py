from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Demo and scale data generators (like Zulip's zilencer): on top of every app,
    writing through the apps' own services so they cannot drift from the rules."""

    name = "devdata"
    verbose_name = "Data demo dan skala"
