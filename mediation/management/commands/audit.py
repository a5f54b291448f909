"""`manage.py audit verify | checkpoint | head | archive | verify-archive`: check the keyed chain
against the key ring and the newest checkpoint, write a signed checkpoint of the head (daily, by
cron), print the head, export the events before a date to a signed file and check such a file.
Messages in the active language (Chinese by default)."""

import sys
from datetime import date, datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit, audit_archive


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
        archive = sub.add_parser(
            "archive",
            help="Export the events dated before a day (local time) to a signed file and "
            "verify it; nothing is deleted.",
        )
        archive.add_argument("--before", required=True, metavar="YYYY-MM-DD")
        archive.add_argument("--output", required=True, metavar="FILE")
        check = sub.add_parser("verify-archive", help="Verify an archive file on its own.")
        check.add_argument("file")

    def handle(self, *args, operation: str, **options):
        getattr(self, f"handle_{operation.replace('-', '_')}")(**options)

    def handle_head(self, **_options) -> None:
        position, mac = audit.head()
        self.stdout.write(f"{position}\t{mac}")

    def handle_checkpoint(self, **_options) -> None:
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

    def handle_verify(self, **_options) -> None:
        result = audit.verify()
        if not result.ok:
            self.stderr.write(result.reason)
            sys.exit(1)
        self.stdout.write(result.message)
        for note in result.notes:
            self.stdout.write(note)

    def handle_archive(self, *, before: str, output: str, **_options) -> None:
        try:
            day = date.fromisoformat(before)
        except ValueError:
            raise CommandError(_("Write the day as YYYY-MM-DD, e.g. 2026-06-01.")) from None
        moment = timezone.make_aware(datetime.combine(day, time.min))
        try:
            archived = audit_archive.export(before=moment, output=Path(output))
        except audit_archive.ArchiveBroken as broken:
            self.stderr.write(str(broken))
            sys.exit(1)
        self.stdout.write(
            _(
                "Archived %(count)s events dated before %(day)s (events 1 to %(last)s) to "
                "%(path)s, signed; the file verifies. Nothing was deleted."
            )
            % {"count": archived.count, "day": before, "last": archived.last, "path": output}
        )

    def handle_verify_archive(self, *, file: str, **_options) -> None:
        try:
            archived = audit_archive.verify_file(Path(file))
        except (audit_archive.ArchiveBroken, OSError) as broken:
            self.stderr.write(str(broken))
            sys.exit(1)
        self.stdout.write(
            _("The archive %(path)s verifies: %(count)s events, up to event %(last)s.")
            % {"path": file, "count": archived.count, "last": archived.last}
        )
