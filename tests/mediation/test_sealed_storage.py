"""Sealed data on the real database: plaintext never reaches the stored bytes, and every failure
is loud, specific and writes nothing (SECURITY.md)."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mediation import keyring, services
from mediation.models import AuditEvent, Party, SessionNote
from tests.factories import held_session_with_note, open_divorce_case
from tests.helpers import error_codes


def raw_bytes_of(table: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # fixed table names
        rows = cursor.fetchall()
    return b"".join(
        bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        for row in rows
        for value in row
    )


def test_notes_and_names_never_appear_in_the_stored_bytes(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    services.update_party(
        party=party,
        updated_by=counselor,
        name="张秘密",
        id_number="11010519491231002X",
        phone="13800001111",
    )
    held_session_with_note(case, counselor, body="示例笔记：家暴线索需保密")

    stored = raw_bytes_of("mediation_party") + raw_bytes_of("mediation_sessionnote")

    for secret in ("张秘密", "11010519491231002X", "13800001111", "示例笔记", "家暴线索"):
        assert secret.encode() not in stored


def test_the_assigned_counsellor_reads_the_note_and_the_read_is_recorded(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    _, note = held_session_with_note(case, counselor, body="示例笔记：双方愿意再谈")

    opened = services.read_note(user=counselor, note=note)

    assert opened.ok
    assert opened.values["body"] == "示例笔记：双方愿意再谈"
    assert AuditEvent.objects.filter(
        action="note.read", object_uuid=str(note.uuid), outcome="ok"
    ).exists()


def copy_sealed(source, target, field):
    type(target).objects.filter(pk=target.pk).update(
        **{f"{field}_sealed": getattr(source, f"{field}_sealed")}
    )
    target.refresh_from_db()


def test_a_note_body_copied_to_another_note_does_not_open(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    _, first = held_session_with_note(case, counselor, body="示例笔记：甲")
    other_case = open_divorce_case(xlt, counselor)
    later = first.session.starts_at + timedelta(hours=2)
    _, second = held_session_with_note(other_case, counselor, body="示例笔记：乙", when=later)
    copy_sealed(first, second, "body")
    stored_before = bytes(SessionNote.objects.get(pk=second.pk).body_sealed)

    opened = services.read_note(user=counselor, note=second)

    assert not opened.ok
    assert opened.error == "记录完整性校验失败，已通知管理员。"
    assert "甲" not in str(opened.values)
    assert bytes(SessionNote.objects.get(pk=second.pk).body_sealed) == stored_before
    assert AuditEvent.objects.filter(
        action="note.read", outcome="failed", details__reason="integrity"
    ).exists()


def test_a_value_moved_to_another_field_of_the_same_row_does_not_open(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    party = services.update_party(
        party=party, updated_by=counselor, name="李某", phone="13900002222"
    )
    Party.objects.filter(pk=party.pk).update(phone_sealed=party.name_sealed)
    party.refresh_from_db()

    opened = services.read_party_identity(user=counselor, party=party, fields=("phone",))

    assert not opened.ok
    assert "李某" not in str(opened.values)


def test_a_flipped_byte_in_a_stored_note_fails_its_integrity_check(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    _, note = held_session_with_note(case, counselor)
    blob = bytearray(bytes(note.body_sealed))
    blob[20] ^= 0x40
    SessionNote.objects.filter(pk=note.pk).update(body_sealed=bytes(blob))
    note.refresh_from_db()

    assert (
        services.read_note(user=counselor, note=note).error == "记录完整性校验失败，已通知管理员。"
    )


def test_a_missing_key_says_so_in_chinese_and_writes_nothing(counselor, xlt, test_key_ring):
    case = open_divorce_case(xlt, counselor)
    _, note = held_session_with_note(case, counselor)
    other_ring = replace(
        test_key_ring, keys={"other": bytes([9]) * 32}, algorithms={}, active_id="other"
    )
    keyring.use(other_ring)
    try:
        note = SessionNote.objects.get(pk=note.pk)
        opened = services.read_note(user=counselor, note=note)
        with pytest.raises(ValidationError) as refused_save:
            services.save_note(
                session=note.session, author=counselor, body="新内容", expected_version=note.version
            )
    finally:
        keyring.use(test_key_ring)

    assert opened.error == "该记录的加密密钥当前不可用，请联系系统管理员。"
    assert error_codes(refused_save.value) == {"key_unavailable"}
    assert (
        services.read_note(user=counselor, note=SessionNote.objects.get(pk=note.pk)).values["body"]
        == "示例笔记：第一次面谈"
    )
    assert AuditEvent.objects.filter(
        action="note.read", outcome="failed", details__reason="key_unavailable"
    ).exists()


def test_nothing_decrypts_in_str_or_repr(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    services.update_party(party=party, updated_by=counselor, name="王秘密")
    _, note = held_session_with_note(case, counselor, body="示例笔记：机密")

    shown = f"{party} {party!r} {note} {note!r}"

    assert "王秘密" not in shown
    assert "机密" not in shown
