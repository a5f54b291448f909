"""`manage.py totp_code USERNAME`: the code a demo account's authenticator shows now.

For development machines only: it opens a sealed seed, so it refuses to run unless DEBUG.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mediation.models import TotpDevice, User
from mediation.services import two_factor


class Command(BaseCommand):
    help = "Print the current second-factor code of an account (development only, DEBUG=1)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError(
                "totp_code runs on development machines only (DJANGO_DEBUG=1): in production "
                "nobody but the person holds their second factor."
            )
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if not TotpDevice.objects.filter(user=user).exists():
            raise CommandError(
                f"{username} has no authenticator yet (seed_demo enrols demo accounts)."
            )
        self.stdout.write(two_factor.current_code(user=user))
