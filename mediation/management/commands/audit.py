"""`manage.py audit verify`: walk the hash chain and name the first broken link."""

import sys

from django.core.management.base import BaseCommand

from mediation import audit


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        sub.add_parser("verify", help="Exit 0 if the chain is whole, 1 with the first broken link.")
        sub.add_parser("head", help="Print the newest event's number and hash.")

    def handle(self, *args, operation: str, **options):
        if operation == "head":
            self.stdout.write(audit.head_hash())
            return
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"The audit trail is intact: {result.checked} events verified.")
            return
        self.stderr.write(
            f"The audit trail is broken at event #{result.broken_seq}: {result.reason}. "
            f"{result.checked} events before it verified."
        )
        sys.exit(1)
