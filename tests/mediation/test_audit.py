"""The audit trail: keyed links, append-only tables, signed checkpoints outside the database,
and a verification that an emptied, cut or rebuilt trail fails (SECURITY.md, 'Audit trail')."""

import io
import json
import os
import subprocess
import sys
import threading
from dataclasses import replace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from mediation import audit, audit_verify, crypto, keyring, services
from mediation.models import AuditChainHead, AuditEvent, AuditLink, AuditPending
from tests.conftest import APPEND_ONLY, TEST_RING, TEST_SUITE, fixed_ring, ring_environment
from tests.factories import held_session_with_note, open_divorce_case


def write_events(user, count=3):
    return [audit.record(actor=user, action="test.event", details={"n": n}) for n in range(count)]


def committed():
    """What the writer's commit does after it (a test's transaction never commits)."""
    audit.chain_pending()
    return audit.write_checkpoint()


def tamper(*statements) -> None:
    """What an attacker with the owner's database rights does: lift the triggers, change
    the tables, put the triggers back."""
    with connection.cursor() as cursor:
        for sql in APPEND_ONLY.statements(connection.vendor, up=False):
            cursor.execute(sql)
        for statement in statements:
            sql, *params = statement if isinstance(statement, tuple) else (statement,)
            cursor.execute(sql, params)
        for sql in APPEND_ONLY.statements(connection.vendor, up=True):
            cursor.execute(sql)


def test_the_chain_verifies_after_normal_use(counselor):
    write_events(counselor)
    committed()

    result = audit.verify()

    assert result.ok, result.reason
    assert result.checked >= 3
    assert result.checkpoint.position == result.checked


def test_each_event_is_linked_after_the_one_before_under_the_audit_key(counselor):
    first, second, third = write_events(counselor)

    links = list(AuditLink.objects.filter(event__in=[first, second, third]).order_by("position"))

    assert [link.event_id for link in links] == [first.seq, second.seq, third.seq]
    assert [link.position for link in links] == [links[0].position + n for n in range(3)]
    assert {link.key_id for link in links} == {TEST_RING.audit_active_id}
    assert not AuditPending.objects.exists()
    assert AuditChainHead.objects.get().last_hash == links[-1].mac


@pytest.mark.parametrize("suite", ["aes", "sm"])
def test_links_are_hmacs_of_the_suites_algorithm(counselor, suite):
    ring = fixed_ring(suite)
    keyring.use(ring)
    try:
        position, previous = audit.head()
        event = audit.record(actor=counselor, action="test.event")
        committed()
        verified = audit.verify()
    finally:
        keyring.use(TEST_RING)
    link = AuditLink.objects.get(event=event)
    row = AuditEvent.objects.filter(pk=event.pk).values(*audit._CONTENT).get()
    macs = {
        name: audit.link_mac(
            algorithm=name,
            key=ring.audit_keys["audit-a"],
            key_id="audit-a",
            position=position + 1,
            previous=previous,
            content=audit.content_of(row),
        )
        for name in crypto.MACS
    }

    assert verified.ok, verified.reason
    assert link.position == position + 1
    assert link.mac == macs[crypto.SUITES[suite].mac]
    assert len(set(macs.values())) == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE mediation_auditevent SET action = 'x'",
        "DELETE FROM mediation_auditevent",
        "UPDATE mediation_auditlink SET mac = 'x'",
        "DELETE FROM mediation_auditlink",
    ],
)
def test_the_database_refuses_to_change_or_delete_events_and_links(counselor, statement):
    write_events(counselor, 1)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditEvent.objects.filter(action="test.event").count() == 1
    assert AuditLink.objects.count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("table", ["mediation_auditevent", "mediation_auditlink"])
def test_postgresql_refuses_to_truncate_the_trail_even_for_its_owner(counselor, table):
    write_events(counselor, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys are checked now

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table} CASCADE")

    assert AuditLink.objects.count() == 1


def test_the_triggers_survive_the_migrations_on_both_engines(db):
    """Migration 0009 rebuilds the events table on SQLite, which drops its triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = {
                "mediation_auditevent_no_update",
                "mediation_auditevent_no_delete",
                "mediation_auditlink_no_update",
                "mediation_auditlink_no_delete",
            }
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = {
                "mediation_auditevent_append_only",
                "mediation_auditlink_append_only",
                "mediation_auditevent_no_truncate",
                "mediation_auditlink_no_truncate",
            }
        found = {name for (name,) in cursor.fetchall()}

    assert expected <= found


def test_verify_names_the_first_altered_event(counselor):
    events = write_events(counselor, 5)
    committed()
    position = AuditLink.objects.get(event=events[2]).position
    tamper(("UPDATE mediation_auditevent SET office_code = 'PS' WHERE seq = %s", events[2].seq))

    with translation.override("en"):
        result = audit.verify()

    assert not result.ok
    assert result.broken_seq == position
    assert "does not match its link" in result.reason


def test_verify_notices_a_deleted_event(counselor):
    events = write_events(counselor, 4)
    committed()
    position = AuditLink.objects.get(event=events[1]).position
    tamper(
        ("DELETE FROM mediation_auditlink WHERE event_seq = %s", events[1].seq),
        ("DELETE FROM mediation_auditevent WHERE seq = %s", events[1].seq),
    )

    result = audit.verify()

    assert not result.ok
    assert result.broken_seq == position


def test_verify_notices_events_cut_from_the_end_even_with_the_head_set_back(counselor):
    events = write_events(counselor, 4)
    committed()
    before_last = AuditLink.objects.get(event=events[-2])
    tamper(
        ("DELETE FROM mediation_auditlink WHERE event_seq = %s", events[-1].seq),
        ("DELETE FROM mediation_auditevent WHERE seq = %s", events[-1].seq),
        (
            "UPDATE mediation_auditchainhead SET last_seq = %s, last_hash = %s",
            before_last.position,
            before_last.mac,
        ),
    )

    result = audit.verify()

    assert not result.ok
    assert result.broken_seq == before_last.position + 1  # what the checkpoint vouched for


def test_a_checkpoint_line_altered_or_forged_fails_verification(counselor, audit_checkpoints):
    write_events(counselor, 2)
    committed()
    line = json.loads(audit_checkpoints.read_text().splitlines()[-1])
    forged = {**line, "position": line["position"] + 5}
    with audit_checkpoints.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")

    with translation.override("en"):
        result = audit.verify()

    assert not result.ok
    assert "Line 2 of the checkpoint file" in result.reason


def test_a_trail_without_any_checkpoint_is_not_confirmed(counselor, audit_checkpoints):
    write_events(counselor, 2)

    result = audit.verify()

    assert not result.ok
    assert str(audit_checkpoints) in result.reason


def test_an_empty_trail_without_checkpoints_verifies(db):
    assert audit.verify().ok


def test_the_audit_key_rotates_from_the_head_and_old_links_keep_verifying(counselor):
    first = write_events(counselor, 2)
    rotated = TEST_RING.with_audit_key("audit-b", bytes(range(100, 132)), crypto.HMAC_SM3)
    keyring.use(rotated)
    try:
        later = write_events(counselor, 2)
        committed()
        both = audit.verify()
        keyring.use(replace(rotated, audit_keys={"audit-b": rotated.audit_keys["audit-b"]}))
        without_old = audit.verify()
    finally:
        keyring.use(TEST_RING)

    keys = dict(AuditLink.objects.filter(event__in=first + later).values_list("event_id", "key_id"))
    assert [keys[e.seq] for e in first + later] == ["audit-a", "audit-a", "audit-b", "audit-b"]
    assert both.ok, both.reason
    assert not without_old.ok
    assert "audit-a" in without_old.reason


def test_a_link_made_with_an_old_audit_key_after_a_newer_one_is_refused(counselor):
    rotated = TEST_RING.with_audit_key("audit-b", bytes(range(100, 132)), crypto.HMAC_SHA256)
    write_events(counselor, 1)
    keyring.use(rotated)
    try:
        write_events(counselor, 1)
    finally:
        keyring.use(TEST_RING)
    forged = write_events(counselor, 1)[0]  # made with audit-a again, as a thief of it would
    committed()
    keyring.use(rotated)
    try:
        result = audit.verify()
    finally:
        keyring.use(TEST_RING)

    assert not result.ok
    assert result.broken_seq == AuditLink.objects.get(event=forged).position


def legacy_trail(count: int) -> list[AuditEvent]:
    """Events as Tongxin wrote them before keyed links: a plain SHA-256 chain and its head."""
    previous, events = audit.GENESIS, []
    for n in range(1, count + 1):
        event = AuditEvent(
            seq=n,
            at=timezone.now(),
            role="system",
            action="legacy.event",
            outcome="ok",
            details={"n": n},
            prev_hash=previous,
        )
        event.hash = previous = audit.legacy_hash(event)
        event.save(force_insert=True)
        events.append(event)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('mediation_auditevent', 'seq'), %s)",
                [count],
            )
    AuditChainHead.objects.update_or_create(
        id=1, defaults={"last_seq": count, "last_hash": previous}
    )
    return events


def test_an_upgraded_trail_switches_to_keyed_links_and_keeps_its_legacy_part_verifiable(
    counselor,
):
    legacy = legacy_trail(3)

    event = audit.record(actor=counselor, action="test.event")
    committed()

    switch, first = AuditLink.objects.order_by("position")[:2]
    assert switch.position == 4
    assert switch.event.action == audit.SWITCH_OVER
    assert switch.event.details["legacy_head"] == legacy[-1].hash
    assert first.event == event
    assert first.position == 5
    assert audit.verify().ok


def test_a_legacy_trail_not_yet_switched_over_does_not_verify_until_the_checkpoint_command(
    db,
):
    legacy_trail(2)

    before = audit.verify()
    call_command("audit", "checkpoint", stdout=io.StringIO())
    after = audit.verify()

    assert not before.ok
    assert "SHA-256" in before.reason
    assert after.ok
    assert after.checked == 3


def test_rewriting_the_legacy_part_after_the_switch_over_is_found(counselor):
    legacy = legacy_trail(3)
    audit.record(actor=counselor, action="test.event")
    committed()
    forged = AuditEvent(**{**AuditEvent.objects.values().get(seq=2), "office_code": "PS"})
    forged_hash = audit.legacy_hash(forged)
    third = AuditEvent(**{**AuditEvent.objects.values().get(seq=3), "prev_hash": forged_hash})
    tamper(
        (
            "UPDATE mediation_auditevent SET office_code = 'PS', hash = %s WHERE seq = 2",
            forged_hash,
        ),
        (
            "UPDATE mediation_auditevent SET prev_hash = %s, hash = %s WHERE seq = 3",
            forged_hash,
            audit.legacy_hash(third),
        ),
    )

    result = audit.verify()

    assert legacy[1].hash != forged_hash
    assert not result.ok
    assert result.broken_seq == 3


def empty_the_trail() -> None:
    """Triggers dropped, every table of the trail emptied (TRUNCATE where there is one)."""
    tables = "mediation_auditpending, mediation_auditlink, mediation_auditevent, mediation_auditchainhead"
    if connection.vendor == "postgresql":
        tamper(f"TRUNCATE {tables}")
    else:
        tamper(*(f"DELETE FROM {table}" for table in tables.split(", ")))


def rebuild_with_plain_sha256(office_code: str = "PS") -> None:
    """Triggers dropped, links removed, one event altered and the whole trail chained again
    with plain SHA-256 from 1, as the code before keyed links did."""
    rows = list(AuditEvent.objects.order_by("seq").values())
    statements: list[str | tuple] = [
        "DELETE FROM mediation_auditpending",
        "DELETE FROM mediation_auditlink",
        "DELETE FROM mediation_auditevent",
    ]
    previous = audit.GENESIS
    for number, row in enumerate(rows, start=1):
        event = AuditEvent(**{**row, "seq": number, "prev_hash": previous})
        if number == 1:
            event.office_code = office_code
        event.hash = previous = audit.legacy_hash(event)
        json_value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        statements.append(
            (
                "INSERT INTO mediation_auditevent (seq, at, actor_id, actor_username, role, "
                "office_code, action, object_type, object_uuid, outcome, request_id, details, "
                f"prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                f"{json_value}, %s, %s)",
                number,
                connection.ops.adapt_datetimefield_value(event.at),
                event.actor_id,
                event.actor_username,
                event.role,
                event.office_code,
                event.action,
                event.object_type,
                event.object_uuid,
                event.outcome,
                event.request_id,
                json.dumps(event.details),
                event.prev_hash,
                event.hash,
            )
        )
    statements.append(
        ("UPDATE mediation_auditchainhead SET last_seq = %s, last_hash = %s", len(rows), previous)
    )
    tamper(*statements)


def manage_audit_verify(env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "audit", "verify"],
        cwd=settings.BASE_DIR,
        env=env or subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("attack", "why"),
    [(empty_the_trail, "清空"), (rebuild_with_plain_sha256, "SHA-256")],
    ids=["emptied", "rebuilt with plain SHA-256"],
)
def test_audit_verify_exits_non_zero_and_says_why_after_the_trail_is_emptied_or_rebuilt(
    counselor, attack, why
):
    write_events(counselor, 4)  # committed: linked and checkpointed after each commit
    intact = manage_audit_verify()

    attack()
    broken = manage_audit_verify()
    with translation.override("en"):
        english = audit.verify()

    assert intact.returncode == 0, intact.stderr
    assert "审计日志完整" in intact.stdout
    assert broken.returncode == 1
    assert why in broken.stderr
    assert not english.ok
    assert "emptied" in english.reason or "SHA-256" in english.reason


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_commit_writes_a_signed_checkpoint_to_the_file_and_the_log(
    counselor, audit_checkpoints, caplog
):
    with caplog.at_level("INFO", logger="tongxin.audit"):
        events = write_events(counselor, 2)

    lines = [json.loads(line) for line in audit_checkpoints.read_text().splitlines()]
    last = AuditLink.objects.get(event=events[-1])
    assert [line["position"] for line in lines] == [last.position - 1, last.position]
    assert lines[-1]["mac"] == last.mac
    assert lines[-1]["key_id"] == TEST_RING.audit_active_id
    assert audit_verify.latest_checkpoint(TEST_RING).position == last.position
    assert sum("audit checkpoint" in record.message for record in caplog.records) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_transaction_of_many_events_writes_one_checkpoint(counselor, audit_checkpoints):
    with transaction.atomic():
        write_events(counselor, 5)

    assert len(audit_checkpoints.read_text().splitlines()) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_each_get_a_link_and_the_chain_verifies(counselor):
    """On PostgreSQL the writers' commits overlap and their events are linked in batches; on
    SQLite they queue for the database. Either way no event is left unlinked."""
    errors = []

    def writer():
        try:
            for n in range(10):
                audit.record(actor=counselor, action="test.concurrent", details={"n": n})
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    result = audit.verify()
    assert errors == []
    assert AuditLink.objects.filter(event__action="test.concurrent").count() == 80
    assert not AuditPending.objects.exists()
    assert result.ok, result.reason


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_writer_lets_go_of_the_chains_lock_once_its_events_are_linked(counselor):
    """After its commit a writer links under the session's lock; holding it on would leave every
    other writer's events waiting for the task worker."""
    # An event whose writer found the lock taken: it waits for the next writer to link it.
    AuditEvent.objects.create(at=timezone.now(), role="system", action="test.left", outcome="ok")
    audit.record(actor=counselor, action="test.next")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        held = cursor.fetchone()[0]
    assert held == 0
    assert AuditLink.objects.filter(event__action__in=["test.left", "test.next"]).count() == 2
    assert not AuditPending.objects.exists()


def test_events_left_unlinked_fail_verification_until_the_checkpoint_command_links_them(
    counselor, time_machine
):
    write_events(counselor, 1)
    committed()
    with transaction.atomic():
        # A writer that committed and died before linking, while another held the lock (the
        # database queued the event for its link).
        event = AuditEvent.objects.create(
            at=timezone.now(), role="system", action="test.orphan", outcome="ok"
        )
    time_machine.shift(audit.UNLINKED_GRACE * 2)

    stale = audit.verify()
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)

    assert not stale.ok
    assert "1" in stale.reason
    assert AuditLink.objects.filter(event=event).exists()
    assert audit.verify().ok


def test_the_audit_command_speaks_the_active_language(counselor):
    write_events(counselor, 1)
    committed()

    with translation.override("en"):
        english = io.StringIO()
        call_command("audit", "verify", stdout=english)
    chinese = io.StringIO()
    with translation.override("zh-hans"):
        call_command("audit", "verify", stdout=chinese)

    assert "The audit trail is intact" in english.getvalue()
    assert "审计日志完整" in chinese.getvalue()


def test_no_sealed_content_in_events(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    services.update_party(party=case.parties.first(), updated_by=counselor, name="赵保密")
    _, note = held_session_with_note(case, counselor, body="示例笔记：审计不应包含")
    services.read_note(user=counselor, note=note)

    dumped = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())

    assert "赵保密" not in dumped
    assert "审计不应包含" not in dumped


def subprocess_env() -> dict[str, str]:
    """The environment for a manage.py run against this test database, with the test ring."""
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
        "TONGXIN_CRYPTO_SUITE": TEST_SUITE,
        "TONGXIN_AUDIT_CHECKPOINT_FILE": str(settings.TONGXIN_AUDIT_CHECKPOINT_FILE),
        **ring_environment(TEST_RING),
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
    case = open_divorce_case(xlt, counselor)
    services.update_party(party=case.parties.first(), updated_by=counselor, name="钱保密")
    client.force_login(auditadmin)
    committed()

    page = client.get("/mediation/audit/?action=party&verify=1")

    assert page.status_code == 200
    assert "party.update" in page.text
    assert "钱保密" not in page.text
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
    open_divorce_case(xlt, counselor)
    client.force_login(auditadmin)

    response = client.get("/mediation/audit/export.csv", {"action": "consent"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("seq,at,actor_username,role")
    assert len(lines) > 1
    assert all(",consent." in line for line in lines[1:])
    event = AuditEvent.objects.get(action="audit.export")
    assert (event.actor, event.details["filters"]) == (auditadmin, {"action": "consent"})
