"""Sealed data, for both suites side by side (AES-256-GCM + HMAC-SHA256, SM4-GCM + HMAC-SM3):
seal + open per note, the blind index and an audit link's MAC, what reading the notes of a page
costs in crypto and audit, and key rotation rows per second (a rewrap within a cipher, a reseal
from AES to SM4). BENCH_ROTATION_ROWS changes the rotation's size (default 20,000)."""

import logging
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from bench._timing import engine, median_seconds
from mediation import audit, crypto, keyring, keys, sealing, services
from mediation.demo import seed_accounts
from mediation.models import AuditEvent, CounselingSession, RegistryOffice, SessionNote, User

NOTE = "示例笔记：" + "双方就子女抚养、家务分工和沟通方式进行了深入交流，情绪逐渐平稳。" * 8
ROTATION_ROWS = int(os.environ.get("BENCH_ROTATION_ROWS", "20000"))
SUITES = [crypto.SUITES["aes"], crypto.SUITES["sm"]]


def ring_of(suite: crypto.Suite, key_id: str = "bench") -> crypto.KeyRing:
    return crypto.new_ring(suite, key_id=key_id, audit_id=f"{key_id}-audit")


def per_note_microseconds(suite: crypto.Suite) -> float:
    aad = crypto.aad_for("mediation_sessionnote", "00000000-0000-0000-0000-000000000000", "body")
    ring = ring_of(suite)

    def one_note():
        data_key = crypto.new_data_key(ring)
        key_id, wrapped = crypto.wrap_data_key(ring, data_key, context=b"t|u")
        blob = crypto.seal_text(data_key, NOTE, aad=aad)
        crypto.unwrap_data_key(ring, key_id, wrapped, context=b"t|u")
        crypto.open_text(data_key, blob, aad=aad)

    return median_seconds(lambda: [one_note() for _ in range(1000)], repeat=5) / 1000 * 1e6


def mac_microseconds(suite: crypto.Suite) -> tuple[float, float]:
    key = crypto.new_key()
    index = median_seconds(
        lambda: [crypto.blind_index(key, "11010519491231002X", suite.mac) for _ in range(1000)]
    )
    row = {
        "seq": 1,
        "at": timezone.now(),
        "actor_id": 1,
        "actor_username": "counselor_xlt",
        "role": "counselor",
        "office_code": "XLT",
        "action": "note.read",
        "object_type": "counselingsession",
        "object_uuid": "00000000-0000-0000-0000-000000000000",
        "outcome": "ok",
        "request_id": "0" * 32,
        "details": {"records": [{"type": "sessionnote", "uuid": "x", "fields": ["body"]}] * 10},
    }
    link = median_seconds(
        lambda: [
            audit.link_mac(
                algorithm=suite.mac,
                key=key,
                key_id="a",
                position=n,
                previous=audit.GENESIS,
                content=audit.content_of(row),
            )
            for n in range(1000)
        ]
    )
    return index / 1000 * 1e6, link / 1000 * 1e6


def primitives() -> None:
    print("suite                   seal+open a note   blind index   audit link")
    for suite in SUITES:
        note = per_note_microseconds(suite)
        index, link = mac_microseconds(suite)
        print(
            f"{suite.name:4} ({suite.cipher.name}, {suite.mac[5:]:6})"
            f"  {note:8.1f} µs        {index:6.1f} µs     {link:6.1f} µs"
        )
    print(f"  (one note of {len(NOTE)} characters, envelope included; medians of 5 × 1000)")


def _case_with_sessions(count: int):
    seed_accounts()
    office = RegistryOffice.objects.get(code="XLT")
    counselor = User.objects.get(username="counselor_xlt")
    case = services.open_case(
        office=office,
        port="divorce",
        category="marital",
        received_on=date(2026, 9, 1),
        opened_by=counselor,
    )
    start = timezone.now() - timedelta(days=400)
    sessions = CounselingSession.objects.bulk_create(
        CounselingSession(
            case=case,
            office=office,
            kind="joint",
            starts_at=start + timedelta(minutes=n),
            room=f"R{n}",
            lead_counselor=counselor,
            booked_by=counselor,
            booked_at=start,
            status="held",
        )
        for n in range(count)
    )
    return case, counselor, sessions


def page_with_ten_notes(suite: crypto.Suite) -> None:
    """The session page of a case with ten notes: the crypto, the one audit event of the page,
    and read_session_notes in all (door, crypto, audit)."""
    keyring.use(ring_of(suite))
    case, counselor, sessions = _case_with_sessions(1)
    session = sessions[0]
    now = timezone.now()
    authors = [
        User.objects.get_or_create(username=f"bench_author_{n}", defaults={"full_name": "作者"})[0]
        for n in range(10)
    ]
    for author in authors:
        note = SessionNote(session=session, author=author, created_at=now, updated_at=now)
        sealing.seal(note, body=NOTE, assessment="介入评估")
        note.save()

    def fresh():
        return list(SessionNote.objects.filter(session=session))

    crypto_only = median_seconds(lambda: [sealing.open_fields(n) for n in fresh()]) - (
        median_seconds(fresh)
    )
    before = AuditEvent.objects.count()
    whole = median_seconds(
        lambda: services.read_session_notes(user=counselor, session=session), repeat=7
    )
    events = (AuditEvent.objects.count() - before) / 8  # warm-up + 7 runs
    print(
        f"10 notes on one page ({engine()}, {suite.name}): crypto {crypto_only * 1000:.2f} ms, "
        f"read_session_notes in all (door + crypto + audit) {whole * 1000:.2f} ms, "
        f"{events:.0f} audit event per page"
    )
    CounselingSession.objects.filter(case=case).delete()


def rotation(source: crypto.Suite, target: crypto.Suite) -> None:
    first = ring_of(source, "old")
    keyring.use(first)
    case, counselor, sessions = _case_with_sessions(ROTATION_ROWS)
    now = timezone.now()
    batch = []
    for session in sessions:
        note = SessionNote(session=session, author=counselor, created_at=now, updated_at=now)
        sealing.seal(note, body=NOTE)
        batch.append(note)
        if len(batch) == 5000:
            SessionNote.objects.bulk_create(batch)
            batch = []
    SessionNote.objects.bulk_create(batch)
    keyring.use(first.with_master_key("new", crypto.new_key(target.cipher), target.cipher))

    with override_settings(TONGXIN_CRYPTO_SUITE=target.name):
        started = time.perf_counter()
        progress = keys.rotate(batch_size=1000)
        elapsed = time.perf_counter() - started
    rows = progress.done
    kind = "rewrap" if source == target else "reseal"
    print(
        f"rotate {rows} notes {source.cipher.name} -> {target.cipher.name} ({kind}, {engine()}): "
        f"{elapsed:.1f} s, {rows / elapsed:,.0f} rows/s"
    )
    SessionNote.objects.all().delete()
    CounselingSession.objects.filter(case=case).delete()


def main() -> None:
    logging.getLogger("tongxin.audit").setLevel(logging.WARNING)
    settings.TONGXIN_AUDIT_CHECKPOINT_FILE = Path(tempfile.mkdtemp()) / "checkpoints.log"
    previous = keyring._override
    try:
        primitives()
        for suite in SUITES:
            page_with_ten_notes(suite)
        rotation(crypto.SUITES["aes"], crypto.SUITES["aes"])
        rotation(crypto.SUITES["aes"], crypto.SUITES["sm"])
    finally:
        keyring.use(previous)
