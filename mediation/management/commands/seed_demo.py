"""`manage.py seed_demo [--profile NAME]`: idempotent demo data (README lists the accounts).

The core's demo comes first; then every installed app whose AppConfig defines
`seed_demo(profile)` adds its part, in INSTALLED_APPS order (the core imports none of them).
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from mediation import demo, demo_panjin


def seed_installed_apps(profile: str) -> list[str]:
    """Call `seed_demo(profile)` on every app config that defines one; their labels, in order."""
    seeded = []
    for config in apps.get_app_configs():
        hook = getattr(config, "seed_demo", None)
        if callable(hook):
            hook(profile)
            seeded.append(config.label)
    return seeded


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
        seed_installed_apps(profile)
        self.stdout.write(f"Demo data ready ({profile}): {len(users)} accounts, {cases} new cases.")
        self.stdout.write(
            "Second factor (TOTP, 30 s, 6 digits): add each account to an authenticator app "
            "with its key, or print the current code with `manage.py totp_code USERNAME`:"
        )
        for username, seed in demo.demo_seeds().items():
            self.stdout.write(f"  {username:<22} {seed}")
