"""`manage.py create_administrator USERNAME --role system|security|audit --name NAME`: the first
administrators of a new installation (or one whose last administrator of a kind left), from the
server's shell. Prints a temporary password to hand over; the person changes it and sets up
their authenticator at the first sign-in. Recorded in the audit trail as done by the system.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mediation.roles import Role
from mediation.services import grants

ROLES = {"system": Role.SYSADMIN, "security": Role.SECADMIN, "audit": Role.AUDITADMIN}


class Command(BaseCommand):
    help = "Create an account holding one of the three administrator roles."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--name", required=True, help="the person's full name")
        parser.add_argument("--reason", default="installation", help="kept in the audit trail")

    def handle(self, *args, username: str, role: str, name: str, reason: str, **options):
        try:
            account, password = grants.create_administrator(
                username=username, full_name=name, role=ROLES[role], reason=reason
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{account.username} ({ROLES[role].label}) is created.")
        self.stdout.write(f"Temporary password (shown once): {password}")
        self.stdout.write(
            f"Valid until {account.temporary_password_until:%Y-%m-%d %H:%M} UTC; it must be "
            "changed at the first sign-in, where the authenticator app is set up too."
        )
