"""The backup-restore drill of docs/operations.md, as a test on the real engine: a backup with
its manifest and no key, a restore that refuses a database in use, and a restored database whose
keys, audit trail and sealed values check out — also after a key rotation, and loudly not when
an old key is gone."""

import dataclasses
import io
import json
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from mediation import crypto, keyring, services
from mediation.models import SessionNote
from tests.conftest import TEST_RING
from tests.mediation.test_privacy import couple

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def empty_database():
    """A new, empty database beside the test database, Django's connection pointed at it."""
    settings = connection.creation.get_test_db_clone_settings("restore")
    name = settings["NAME"]
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        for path in (name, f"{name}-wal", f"{name}-shm"):
            Path(path).unlink(missing_ok=True)
    else:
        with connection._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE template0 ENCODING 'UTF8'")
    connection.settings_dict.update(settings)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
        if connection.vendor == "sqlite":
            for path in (name, f"{name}-wal", f"{name}-shm"):
                Path(path).unlink(missing_ok=True)
        else:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


def ring_with(**keys: bytes) -> crypto.KeyRing:
    """Today's ring after a rotation: master key `test-b` active, the audit key unchanged."""
    return dataclasses.replace(
        TEST_RING,
        keys=keys,
        algorithms=dict.fromkeys(keys, TEST_RING.algorithms["test-a"]),
        active_id="test-b",
    )


def restore(source: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("restore", str(source), stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def backed_up(tmp_path, counselor, supervisor, xlt):
    case, _wife, _ = couple(xlt, counselor)
    target = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup", "--output", str(target), stdout=out)
    return target, case, out.getvalue()


def test_a_backup_has_a_manifest_of_rows_and_checksum_and_no_key(backed_up):
    target, _case, printed = backed_up

    manifest = json.loads((target / "manifest.json").read_text())
    files = b"".join(path.read_bytes() for path in target.iterdir())

    assert manifest["rows"]["mediation_case"] == 1
    assert manifest["rows"]["mediation_party"] == 2
    assert manifest["key_ids"] == {"test-a": manifest["key_ids"]["test-a"]}
    assert manifest["keys_included"] is False
    assert "test-a" in printed
    for key in [
        *TEST_RING.keys.values(),
        *TEST_RING.audit_keys.values(),
        TEST_RING.blind_index_key,
    ]:
        assert key not in files
        assert key.hex().encode() not in files


def test_a_restore_refuses_a_database_that_is_not_empty(backed_up):
    target, _, _ = backed_up

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target), stdout=io.StringIO())


def test_the_drill_restores_into_an_empty_database_and_verifies_it(backed_up, counselor):
    target, case, _ = backed_up

    with empty_database():
        code, printed = restore(target)
        note = SessionNote.objects.get(session__case__uuid=case.uuid)
        opened = services.read_note(user=counselor, note=note)

    assert code == 0, printed
    assert "keys status: ok" in printed
    assert "audit verify: ok" in printed
    assert "The restore is verified." in printed
    assert opened.values["body"] == "联合会谈：双方愿意再谈"


def test_a_backup_from_before_a_rotation_restores_with_todays_ring(backed_up):
    target, _, _ = backed_up
    keyring.use(ring_with(**TEST_RING.keys, **{"test-b": bytes(range(100, 132))}))
    try:
        with empty_database():
            code, printed = restore(target)
    finally:
        keyring.use(TEST_RING)

    assert code == 0, printed
    assert "run keys rotate)" in printed
    assert "test-a" in printed


def test_without_the_old_key_the_restore_says_so_and_fails(backed_up):
    target, _, _ = backed_up
    keyring.use(ring_with(**{"test-b": bytes(range(100, 132))}))
    try:
        with empty_database():
            code, printed = restore(target)
    finally:
        keyring.use(TEST_RING)

    assert code == 1
    assert "NOT LOADED" in printed
    assert "The restore is NOT verified" in printed


def test_a_restore_of_an_older_backup_says_which_events_it_lost(backed_up, counselor, xlt):
    target, _, _ = backed_up
    couple(xlt, counselor, when=timezone.now() - timedelta(days=5))  # after the backup
    call_command("audit", "checkpoint", stdout=io.StringIO())

    with empty_database():
        code, printed = restore(target)

    assert code == 0, printed
    assert "events written after this backup" in printed
