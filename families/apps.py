from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"

    def ready(self):
        from families.models import (
            Child,
            Family,
            Instrument,
            KkaCheck,
            Measurement,
            Milestone,
            MilestoneRecord,
            Referral,
        )
        from groups.changes import track

        # Which group's figures a row feeds, and from which day (groups.changes).
        track(Family, group="group", day="joined_on")
        track(Child, group="family__group", day="birth_date")
        track(Measurement, group="child__family__group", day="date")
        track(MilestoneRecord, group="child__family__group", day="achieved_on")
        track(KkaCheck, group="child__family__group", day="date")
        track(Referral, group="child__family__group", day="date")
        # The instrument in use decides every child's KKA status, in every month.
        track(Instrument, group=None, day=None)
        track(Milestone, group=None, day=None)
