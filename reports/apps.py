from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from groups.changes import figures_changed, track
        from reports.models import MonthlyReport

        # After sessions' receiver (INSTALLED_APPS order): the group's KeptState
        # is locked before its month rows are marked (see reports.kept).
        figures_changed.connect(_mark_changed, dispatch_uid="reports-kept")
        track(MonthlyReport, group="group", day="month")


def _mark_changed(sender, group_ids, since, **kwargs):
    from reports import kept

    kept.mark_changed(group_ids, since)
