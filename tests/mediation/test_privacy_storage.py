"""After a deletion the database files themselves hold no trace of the person: not the data
keys, not the ciphertexts, not the blind-index entry — so not even every key of the ring opens
anything again. SQLite's freed cells (secure_delete) and write-ahead log, PostgreSQL's dead row
versions (VACUUM FULL after the commit) are what this checks, on the raw files."""

import glob
import io
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from mediation.models import Party, SafetyScreen
from mediation.services import erasure, person_requests
from tests.mediation.test_privacy import WIFE_ID, couple

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _postgresql_files() -> list[Path]:
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT current_setting('data_directory')")
            roots = [cursor.fetchone()[0]]
        except Exception:
            roots = glob.glob("/var/lib/postgresql/*/main")
        cursor.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN (current_schema(), 'pg_toast') AND c.relkind IN ('r', 't', 'i') "
            "AND pg_relation_filepath(c.oid) IS NOT NULL"
        )
        relative = [row[0] for row in cursor.fetchall()]
    for root in roots:
        base = Path(root)
        if not os.access(base, os.R_OK):
            continue
        files = []
        for path in relative:
            files += [Path(p) for p in glob.glob(str(base / path) + "*")]
        return files
    pytest.skip("the PostgreSQL data directory cannot be read from here")


def checkpoint() -> None:
    """Write PostgreSQL's shared buffers to the files (CHECKPOINT needs a superuser, or the
    pg_checkpoint role: run it as the postgres user when the tests run as root)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
        return
    except Exception:
        connection.rollback() if connection.in_atomic_block else None
    if os.geteuid() != 0:
        pytest.skip("CHECKPOINT needs the pg_checkpoint role")
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-qc", "CHECKPOINT"],
        check=True,
        capture_output=True,
    )


def database_bytes() -> bytes:
    """Every byte of the database's files, as a thief with the disk would have them."""
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        files = [Path(name), Path(f"{name}-wal")]
    else:
        checkpoint()
        files = _postgresql_files()
    return b"".join(path.read_bytes() for path in files if path.exists())


def scrubbed(limit: float = 180) -> None:
    """Wait until the deletion's freed row versions are scrubbed: on PostgreSQL a transaction
    older than the deletion (another test's, in any database of the cluster) keeps them until
    it ends, and the scrub is retried as the nightly purge retries it."""
    deadline = time.monotonic() + limit
    while erasure.scrub_pending():
        if time.monotonic() > deadline:
            pytest.fail("an older transaction kept the deleted row versions for minutes")
        time.sleep(2)


def blob(value: object) -> bytes:
    assert isinstance(value, (bytes, memoryview)), "a sealed value was expected"
    return bytes(value)


def traces_of(party: Party) -> dict[str, bytes]:
    """What would let someone with every key of the ring open the party's data again."""
    screen = SafetyScreen.objects.get(party=party)
    return {
        "party data key": blob(party.wrapped_key),
        "name": blob(party.name_sealed),
        "ID number": blob(party.id_number_sealed),
        "blind index": party.id_index.encode(),
        "name index": party.name_index.encode(),
        "screen data key": blob(screen.wrapped_key),
        "answers": blob(screen.answers_sealed),
    }


def test_after_a_deletion_the_raw_database_and_a_backup_hold_no_trace_of_the_person(
    supervisor, counselor, xlt, tmp_path
):
    _, wife, _ = couple(xlt, counselor)
    traces = traces_of(wife)
    before = database_bytes()
    assert any(trace in before for trace in traces.values()), "the test must see the files"

    person_requests.handle_deletion_request(party=wife, handled_by=supervisor)

    scrubbed()
    after = database_bytes()
    for what, trace in traces.items():
        assert trace not in after, what
    assert WIFE_ID.encode() not in after
    call_command("backup", "--output", str(tmp_path / "after"), stdout=io.StringIO())
    backup = b"".join(path.read_bytes() for path in (tmp_path / "after").iterdir())
    for what, trace in traces.items():
        assert trace not in backup, what
