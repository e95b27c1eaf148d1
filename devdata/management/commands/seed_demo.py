from django.core.management.base import BaseCommand
from django.utils import timezone

from devdata.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Fill an empty database with one demo kabupaten (idempotent)."

    def handle(self, *args, **options):
        created = seed_demo(today=timezone.localdate())
        self.stdout.write("Demo data created." if created else "Demo data already present; nothing changed.")
        self.stdout.write(
            f"Demo logins (password '{DEMO_PASSWORD}'): admin (admin), pkb (supervisor), kader1 ... kader6 (cadres)"
        )
