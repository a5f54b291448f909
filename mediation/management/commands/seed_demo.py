"""`manage.py seed_demo [--profile NAME]`: idempotent demo data (README lists the accounts),
saying what it does and how long each part took.

The core's demo comes first; then every installed app whose AppConfig defines
`seed_demo(profile)` adds its part, in INSTALLED_APPS order (the core imports none of them).
"""

import time

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
        say("The other apps' demo data (duty rosters)…")
        seeded = seed_installed_apps(profile)
        say(f"  {', '.join(seeded) or 'none'} ({took()}).")
        say(
            f"Demo data ready ({profile}): {len(users)} accounts, {cases} new cases, "
            f"{time.perf_counter() - start:.1f} s in all."
        )
        say(
            "Second factor (TOTP, 30 s, 6 digits): add each account to an authenticator app "
            "with its key, or print the current code with `manage.py totp_code USERNAME`:"
        )
        for username, seed in demo.demo_seeds().items():
            say(f"  {username:<22} {seed}")
