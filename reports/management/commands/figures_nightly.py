"""Keep the figures current with the date: run the nightly refresh now, or schedule it on the worker."""

import time

from django.core.management.base import BaseCommand

from reports import kept
from reports.tasks import nightly_schedule


class Command(BaseCommand):
    help = (
        "Refresh every group's kept figures for today (children's status, this and last month, "
        "anything stale or missing); with --schedule, queue it on the task worker for 00:15 each night."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the nightly run on the task worker (it requeues itself) unless one is waiting.",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            queued = nightly_schedule()
            self.stdout.write("Nightly refresh queued." if queued else "Nightly refresh already queued.")
            return
        started = time.perf_counter()
        done = kept.nightly()
        self.stdout.write(
            f"Refreshed {done['groups']} groups, {done['rows']} group-month rows in "
            f"{time.perf_counter() - started:.1f} s."
        )
