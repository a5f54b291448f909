"""`manage.py backup --output DIR`: a consistent snapshot and its manifest (row counts, SHA-256),
never a key (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mediation import backups


class Command(BaseCommand):
    help = "Back up the database into a new directory, with a manifest; keys are never included."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="a new or empty directory")

    def handle(self, *args, output: str, **options):
        try:
            manifest = backups.backup(Path(output))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Backed up {rows} rows in {len(manifest['rows'])} tables to "
            f"{Path(output) / manifest['file']} ({manifest['size']} bytes, "
            f"SHA-256 {manifest['sha256']})."
        )
        self.stdout.write(
            "Keys needed to open it (not in the backup): "
            + (
                ", ".join(f"{key} ({count} rows)" for key, count in manifest["key_ids"].items())
                or "none"
            )
        )
