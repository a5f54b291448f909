"""`manage.py audit verify | checkpoint | head`: check the keyed chain against the key ring and
the newest checkpoint, write a signed checkpoint of the head (daily, by cron), print the head.
Messages in the active language (Chinese by default)."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mediation import audit


class Command(BaseCommand):
    help = "Verify the audit trail, write a checkpoint of its head, or print the head."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        sub.add_parser(
            "verify",
            help="Exit 0 if every link and the newest checkpoint verify; 1 and why otherwise.",
        )
        sub.add_parser(
            "checkpoint",
            help="Link any unlinked events, then append a signed checkpoint of the head "
            "(run daily).",
        )
        sub.add_parser("head", help="Print the newest link's position and MAC.")

    def handle(self, *args, operation: str, **options):
        getattr(self, f"handle_{operation}")()

    def handle_head(self) -> None:
        position, mac = audit.head()
        self.stdout.write(f"{position}\t{mac}")

    def handle_checkpoint(self) -> None:
        linked = audit.chain_pending(switch_over=True)
        checkpoint = audit.write_checkpoint()
        if checkpoint is None:
            self.stdout.write(_("The audit trail is empty: no checkpoint written."))
            return
        self.stdout.write(
            _("Checkpoint written to %(path)s: event %(position)s at %(time)s.")
            % {
                "path": audit.checkpoint_path(),
                "position": checkpoint.position,
                "time": checkpoint.at,
            }
        )
        if linked:
            self.stdout.write(_("%(count)s events were linked first.") % {"count": linked})

    def handle_verify(self) -> None:
        result = audit.verify()
        if not result.ok:
            self.stderr.write(result.reason)
            sys.exit(1)
        self.stdout.write(result.message)
        for note in result.notes:
            self.stdout.write(note)
