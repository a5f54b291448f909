"""Writing and linking the audit trail, and its checkpoints (SECURITY.md, 'Audit trail').

`record` is called by services inside their transaction; it never stores names, ID numbers or
note text — only who, role, office, action, record UUID, outcome, request id and plain details.

The chain is keyed: each event gets a link, the HMAC (SHA-256 or SM3, by the audit key's
algorithm) under an audit key from the key ring — never in the database — of the link before
it, its position and the event's content, so whoever can write the tables still cannot rebuild
the chain. The database queues every new event (a trigger); links are made under one lock with
nothing but reading the waiting events, the MACs and two writes inside it:

- in the writer's own transaction when nothing else waits and the lock is free (always on
  SQLite, whose writers queue for the database anyway);
- otherwise right after the writer commits, for everything waiting at once, by whichever writer
  finds the lock free; the others go on, so 50 writers share one disk flush per batch.

After each committed batch, and daily by `manage.py audit checkpoint`, the head (position, MAC,
time) is signed with the audit key and written outside the database: appended to
TONGXIN_AUDIT_CHECKPOINT_FILE and logged on `tongxin.audit`. mediation/audit_verify.py checks
every link against the keys and the head against the newest checkpoint.
"""

import functools
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import crypto, keyring
from .models import AuditChainHead, AuditEvent, AuditLink, AuditPending, RegistryOffice, User
from .models.audit import GENESIS
from .roles import roles_of

log = logging.getLogger("tongxin.audit")

SWITCH_OVER = "audit.switch_over"
LINK_DOMAIN = b"tongxin-audit-link-v1"
CHECKPOINT_DOMAIN = b"tongxin-audit-checkpoint-v1"
# An event without a link this long after it was written means chaining stopped (a process died
# between its commit and its chaining, with no write since): `audit checkpoint` links it.
UNLINKED_GRACE = timedelta(minutes=10)
CHAIN_BATCH = 2000
# pg_advisory_xact_lock key of the chain ("txau"): held by whoever is making links.
_PG_CHAIN_LOCK = 0x74786175

# Numbers leaving the system (SECURITY.md, 'Audit trail'): a CSV/XLSX download of the statistics,
# a monthly PDF made (browser, command or schedule), an archived PDF handed out.
EXPORT_ACTIONS = frozenset({"statistics.export", "report.generate", "report.download"})
EXPORT_KINDS = frozenset({"csv", "xlsx", "pdf"})
SHA256 = re.compile(r"[0-9a-f]{64}")

_CONTENT = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "role",
    "office_code",
    "action",
    "object_type",
    "object_uuid",
    "outcome",
    "request_id",
    "details",
)


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_of(row: dict[str, Any]) -> dict[str, Any]:
    """What a link or a legacy hash covers of an event: everything but the chain itself."""
    return {
        "seq": row["seq"],
        "at": row["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": row["actor_id"],
        "actor_username": row["actor_username"],
        "role": row["role"],
        "office": row["office_code"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_uuid": row["object_uuid"],
        "outcome": row["outcome"],
        "request_id": row["request_id"],
        "details": row["details"],
    }


def _row(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _CONTENT}


def legacy_digest(content: dict[str, Any], previous: str) -> str:
    """The plain SHA-256 of an event of the chain before keyed links (kept verifiable)."""
    return hashlib.sha256(_canonical({**content, "prev": previous})).hexdigest()


def legacy_hash(event: AuditEvent) -> str:
    return legacy_digest(content_of(_row(event)), event.prev_hash)


def link_mac(
    *, algorithm: str, key: bytes, key_id: str, position: int, previous: str, content: dict
) -> str:
    """The keyed link of an event at a chain position, after the link (or legacy hash) before."""
    message = b"|".join(
        [
            LINK_DOMAIN,
            key_id.encode(),
            str(position).encode(),
            previous.encode(),
            _canonical(content),
        ]
    )
    return crypto.mac(algorithm, key, message).hex()


def _object_fields(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    identifier = getattr(obj, "uuid", None) or obj.pk
    return obj._meta.model_name, str(identifier)


def _office_code(obj, office) -> str:
    if office is not None:
        return office.code
    for path in (
        "office",
        "case.office",
        "party.case.office",
        "session.office",
        "note.session.office",
    ):
        current = obj
        for part in path.split("."):
            current = getattr(current, part, None)
            if current is None:
                break
        if current is not None:
            return current.code
    return ""


def record(
    *,
    actor,
    action: str,
    obj=None,
    outcome: str = AuditEvent.Outcome.OK,
    office=None,
    request=None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the trail, in the caller's transaction (or its own). It is linked in
    that transaction when the chain's lock is free, else right after the commit."""
    object_type, object_uuid = _object_fields(obj)
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_username=user.username if user else "",
        role=",".join(role.value for role in roles_of(user)) if user else "system",
        office_code=_office_code(obj, office),
        action=action,
        object_type=object_type,
        object_uuid=object_uuid,
        outcome=outcome,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        details=details or {},
        prev_hash="",
        hash=None,
    )
    keyring.ring().active_audit_key()  # no audit key, no event: fail before writing anything
    with transaction.atomic():
        after_commit = _after_commit()
        # A database trigger queues the event in AuditPending.
        if _postgresql():
            link_here = _insert_and_try_lock(event, after_commit.seqs)
        else:
            event.save(force_insert=True)
            link_here = True  # SQLite's writers queue for the database anyway
        after_commit.seqs.append(event.seq)
        if link_here:
            _chain(CHAIN_BATCH)
            after_commit.linked_here = True
    return event


class _AfterCommit:
    """Run once when the writer's transaction commits: sign and write the head if the
    transaction linked its events itself, then make sure what waits gets linked."""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.linked_here = False

    def __call__(self) -> None:
        try:
            if self.linked_here:
                write_checkpoint()
            _link_after_commit(None if self.linked_here else self.seqs)
        except Exception:
            log.exception("audit events %s were committed but not linked", self.seqs)


def _after_commit() -> _AfterCommit:
    """This transaction's after-commit step (one per transaction, however many events)."""
    connection = transaction.get_connection()
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _AfterCommit):
            return callback
    callback = _AfterCommit()
    transaction.on_commit(callback, robust=True)
    return callback


def _postgresql() -> bool:
    return transaction.get_connection().vendor == "postgresql"


@functools.cache
def _insert_statement() -> tuple[str, list[models.Field]]:
    """The event's INSERT as PostgreSQL runs it in `_insert_and_try_lock`, and its fields."""
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    holes = ", ".join(["%s"] * len(fields))
    sql = (
        f"WITH new AS (INSERT INTO {AuditEvent._meta.db_table} ({columns}) VALUES ({holes}) "
        "RETURNING seq) "
        "SELECT seq, CASE WHEN EXISTS (SELECT 1 FROM mediation_auditpending "
        "WHERE NOT (event_seq = ANY(%s))) THEN false "
        "ELSE pg_try_advisory_xact_lock(%s) END FROM new"
    )
    return sql, fields


def _insert_and_try_lock(event: AuditEvent, own: list[int]) -> bool:
    """On PostgreSQL, insert the event and learn whether its writer links it in its own
    transaction, in one statement: only when nobody else's event awaits its link (the
    statement sees the queue as it was before it, with this transaction's earlier events,
    `own`) and the chain's lock is free. Linking holds the lock until the commit is on disk,
    fine alone, a queue of disk flushes under load. One round trip instead of two, and none of
    the ORM's compiling of a `save()`: this is the write path of every request that opens a
    sealed value."""
    sql, fields = _insert_statement()
    connection = transaction.get_connection()
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, own, _PG_CHAIN_LOCK])
        event.seq, link_here = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias
    return bool(link_here)


# What a writer finds after its commit: nothing of its own waits; it holds the lock now; another
# writer holds it. `None` events: anything waiting at all (the look again after letting go).
_NOTHING_WAITS, _MINE, _BUSY = 0, 1, 2
_WAITING = {
    True: "SELECT 1 FROM mediation_auditpending WHERE event_seq = ANY(%s)",
    False: "SELECT 1 FROM mediation_auditpending",
}
# A writer links for others at most this long; what is left goes to the task worker.
HOLD_LIMIT = 0.2


def _link_after_commit(seqs: list[int] | None) -> None:
    """Link what waits, on PostgreSQL, without ever queueing for the lock. A writer whose
    events wait takes the chain's lock if it is free and links everything waiting, a batch per
    transaction with a checkpoint after each; then, having let go, it looks again, because
    writers that found the lock taken meanwhile left their events to it. A writer that finds
    the lock taken goes on at once: its holder will look again. So 50 writers cost one disk
    flush per batch, and no event is left behind (past HOLD_LIMIT the task worker takes over).

    Outside a transaction (a writer after its commit, as usual) the look is one statement: the
    lock is the session's, taken only when something waits and let go once the batch is
    committed, so the writers that find it taken open no transaction at all."""
    if not _postgresql():
        return
    connection, started = transaction.get_connection(), time.monotonic()
    # Inside a transaction the lock must last until that transaction commits.
    own_session = not connection.in_atomic_block
    try_lock = "pg_try_advisory_lock" if own_session else "pg_try_advisory_xact_lock"
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT CASE WHEN NOT EXISTS ({_WAITING[seqs is not None]}) THEN {_NOTHING_WAITS} "
                f"WHEN {try_lock}(%s) THEN {_MINE} ELSE {_BUSY} END",
                [*([seqs] if seqs is not None else []), _PG_CHAIN_LOCK],
            )
            if cursor.fetchone()[0] != _MINE:
                return
        try:
            with transaction.atomic():
                linked = _chain(CHAIN_BATCH)
        finally:
            if own_session:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_CHAIN_LOCK])
        if linked:
            write_checkpoint()
        seqs = None
        if time.monotonic() - started > HOLD_LIMIT:
            from .tasks import link_audit_events  # noqa: PLC0415  (tasks imports this module)

            link_audit_events.enqueue()
            return


def _lock() -> None:
    """Take the chain's lock for this transaction, waiting for it. SQLite's writers hold the
    database's one write lock already; PostgreSQL's is an advisory lock, which writes nothing."""
    if _postgresql():
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])


def chain_pending(*, switch_over: bool = False) -> int:
    """Link every committed event that has no link yet, waiting for the lock, a batch per
    transaction with a checkpoint after each; returns how many. What `audit checkpoint` and the
    task worker run (with `switch_over`, an upgraded trail gets its first keyed link even
    before anything new is written)."""
    total = 0
    while True:
        with transaction.atomic():
            _lock()
            linked = _chain(CHAIN_BATCH, switch_over=switch_over)
        if linked:
            write_checkpoint()
        total += linked
        if linked < CHAIN_BATCH:
            _link_after_commit(None)  # writers that found the lock taken left theirs to us
            return total


def link_waiting_in_transaction() -> int:
    """Link every waiting event inside the caller's transaction, waiting for the chain's lock:
    for a bulk load that writes its events in one transaction (the 2021 pilot). The head is
    signed and written out once that transaction commits, never before."""
    _lock()
    total = 0
    while linked := _chain(CHAIN_BATCH):
        total += linked
    if total:
        transaction.on_commit(write_checkpoint, robust=True)
    return total


# The first `batch` waiting events, taken off the queue. PostgreSQL's statistics may call the
# queue empty when it holds thousands (rows queued in the same transaction, as a bulk load's, or
# a backlog autovacuum has not seen): planned as a join, the IN below ran the subquery again for
# every waiting row, 10.7 s for 2,000 of 19,000; as an array it runs once, 4 ms.
_TAKE_WAITING = {
    "postgresql": (
        "DELETE FROM mediation_auditpending WHERE event_seq = ANY(ARRAY(SELECT event_seq FROM "
        "mediation_auditpending ORDER BY event_seq LIMIT %s)) RETURNING event_seq"
    ),
    "sqlite": (
        "DELETE FROM mediation_auditpending WHERE event_seq IN (SELECT event_seq FROM "
        "mediation_auditpending ORDER BY event_seq LIMIT %s) RETURNING event_seq"
    ),
}
_HEAD = (
    "SELECT last_seq, last_hash, EXISTS (SELECT 1 FROM mediation_auditlink "
    "WHERE position = last_seq) FROM mediation_auditchainhead WHERE id = 1"
)


def _chain(batch: int, *, switch_over: bool = False) -> int:
    """Under the lock: link up to `batch` waiting events in sequence order after the head (and
    first the switch-over event, when the head is still the plain SHA-256 chain's). Five
    statements however many events: take the waiting, read them and the head, write the
    links, move the head."""
    key_id, algorithm, key = keyring.ring().active_audit_key()
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_WAITING[connection.vendor], [batch])
        waiting = sorted(seq for (seq,) in cursor.fetchall())
        if not waiting and not switch_over:
            return 0
        cursor.execute(_HEAD)
        found = cursor.fetchone()
    if found is None:
        AuditChainHead.objects.create(id=1)
        found = (0, GENESIS, False)
    position, previous, head_is_linked = found
    events = list(AuditEvent.objects.filter(seq__in=waiting).order_by("seq").values(*_CONTENT))
    if position and not head_is_linked:
        events.insert(0, _row(_switch_over(position, previous)))
    if not events:
        return 0
    links = []
    for event in events:
        position += 1
        previous = link_mac(
            algorithm=algorithm,
            key=key,
            key_id=key_id,
            position=position,
            previous=previous,
            content=content_of(event),
        )
        links.append((position, event["seq"], key_id, previous))
    _insert_links(links)
    AuditChainHead.objects.filter(id=1).update(last_seq=position, last_hash=previous)
    return len(waiting)


_COPY_LINKS = "COPY mediation_auditlink (position, event_seq, key_id, mac) FROM STDIN"


def _insert_links(links: list[tuple[int, int, str, str]]) -> None:
    """Store the links: on PostgreSQL by COPY, which sends the rows as they are, where an
    INSERT of thousands of rows is compiled by the ORM and parsed by the server; elsewhere by
    one bulk insert."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        AuditLink.objects.bulk_create(
            AuditLink(position=position, event_id=seq, key_id=key_id, mac=mac)
            for position, seq, key_id, mac in links
        )
        return
    with connection.cursor() as cursor, cursor.cursor.copy(_COPY_LINKS) as copy:
        for link in links:
            copy.write_row(link)


def _switch_over(legacy_events: int, legacy_head: str) -> AuditEvent:
    """The first keyed link's event: it records the plain SHA-256 chain's length and head, so
    the events written before keyed links stay verifiable and cannot be rewritten."""
    event = AuditEvent(
        at=timezone.now(),
        role="system",
        action=SWITCH_OVER,
        outcome=AuditEvent.Outcome.OK,
        details={
            "legacy_events": legacy_events,
            "legacy_head": legacy_head,
            "legacy_algorithm": "sha256",
        },
        prev_hash="",
        hash=None,
    )
    event.save(force_insert=True)
    AuditPending.objects.filter(event=event).delete()  # linked right away, not queued
    event.refresh_from_db()
    return event


def _export_details(
    *, action: str, kind: str, first: date, last: date, office_codes: list[str], sha256: str
) -> dict[str, str | list[str]]:
    """The details of an export event, from plain values only, or ValueError: an action, kind,
    month, office code or checksum that is not what it claims to be never reaches the trail (nor
    the error message, which may be logged)."""
    if action not in EXPORT_ACTIONS or kind not in EXPORT_KINDS:
        raise ValueError("not a statistics export's action and kind")
    if not (isinstance(first, date) and isinstance(last, date)):
        raise ValueError("the months of an export are dates")
    if sha256 and not SHA256.fullmatch(sha256):
        raise ValueError("not a SHA-256 checksum")
    codes = sorted(set(office_codes))
    if RegistryOffice.objects.filter(code__in=codes).count() != len(codes):
        raise ValueError("an export names offices by their registry office codes only")
    details: dict[str, str | list[str]] = {
        "kind": kind,
        "first": f"{first:%Y-%m}",
        "last": f"{last:%Y-%m}",
        "offices": codes,
    }
    if sha256:
        details["sha256"] = sha256
    return details


def record_statistics_export(
    *,
    actor: User | None,
    action: str,
    kind: str,
    first: date,
    last: date,
    office_codes: Iterable[str],
    report: models.Model | None = None,
    sha256: str = "",
    outcome: str = AuditEvent.Outcome.OK,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Statistics leaving the system are audit events (SECURITY.md, 'Audit trail'): what left,
    in which format, for which months and offices, and the checksum of an archived report. The
    details are built here from codes, months and a checksum, so no caller can put a name into
    the trail. Raises ValueError for an action, kind or value that is not an export's."""
    if outcome not in AuditEvent.Outcome.values:
        raise ValueError("not an audit outcome")
    details = _export_details(
        action=action,
        kind=kind,
        first=first,
        last=last,
        office_codes=[str(code) for code in office_codes],
        sha256=str(sha256),
    )
    return record(
        actor=actor, action=action, obj=report, outcome=outcome, request=request, details=details
    )


# Checkpoints: the head, signed, outside the database.


@dataclass(frozen=True)
class Checkpoint:
    position: int
    mac: str
    at: str
    key_id: str


def checkpoint_path() -> Path:
    return Path(settings.TONGXIN_AUDIT_CHECKPOINT_FILE)


def _checkpoint_body(position: int, mac_hex: str, at: str, key_id: str) -> dict[str, Any]:
    return {"position": position, "mac": mac_hex, "at": at, "key_id": key_id}


def write_checkpoint() -> Checkpoint | None:
    """Sign the committed head with the active audit key and append it to the checkpoint file
    and the log; None while the trail is empty."""
    head = AuditChainHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    if not head or not head[0]:
        return None
    key_id, algorithm, key = keyring.ring().active_audit_key()
    at = timezone.now().astimezone(UTC).isoformat(timespec="seconds")
    body = _checkpoint_body(head[0], head[1], at, key_id)
    signature = crypto.mac(algorithm, key, CHECKPOINT_DOMAIN + b"|" + _canonical(body)).hex()
    line = json.dumps({**body, "signature": signature}, sort_keys=True, separators=(",", ":"))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)
    log.info("audit checkpoint %s", line)
    return Checkpoint(position=head[0], mac=head[1], at=at, key_id=key_id)


def verify(*, checkpoint_file: Path | None = None) -> Any:
    """Verify the trail (mediation/audit_verify.py, which imports this module)."""
    from .audit_verify import verify as verify_trail  # noqa: PLC0415  (it imports this module)

    return verify_trail(checkpoint_file=checkpoint_file)


def head() -> tuple[int, str]:
    """(position, MAC) of the chain's last link."""
    found = AuditChainHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    return (found[0], found[1]) if found else (0, GENESIS)


def head_hash() -> str:
    """The MAC of the newest link (what a monthly report prints)."""
    return head()[1]
