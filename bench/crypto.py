"""Sealed data: seal + open per note, key rotation rows per second, and what reading the notes
of a page costs in crypto and audit (issue 'Sealed data')."""

import time
from datetime import date, timedelta

from django.utils import timezone

from bench._timing import engine, median_seconds
from mediation import audit, crypto, keyring, sealing, services
from mediation.demo import seed_accounts
from mediation.models import CounselingSession, RegistryOffice, SessionNote, User

NOTE = "示例笔记：" + "双方就子女抚养、家务分工和沟通方式进行了深入交流，情绪逐渐平稳。" * 8
ROTATION_ROWS = 100_000


def seal_and_open() -> None:
    aad = crypto.aad_for("mediation_sessionnote", "00000000-0000-0000-0000-000000000000", "body")
    ring = keyring.ring()

    def one_note():
        data_key = crypto.new_key()
        key_id, wrapped = crypto.wrap_data_key(ring, data_key, context=b"t|u")
        blob = crypto.seal_text(data_key, NOTE, aad=aad)
        crypto.unwrap_data_key(ring, key_id, wrapped, context=b"t|u")
        crypto.open_text(data_key, blob, aad=aad)

    per_batch = median_seconds(lambda: [one_note() for _ in range(1000)], repeat=5)
    print(
        f"seal + open one note (envelope, {len(NOTE)} characters): {per_batch / 1000 * 1e6:.1f} µs (median of 5 × 1000)"
    )


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


def rotation() -> None:
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
    old = keyring.ring()
    new_ring = crypto.KeyRing(
        keys={**old.keys, "bench-new": crypto.new_key()},
        active_id="bench-new",
        blind_index_key=old.blind_index_key,
    )
    keyring.use(new_ring)
    try:
        from mediation import keys

        started = time.perf_counter()
        progress = keys.rotate(batch_size=1000)
        elapsed = time.perf_counter() - started
    finally:
        keyring.use(old)
    rows = progress.done
    print(f"rotate {rows} rows ({engine()}): {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s")
    SessionNote.objects.all().delete()
    CounselingSession.objects.filter(case=case).delete()


def page_with_ten_notes() -> None:
    case, counselor, sessions = _case_with_sessions(10)
    now = timezone.now()
    notes = []
    for session in sessions:
        note = SessionNote(session=session, author=counselor, created_at=now, updated_at=now)
        sealing.seal(note, body=NOTE, assessment="介入评估")
        note.save()
        notes.append(note)

    def fresh():
        return list(
            SessionNote.objects.filter(pk__in=[n.pk for n in notes]).select_related("session__case")
        )

    crypto_only = median_seconds(
        lambda: [sealing.open_fields(n) for n in fresh()]
    ) - median_seconds(fresh)
    audit_only = median_seconds(
        lambda: [audit.record(actor=counselor, action="note.read", obj=n) for n in notes]
    )
    whole = median_seconds(
        lambda: [services.read_note(user=counselor, note=n) for n in fresh()]
    ) - median_seconds(fresh)
    print(
        f"10 notes on one page ({engine()}): crypto {crypto_only * 1000:.2f} ms, audit events "
        f"{audit_only * 1000:.2f} ms, read_note in all (access + crypto + audit) {whole * 1000:.2f} ms"
    )
    CounselingSession.objects.filter(case=case).delete()


def main() -> None:
    keyring.use(
        crypto.KeyRing(
            keys={"bench": crypto.new_key()}, active_id="bench", blind_index_key=crypto.new_key()
        )
    )
    seal_and_open()
    page_with_ten_notes()
    rotation()
