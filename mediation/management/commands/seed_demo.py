"""`manage.py seed_demo [--profile NAME]`: idempotent demo data (README lists the accounts),
saying what it does and how long each part took."""

import time

from django.core.management.base import BaseCommand

from mediation import demo, demo_panjin
from mediation.signals import demo_seeded


class Command(BaseCommand):
    help = "Create or refresh the demo accounts and demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--profile",
            default="default",
            choices=["default", "panjin-2021"],
            help="'panjin-2021' recreates the 2021 pilot as published.",
        )

    def handle(self, *args, profile: str, **options):
        say = self.stdout.write
        start = step = time.perf_counter()

        def took() -> str:
            nonlocal step
            now = time.perf_counter()
            seconds, step = now - step, now
            return f"{seconds:.1f} s"

        say(f"Demo accounts ({profile})…")
        users = demo.seed_accounts()
        say(f"  {len(users)} accounts ({took()}).")
        cases = demo.seed_cases() if profile == "default" else 0
        if profile == "panjin-2021":
            say("Panjin 2021 pilot:")
            made = demo_panjin.seed_panjin_2021(progress=say)
            say(f"Panjin 2021 pilot: {made or 'already there'} ({took()}).")
        say("Duty rosters and the other apps' demo data…")
        demo_seeded.send(sender=self.__class__, profile=profile)
        say(f"  done ({took()}).")
        say(
            f"Demo data ready ({profile}): {len(users)} accounts, {cases} new cases, "
            f"{time.perf_counter() - start:.1f} s in all."
        )
