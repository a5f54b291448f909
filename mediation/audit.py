"""Writing and verifying the hash-chained audit trail (SECURITY.md, 'Audit trail').

`record` is called by services inside their transaction; it never stores names, ID numbers or
note text — only who, role, office, action, record UUID, outcome, request id and plain details.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, RegistryOffice, User
from .roles import roles_of

GENESIS = "0" * 64

# Numbers leaving the system (SECURITY.md, 'Audit trail'): a CSV/XLSX download of the statistics,
# a monthly PDF made (browser, command or schedule), an archived PDF handed out.
EXPORT_ACTIONS = frozenset({"statistics.export", "report.generate", "report.download"})
EXPORT_KINDS = frozenset({"csv", "xlsx", "pdf"})
SHA256 = re.compile(r"[0-9a-f]{64}")


def _payload(event: AuditEvent) -> str:
    return json.dumps(
        {
            "seq": event.seq,
            "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": event.actor_id,
            "actor_username": event.actor_username,
            "role": event.role,
            "office": event.office_code,
            "action": event.action,
            "object_type": event.object_type,
            "object_uuid": event.object_uuid,
            "outcome": event.outcome,
            "request_id": event.request_id,
            "details": event.details,
            "prev": event.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_payload(event).encode("utf-8")).hexdigest()


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
    """Append one event to the chain, in the caller's transaction (or its own)."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        object_type, object_uuid = _object_fields(obj)
        user = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            seq=head.last_seq + 1,
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
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
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


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.chain().iterator(chunk_size=2000)


def verify() -> Verification:
    """Walk the chain from the start; name the first broken link."""
    previous_hash, previous_seq, checked = GENESIS, 0, 0
    for event in _events():
        if event.seq != previous_seq + 1:
            return Verification(False, checked, previous_seq + 1, "an event is missing")
        if event.prev_hash != previous_hash:
            return Verification(False, checked, event.seq, "it does not link to the event before")
        if event_hash(event) != event.hash:
            return Verification(False, checked, event.seq, "its content does not match its hash")
        previous_hash, previous_seq = event.hash, event.seq
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (previous_seq, previous_hash):
        return Verification(False, checked, previous_seq + 1, "events after this one are missing")
    return Verification(True, checked)


def head_hash() -> str:
    """The hash of the newest event (what a monthly report prints)."""
    head = AuditChainHead.objects.filter(id=1).first()
    return head.last_hash if head else GENESIS
