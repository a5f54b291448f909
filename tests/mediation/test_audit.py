"""The audit trail: hash-chained, append-only in the database, verified by a command."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from mediation import audit
from mediation.models import AuditEvent


def write_events(user, count=3):
    return [audit.record(actor=user, action="test.event", details={"n": n}) for n in range(count)]


def test_the_chain_verifies_after_normal_use(counselor):
    write_events(counselor)

    result = audit.verify()

    assert result.ok and result.checked >= 3


def test_each_event_links_to_the_one_before(counselor):
    first, second, _ = write_events(counselor)

    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE mediation_auditevent SET action = 'x'", "DELETE FROM mediation_auditevent"],
)
def test_the_database_refuses_to_change_or_delete_events(counselor, statement):
    write_events(counselor, 1)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditEvent.objects.filter(action="test.event").count() == 1


def tamper(sql: str, *params) -> None:
    """What an attacker with database access would do: lift the trigger, change, restore it."""
    import importlib

    triggers = importlib.import_module("mediation.migrations.0006_audit_append_only")
    with connection.cursor() as cursor:
        for statement in triggers.statements(connection.vendor, up=False):
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in triggers.statements(connection.vendor, up=True):
            cursor.execute(statement)


def test_verify_names_the_first_altered_event(counselor):
    events = write_events(counselor, 5)
    tamper("UPDATE mediation_auditevent SET office_code = 'PS' WHERE seq = %s", events[2].seq)

    result = audit.verify()

    assert not result.ok
    assert result.broken_seq == events[2].seq
    assert "does not match" in result.reason


def test_verify_notices_a_deleted_event(counselor):
    events = write_events(counselor, 4)
    tamper("DELETE FROM mediation_auditevent WHERE seq = %s", events[1].seq)

    result = audit.verify()

    assert not result.ok and result.broken_seq == events[1].seq


def test_verify_notices_events_cut_from_the_end(counselor):
    events = write_events(counselor, 4)
    tamper("DELETE FROM mediation_auditevent WHERE seq = %s", events[-1].seq)

    assert not audit.verify().ok


def test_no_sealed_content_in_events(counselor, xlt):
    from mediation import services
    from tests.factories import held_session_with_note, open_divorce_case

    case = open_divorce_case(xlt, counselor)
    services.update_party(party=case.parties.first(), updated_by=counselor, name="赵保密")
    _, note = held_session_with_note(case, counselor, body="示例笔记：审计不应包含")
    services.read_note(user=counselor, note=note)

    dumped = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())

    assert "赵保密" not in dumped and "审计不应包含" not in dumped


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_audit_command_exits_non_zero_after_tampering(counselor):
    write_events(counselor, 3)
    env = subprocess_env()

    intact = subprocess.run(
        [sys.executable, "manage.py", "audit", "verify"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    tamper(
        "UPDATE mediation_auditevent SET action = 'forged' WHERE seq = (SELECT MIN(seq) FROM mediation_auditevent)"
    )
    broken = subprocess.run(
        [sys.executable, "manage.py", "audit", "verify"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert intact.returncode == 0, intact.stderr
    assert broken.returncode == 1
    assert "broken at event #1" in broken.stderr


def subprocess_env() -> dict[str, str]:
    """The environment for a manage.py run against this test database."""
    import base64
    import json
    import os

    from tests.conftest import TEST_RING

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": url,
        "TONGXIN_ENV_FILE": "/nonexistent",
        "TONGXIN_KEYS": json.dumps(
            {k: base64.b64encode(v).decode() for k, v in TEST_RING.keys.items()}
        ),
        "TONGXIN_ACTIVE_KEY": TEST_RING.active_id,
        "TONGXIN_BLIND_INDEX_KEY": base64.b64encode(TEST_RING.blind_index_key).decode(),
    }


def test_sign_ins_and_failed_sign_ins_are_events(client, counselor):
    client.post("/login/", {"username": counselor.username, "password": "wrong-password-1"})
    client.post("/login/", {"username": counselor.username, "password": "tongxin-demo-2026"})

    actions = list(AuditEvent.objects.filter(actor=counselor).values_list("action", "outcome"))

    assert ("auth.login", "denied") in actions
    assert ("auth.login", "ok") in actions


def test_the_audit_administrator_browses_the_trail_without_sealed_content(
    client, auditadmin, counselor, xlt
):
    from mediation import services
    from tests.factories import open_divorce_case

    case = open_divorce_case(xlt, counselor)
    services.update_party(party=case.parties.first(), updated_by=counselor, name="钱保密")
    client.force_login(auditadmin)

    page = client.get("/mediation/audit/?action=party&verify=1")

    assert page.status_code == 200
    assert "party.update" in page.text and "钱保密" not in page.text
    assert "审计日志完整" in page.text


def test_the_audit_page_is_404_for_everyone_else(
    client, counselor, civil_affairs, sysadmin, secadmin
):
    for user in (counselor, civil_affairs, sysadmin, secadmin):
        client.force_login(user)
        assert client.get("/mediation/audit/").status_code == 404


def test_the_audit_administrator_exports_the_filtered_trail_and_the_export_is_recorded(
    client, auditadmin, counselor, xlt
):
    from tests.factories import open_divorce_case

    open_divorce_case(xlt, counselor)
    client.force_login(auditadmin)

    response = client.get("/mediation/audit/export.csv", {"action": "consent"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("seq,at,actor_username,role")
    assert len(lines) > 1 and all(",consent." in line for line in lines[1:])
    event = AuditEvent.objects.get(action="audit.export")
    assert (event.actor, event.details["filters"]) == (auditadmin, {"action": "consent"})
