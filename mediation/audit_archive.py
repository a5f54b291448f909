"""Archiving the audit trail's older events (SECURITY.md, 'Audit trail'): events stay online at
least six months (网络安全法 art. 21) and Tongxin deletes none; older stretches can be exported
for offline keeping as a signed file that verifies on its own. Reads only; may import audit,
audit_verify, crypto, keyring and models.

The file holds JSON lines: a header; one line per chain position from the first event, with
the event's covered content and its legacy hash or keyed link; a trailer with the count, the
last position and hash, the SHA-256 of every line before it and its HMAC under the active audit
key. Tampering with any line, dropping one or re-signing without the key fails `verify_file`.
"""

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto, keyring
from .audit import _CONTENT, _canonical, content_of
from .audit_verify import _Broken, walk
from .models import AuditEvent, AuditLink

FORMAT = "tongxin-audit-archive"
ARCHIVE_DOMAIN = b"tongxin-audit-archive-v1"


@dataclass(frozen=True)
class Archived:
    count: int
    last: int
    head: str


class ArchiveBroken(Exception):
    """The archive file does not verify; the message says why, in the active language."""


def _lines(before: datetime) -> Iterator[dict[str, Any]]:
    """The chain from its first event up to the last one dated before `before`, in order."""
    for row in (
        AuditEvent.objects.legacy()
        .order_by("seq")
        .values(*_CONTENT, "prev_hash", "hash")
        .iterator(chunk_size=2000)
    ):
        if row["at"] >= before:
            return
        yield {
            "position": row["seq"],
            "event": content_of(row),
            "legacy": {"prev_hash": row["prev_hash"], "hash": row["hash"]},
        }
    fields = [f"event__{name}" for name in _CONTENT]
    for position, key_id, mac_hex, *values in (
        AuditLink.objects.order_by("position")
        .values_list("position", "key_id", "mac", *fields)
        .iterator(chunk_size=2000)
    ):
        row = dict(zip(_CONTENT, values, strict=True))
        if row["at"] >= before:
            return
        yield {
            "position": position,
            "event": content_of(row),
            "link": {"key_id": key_id, "mac": mac_hex},
        }


def _trailer_body(count: int, last: int, head: str, digest: str, key_id: str) -> dict[str, Any]:
    return {"count": count, "last": last, "head": head, "digest": digest, "key_id": key_id}


def export(*, before: datetime, output: Path) -> Archived:
    """Write the events dated before `before` to `output` (mode 600), signed, then verify the
    file as written. Raises ArchiveBroken if it does not verify."""
    key_id, algorithm, key = keyring.ring().active_audit_key()
    digest, count, last, head = hashlib.sha256(), 0, 0, ""
    temporary = output.with_name(output.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        header = {
            "format": FORMAT,
            "version": 1,
            "before": before.astimezone(UTC).isoformat(),
            "created": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        }
        for line in [header, *_lines(before)]:
            encoded = _canonical(line) + b"\n"
            digest.update(encoded)
            handle.write(encoded)
            if "position" in line:
                count, last = count + 1, line["position"]
                head = line["legacy"]["hash"] if "legacy" in line else line["link"]["mac"]
        body = _trailer_body(count, last, head, digest.hexdigest(), key_id)
        signature = crypto.mac(algorithm, key, ARCHIVE_DOMAIN + b"|" + _canonical(body)).hex()
        handle.write(_canonical({**body, "signature": signature}) + b"\n")
    os.replace(temporary, output)
    return verify_file(output)


def verify_file(path: Path, ring: crypto.KeyRing | None = None) -> Archived:
    """Check an archive file on its own: its signature, its digest and every link in it."""
    ring = ring or keyring.ring()
    raw = path.read_bytes().splitlines(keepends=True)
    try:
        header, trailer = json.loads(raw[0]), json.loads(raw[-1])
        lines = [json.loads(line) for line in raw[1:-1]]
        body = _trailer_body(
            int(trailer["count"]),
            int(trailer["last"]),
            str(trailer["head"]),
            str(trailer["digest"]),
            str(trailer["key_id"]),
        )
        signature = str(trailer["signature"])
    except (IndexError, ValueError, KeyError, TypeError):
        raise ArchiveBroken(_("%(path)s is not an audit archive.") % {"path": path}) from None
    if header.get("format") != FORMAT:
        raise ArchiveBroken(_("%(path)s is not an audit archive.") % {"path": path})
    try:
        algorithm, key = ring.audit_key(body["key_id"])
    except crypto.KeyUnavailable:
        raise ArchiveBroken(
            _("The archive is signed with audit key %(key)s, which is not loaded.")
            % {"key": body["key_id"]}
        ) from None
    digest = hashlib.sha256(b"".join(raw[:-1])).hexdigest()
    if digest != body["digest"] or not crypto.mac_matches(
        algorithm, key, ARCHIVE_DOMAIN + b"|" + _canonical(body), signature
    ):
        raise ArchiveBroken(
            _("The archive's signature does not match its content: it was altered.")
        )
    legacy = [
        (line["event"], line["legacy"]["prev_hash"], line["legacy"]["hash"])
        for line in lines
        if "legacy" in line
    ]
    linked = [
        (line["position"], line["link"]["key_id"], line["link"]["mac"], line["event"])
        for line in lines
        if "link" in line
    ]
    try:
        last, head = walk(legacy, linked, ring, whole=False)
    except _Broken as broken:
        raise ArchiveBroken(broken.reason) from None
    if (len(lines), last, head) != (body["count"], body["last"], body["head"]):
        raise ArchiveBroken(
            _("The archive's signature does not match its content: it was altered.")
        )
    return Archived(count=body["count"], last=last, head=head)
