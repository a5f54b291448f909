"""Backups and the restore drill (docs/operations.md): a consistent snapshot of the database with
a manifest of row counts and SHA-256 checksums, never a key; a restore into an empty database
that then checks the keys, the audit trail and a sample of sealed values. Operational code for
the `backup` and `restore` commands; imports models, audit, keys and sealing.

SQLite: the backup API copies the pages as one consistent read (its free pages are zeros:
secure_delete). PostgreSQL: `pg_dump -Fc` of a snapshot exported from a REPEATABLE READ
transaction, in which the rows are counted too, so counts and dump agree.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import audit, crypto, keyring, sealing
from . import keys as key_operations
from .audit_verify import latest_checkpoint
from .database_roles import grant_to_app_role
from .services.erasure import owner_cursor

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
SAMPLE_PER_MODEL = 20


class BackupError(RuntimeError):
    """The backup or the restore cannot go on; the message says why (never a value)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables() -> list[str]:
    """Every table Django manages, including many-to-many tables."""
    names = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            names.add(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _row_counts(cursor) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in _tables():
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _count(database: sqlite3.Connection, table: str) -> int:
    return int(database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _pg_env(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings.get("HOST"):
        args += ["-h", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["-p", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["-U", str(settings["USER"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _key_ids() -> dict[str, int]:
    """Rows per key id (the ids only: a restore needs these keys loaded)."""
    counts: Counter = Counter()
    for per_model in key_operations.status().values():
        counts.update(per_model)
    return dict(sorted(counts.items()))


def _checkpoint_line() -> str:
    """Link what waits, sign the head into the checkpoint file, and return that signed line."""
    audit.chain_pending(switch_over=True)
    if audit.write_checkpoint() is None:
        return ""
    lines = audit.checkpoint_path().read_text(encoding="utf-8").splitlines()
    return lines[-1] if lines else ""


def verify_restored_trail(manifest: dict[str, Any]) -> Any:
    """Verify the restored trail's links against the key ring and its head against the signed
    checkpoint the backup carries (not the checkpoint file, which vouches for events written
    after the backup)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backup-checkpoint.log"
        path.write_text(manifest.get("audit_checkpoint", "") + "\n", encoding="utf-8")
        return audit.verify(checkpoint_file=path)


def events_after_backup() -> int:
    """How many events the checkpoint file vouches for beyond the restored trail (lost with the
    restore: they were written after the backup)."""
    try:
        latest = latest_checkpoint(keyring.ring())
    except Exception:
        return 0
    position, _ = audit.head()
    return max(0, latest.position - position) if latest else 0


def backup(output: Path) -> dict[str, Any]:
    """Write a snapshot and its manifest into `output` (a new or empty directory)."""
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise BackupError(f"{output} is not empty: give a new directory for each backup")
    checkpoint = _checkpoint_line()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = output / SQLITE_FILE
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # one consistent read of every page
            counts = {table: _count(copy, table) for table in _tables()}
        finally:
            copy.close()
    elif connection.vendor == "postgresql":
        target = output / POSTGRES_FILE
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _row_counts(cursor)
            args, env = _pg_env(connection.settings_dict)
            result = subprocess.run(
                [
                    "pg_dump",
                    "-Fc",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                    *args,
                    connection.settings_dict["NAME"],
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"no backup for the {connection.vendor} engine")
    os.chmod(target, 0o600)
    manifest = {
        "format": FORMAT,
        "engine": connection.vendor,
        "created_at": timezone.now().isoformat(),
        "file": target.name,
        "sha256": sha256_of(target),
        "size": target.stat().st_size,
        "rows": counts,
        "key_ids": _key_ids(),
        # The trail's head, signed with the audit key when the backup began: a restore verifies
        # the restored trail against it (the checkpoint file may be further on by then).
        "audit_checkpoint": checkpoint,
        "keys_included": False,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} is missing: not a Tongxin backup")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    data = source / manifest["file"]
    if not data.exists() or sha256_of(data) != manifest["sha256"]:
        raise BackupError(f"{data.name} does not match the SHA-256 in the manifest")
    return manifest


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(source: Path) -> dict[str, Any]:
    """Restore the snapshot in `source` into this (empty) database; the checks come after."""
    manifest = read_manifest(source)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database, this one is {connection.vendor}"
        )
    if not database_is_empty():
        raise BackupError("the database is not empty: restore only into a new, empty database")
    data = source / manifest["file"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        backup_file = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
        try:
            backup_file.backup(connection.connection)
        finally:
            backup_file.close()
    else:
        connection.close()
        # The owner restores (it owns the tables, as after `migrate`), then grants the
        # application's role what `migrate` grants it (mediation/database_roles.py).
        owner = settings.TONGXIN_DATABASE_OWNER
        args, env = _pg_env({**connection.settings_dict, **owner})
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *args,
                "-d",
                connection.settings_dict["NAME"],
                str(data),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        if owner and settings.TONGXIN_DATABASE_APP_ROLE:
            with owner_cursor() as cursor:
                grant_to_app_role(cursor.db, settings.TONGXIN_DATABASE_APP_ROLE)
    return manifest


@dataclass
class SampleCheck:
    """Sealed values opened after a restore: how many opened, and how many did not (by why)."""

    opened: int = 0
    failed: Counter = field(default_factory=Counter)


def open_sample(per_model: int = SAMPLE_PER_MODEL) -> SampleCheck:
    """Open the sealed fields of a sample of rows of every sealed model with today's ring
    (nothing is shown; the count is what matters). One `backup.restore.check` event."""
    ring = keyring.reload()
    check = SampleCheck()
    for model in sealing.sealed_models():
        rows = model._default_manager.filter(wrapped_key__isnull=False).order_by("?")[:per_model]
        for row in rows:
            try:
                sealing.open_fields(row)
            except crypto.KeyUnavailable:
                check.failed["key_unavailable"] += 1
            except (crypto.IntegrityFailure, crypto.UnsupportedFormat):
                check.failed["integrity"] += 1
            else:
                check.opened += 1
    audit.record(
        actor=None,
        action="backup.restore.check",
        details={"opened": check.opened, "failed": dict(check.failed), "ring": ring.active_id},
    )
    return check


def row_differences(manifest: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Tables whose row count differs from the manifest's: (expected, found)."""
    with connection.cursor() as cursor:
        found = _row_counts(cursor)
    return {
        table: (expected, found.get(table, -1))
        for table, expected in manifest["rows"].items()
        if found.get(table, -1) != expected
    }
