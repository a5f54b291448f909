"""`manage.py seed_demo [--profile NAME]`: idempotent demo data (README lists the accounts)."""

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
        users = demo.seed_accounts()
        cases = demo.seed_cases() if profile == "default" else 0
        if profile == "panjin-2021":
            made = demo_panjin.seed_panjin_2021()
            self.stdout.write(f"Panjin 2021 pilot: {made or 'already there'}.")
        demo_seeded.send(sender=self.__class__, profile=profile)
        self.stdout.write(f"Demo data ready ({profile}): {len(users)} accounts, {cases} new cases.")
