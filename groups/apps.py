from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"

    def ready(self):
        from groups import login_admin  # noqa: F401  (registers the login records' admin)
