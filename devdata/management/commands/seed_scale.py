"""Fill a PostgreSQL database with a kabupaten at full size: see groups/scale.py."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devdata.scale import SCALE_KABUPATEN, SCALE_PASSWORD, reset, seed_scale
from groups.models import Area, BkbGroup


class Command(BaseCommand):
    help = "Fill a PostgreSQL database with a kabupaten at scale (COPY; deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=1000)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes freezing the reports (default: the cores, up to 4)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty every app table first (users too; instruments and topics stay).",
        )

    def handle(self, *args, groups, months, seed, today, reset: bool, workers=None, **options):
        if groups < 1 or months < 1:
            raise CommandError("--groups and --months must be positive")
        started = time.perf_counter()
        if reset:
            reset_fn = reset_tables
            reset_fn()
            self.stdout.write(f"  {'reset':<28} {'':>10}       {time.perf_counter() - started:7.1f} s")
        elif BkbGroup.objects.exists() or Area.objects.filter(name=SCALE_KABUPATEN).exists():
            raise CommandError("The database already has groups: use a fresh database or --reset.")
        seed_scale(
            groups=groups,
            months=months,
            seed=seed,
            today=today or timezone.localdate(),
            out=self.stdout.write,
            workers=workers,
        )
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(
            f"Logins (password '{SCALE_PASSWORD}'): admin_skala (admin), pkb1.. (supervisors), "
            f"kader1..kader{groups} and kader1b..kader{groups}b (cadres)"
        )


def reset_tables():
    reset()
