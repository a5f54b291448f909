"""`manage.py restore DIR`: restore a backup into an empty database, then check it: row counts
against the manifest, `keys status`, `audit verify`, and a sample of sealed values opened with
today's ring; prints what it checked and exits 1 if anything failed (docs/operations.md)."""

import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from mediation import backups


class Command(BaseCommand):
    help = "Restore a backup into an empty database and verify it."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup's directory (with manifest.json)")

    def _run(self, *command: str) -> tuple[bool, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(*command, stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code in (0, None), (out.getvalue() + err.getvalue()).strip()
        except CommandError as error:
            return False, (out.getvalue() + str(error)).strip()
        return True, (out.getvalue() + err.getvalue()).strip()

    def _report(self, name: str, ok: bool, output: str) -> None:
        self.stdout.write(f"{name}: {'ok' if ok else 'FAILED'}")
        for line in output.splitlines():
            self.stdout.write(f"  {line}")

    def handle(self, *args, source: str, **options):
        try:
            manifest = backups.restore(Path(source))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {manifest['file']} of {manifest['created_at']} "
            f"(SHA-256 {manifest['sha256']} checked)."
        )
        failures = []
        differences = backups.row_differences(manifest)
        if differences:
            failures.append("row counts")
            for table, (expected, found) in differences.items():
                self.stderr.write(f"  {table}: {found} rows, the manifest says {expected}")
        else:
            self.stdout.write(f"Row counts: {len(manifest['rows'])} tables as in the manifest.")
        ok, output = self._run("keys", "status")
        self._report("keys status", ok, output)
        if not ok:
            failures.append("keys status")
        trail = backups.verify_restored_trail(manifest)
        self._report("audit verify", trail.ok, trail.message if trail.ok else trail.reason)
        if not trail.ok:
            failures.append("audit verify")
        lost = backups.events_after_backup()
        if lost:
            self.stdout.write(
                f"The checkpoint file vouches for {lost} events written after this backup: they "
                "are not in the restored database. Keep that file as the record of what was "
                "lost, start a new one (TONGXIN_AUDIT_CHECKPOINT_FILE) and run "
                "`manage.py audit checkpoint` (docs/operations.md, 'Restore drill')."
            )
        sample = backups.open_sample()
        failed = sum(sample.failed.values())
        self.stdout.write(
            f"Sealed values: {sample.opened} sampled rows opened with today's key ring"
            + (f", {failed} did not ({dict(sample.failed)})" if failed else "")
            + "."
        )
        if failed:
            failures.append("sealed values")
        if failures:
            self.stderr.write("The restore is NOT verified: " + ", ".join(failures) + ".")
            raise SystemExit(1)
        self.stdout.write("The restore is verified.")
