"""The demo data: every state a counsellor meets, and its notes sealed on disk."""

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from mediation import demo, services
from mediation.models import Case, OutcomeKind, SessionNote, User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_demo_cases_cover_every_state_and_are_idempotent():
    demo.seed_accounts()
    first = demo.seed_cases()
    again = demo.seed_cases()

    kinds = set(Case.objects.filter(outcome__isnull=False).values_list("outcome__kind", flat=True))
    assert first == 43
    assert again == 0
    assert kinds == {
        OutcomeKind.RECONCILED,
        OutcomeKind.LAPSED,
        OutcomeKind.DIVORCED,
        OutcomeKind.DECLINED,
    }
    assert Case.objects.filter(status="open", deadlines_provisional=True).exists()
    assert Case.objects.filter(joint_sessions_blocked=True).count() == 4


def test_demo_notes_are_readable_by_their_counsellor_and_absent_from_the_database_file():
    demo.seed_accounts()
    demo.seed_cases()
    counselor = User.objects.get(username="counselor_xlt")
    note = SessionNote.objects.filter(session__case__office__code="XLT").first()

    opened = services.read_note(user=counselor, note=note)

    assert "示例笔记" in opened.values["body"]
    if connection.vendor == "sqlite":
        # Read by another process: closing a descriptor of the database file in this process
        # would drop SQLite's POSIX locks held by this process's other connections.
        name = Path(connection.settings_dict["NAME"])
        files = [str(path) for path in (name, name.with_name(name.name + "-wal")) if path.exists()]
        stored = subprocess.run(["cat", *files], capture_output=True, check=True).stdout
        assert len(stored) > 100_000
        assert "示例笔记".encode() not in stored
        assert "张伟".encode() not in stored
