"""Verifying the audit trail (SECURITY.md, 'Audit trail'): the plain SHA-256 part written before
keyed links, every keyed link against the audit keys of the ring, the head, events left
unlinked, and the newest signed checkpoint outside the database, so an emptied, cut or rebuilt
trail fails and says why in the active language. The same walk checks an archive file
(mediation/audit_archive.py). Reads only; may import audit, crypto, keyring and models."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto, keyring
from .audit import (
    _CONTENT,
    CHECKPOINT_DOMAIN,
    SWITCH_OVER,
    UNLINKED_GRACE,
    Checkpoint,
    _canonical,
    _checkpoint_body,
    checkpoint_path,
    content_of,
    legacy_digest,
    link_mac,
)
from .models import AuditChainHead, AuditEvent, AuditLink
from .models.audit import GENESIS

# (content, previous hash, hash) of a legacy event; (position, key id, MAC, content) of a link.
LegacyRow = tuple[dict[str, Any], str, str]
LinkRow = tuple[int, str, str, dict[str, Any]]


class CheckpointForged(Exception):
    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


def latest_checkpoint(ring: crypto.KeyRing, path: Path | None = None) -> Checkpoint | None:
    """The checkpoint of the furthest position in the file. A line that does not verify under
    its (loaded) audit key raises CheckpointForged; lines of keys no longer loaded are skipped."""
    path = path or checkpoint_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    latest: Checkpoint | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            body = _checkpoint_body(
                int(data["position"]), str(data["mac"]), str(data["at"]), str(data["key_id"])
            )
            signature = str(data["signature"])
        except (ValueError, KeyError, TypeError):
            raise CheckpointForged(number) from None
        try:
            algorithm, key = ring.audit_key(body["key_id"])
        except crypto.KeyUnavailable:
            continue
        if not crypto.mac_matches(
            algorithm, key, CHECKPOINT_DOMAIN + b"|" + _canonical(body), signature
        ):
            raise CheckpointForged(number)
        if latest is None or body["position"] > latest.position:
            latest = Checkpoint(**body)
    return latest


@dataclass(frozen=True)
class Verification:
    """The outcome of `verify`: ok, how many events were checked, and otherwise the position
    of the first broken link (if there is one) and why, as a sentence in the active language."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoint: Checkpoint | None = None
    unlinked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.ok:
            return self.reason
        if self.checkpoint is None:
            return _("The audit trail is empty.")
        return _(
            "The audit trail is intact: %(count)s events verified with the audit keys, up to "
            "the checkpoint of %(time)s (event %(position)s)."
        ) % {
            "count": self.checked,
            "time": self.checkpoint.at,
            "position": self.checkpoint.position,
        }


class _Broken(Exception):
    def __init__(self, position: int | None, reason: str):
        super().__init__(reason)
        self.position = position
        self.reason = reason


def _broken_at(position: int, why: str) -> _Broken:
    return _Broken(
        position,
        _("The audit trail is broken at event %(position)s: %(why)s")
        % {"position": position, "why": why},
    )


def _legacy_rows() -> Iterator[LegacyRow]:
    for row in (
        AuditEvent.objects.legacy()
        .order_by("seq")
        .values(*_CONTENT, "prev_hash", "hash")
        .iterator(chunk_size=2000)
    ):
        yield content_of(row), row["prev_hash"], row["hash"]


def _linked_rows() -> Iterator[LinkRow]:
    fields = [f"event__{name}" for name in _CONTENT]
    for position, key_id, mac_hex, *values in (
        AuditLink.objects.order_by("position")
        .values_list("position", "key_id", "mac", *fields)
        .iterator(chunk_size=2000)
    ):
        yield position, key_id, mac_hex, content_of(dict(zip(_CONTENT, values, strict=True)))


def verify(*, checkpoint_file: Path | None = None) -> Verification:
    """Walk the legacy SHA-256 part and every keyed link; check the head and the newest
    checkpoint. Names the first broken link, or why the trail as a whole cannot be trusted."""
    ring = keyring.ring()
    try:
        position, previous = walk(_legacy_rows(), _linked_rows(), ring)
        _verify_head(position, previous)
        unlinked, notes = _verify_unlinked()
        checkpoint = _verify_checkpoint(ring, checkpoint_file, position)
    except _Broken as broken:
        return Verification(False, 0, broken.position, broken.reason)
    return Verification(True, position, checkpoint=checkpoint, unlinked=unlinked, notes=notes)


def verify_chain() -> Verification:
    """The links and the head, without the checkpoint: for a writer that checks the events of
    its own transaction before committing it (their checkpoint is written once it has)."""
    try:
        position, previous = walk(_legacy_rows(), _linked_rows(), keyring.ring())
        _verify_head(position, previous)
        unlinked, notes = _verify_unlinked()
    except _Broken as broken:
        return Verification(False, 0, broken.position, broken.reason)
    return Verification(True, position, unlinked=unlinked, notes=notes)


def walk(
    legacy_rows: Iterable[LegacyRow],
    linked_rows: Iterable[LinkRow],
    ring: crypto.KeyRing,
    *,
    whole: bool = True,
) -> tuple[int, str]:
    """Check the chain from its first event: legacy events by their SHA-256, then links by their
    MACs, positions without a gap. Returns (last position, last hash or MAC); raises _Broken at
    the first event that does not hold. A whole trail must have switched to keyed links; an
    archived stretch (`whole=False`) may end before."""
    legacy, previous = _walk_legacy(legacy_rows)
    position, current_key, retired = legacy, "", set[str]()
    for link_position, key_id, mac_hex, content in linked_rows:
        if link_position != position + 1:
            raise _broken_at(position + 1, _("it is missing."))
        if position == legacy and legacy:
            _verify_switch_over(content, legacy, previous)
        if key_id != current_key:
            _check_key_not_retired(link_position, key_id, retired)
            if current_key:
                retired.add(current_key)
            current_key = key_id
        try:
            algorithm, key = ring.audit_key(key_id)
        except crypto.KeyUnavailable:
            raise _broken_at(
                link_position,
                _("it is linked with audit key %(key)s, which is not loaded.") % {"key": key_id},
            ) from None
        expected = link_mac(
            algorithm=algorithm,
            key=key,
            key_id=key_id,
            position=link_position,
            previous=previous,
            content=content,
        )
        if expected != mac_hex:
            raise _broken_at(
                link_position,
                _("its content does not match its link (altered, or linked without the key)."),
            )
        position, previous = link_position, mac_hex
    if whole and legacy and position == legacy:
        raise _Broken(
            None,
            _(
                "The audit trail holds only plain SHA-256 links: it was never switched to keyed "
                "links, or it was rebuilt without the audit key. After an upgrade, run "
                "`manage.py audit checkpoint` once."
            ),
        )
    return position, previous


def _walk_legacy(legacy_rows: Iterable[LegacyRow]) -> tuple[int, str]:
    """The legacy events by their SHA-256: (their count, the last hash)."""
    legacy, previous = 0, GENESIS
    for content, prev_hash, hash_hex in legacy_rows:
        if content["seq"] != legacy + 1:
            raise _broken_at(legacy + 1, _("it is missing."))
        if prev_hash != previous or legacy_digest(content, prev_hash) != hash_hex:
            raise _broken_at(content["seq"], _("it does not match its SHA-256 hash (legacy part)."))
        legacy, previous = legacy + 1, hash_hex
    return legacy, previous


def _check_key_not_retired(link_position: int, key_id: str, retired: set[str]) -> None:
    """A key that a newer one took over does not come back."""
    if key_id in retired:
        raise _broken_at(
            link_position,
            _("it is linked with audit key %(key)s after a newer key took over.") % {"key": key_id},
        )


def _verify_switch_over(event: dict[str, Any], legacy: int, legacy_head: str) -> None:
    details = event["details"] if isinstance(event["details"], dict) else {}
    if (
        event["action"] != SWITCH_OVER
        or details.get("legacy_events") != legacy
        or details.get("legacy_head") != legacy_head
    ):
        raise _Broken(
            legacy,
            _(
                "The plain SHA-256 part of the audit trail is not the one recorded when keyed "
                "links began: it was rewritten."
            ),
        )


def _verify_head(position: int, previous: str) -> None:
    head = AuditChainHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    if head is not None and head[0] > position:
        raise _broken_at(position + 1, _("it and the events after it are missing."))
    if head is not None and tuple(head) != (position, previous):
        raise _Broken(
            position,
            _("The chain's head does not match its last link (event %(position)s).")
            % {"position": position},
        )


def _verify_unlinked() -> tuple[int, list[str]]:
    unlinked = AuditEvent.objects.filter(hash__isnull=True, link__isnull=True)
    stale = unlinked.filter(at__lt=timezone.now() - UNLINKED_GRACE).count()
    if stale:
        raise _Broken(
            None,
            _(
                "%(count)s events written more than ten minutes ago have no link, so nothing "
                "protects them: run `manage.py audit checkpoint`, which links them, and find "
                "out why linking stopped."
            )
            % {"count": stale},
        )
    waiting = unlinked.count()
    notes = (
        [_("%(count)s events written in the last minutes await their link.") % {"count": waiting}]
        if waiting
        else []
    )
    return waiting, notes


def _mac_at(position: int) -> str | None:
    linked = AuditLink.objects.filter(position=position).values_list("mac", flat=True).first()
    if linked is not None:
        return linked
    return AuditEvent.objects.legacy().filter(seq=position).values_list("hash", flat=True).first()


def _verify_checkpoint(ring: crypto.KeyRing, path: Path | None, position: int) -> Checkpoint | None:
    path = path or checkpoint_path()
    try:
        checkpoint = latest_checkpoint(ring, path)
    except CheckpointForged as forged:
        raise _Broken(
            None,
            _(
                "Line %(line)s of the checkpoint file %(path)s is not signed with a loaded audit "
                "key: it was altered or forged."
            )
            % {"line": forged.line, "path": path},
        ) from None
    if checkpoint is None:
        if position:
            raise _Broken(
                None,
                _(
                    "No checkpoint in %(path)s vouches for the trail's %(count)s events, so its "
                    "head cannot be confirmed outside the database."
                )
                % {"path": path, "count": position},
            )
        return None
    if checkpoint.position > position or _mac_at(checkpoint.position) != checkpoint.mac:
        raise _Broken(
            min(checkpoint.position, position + 1),
            _(
                "The checkpoint of %(time)s vouches for event %(position)s, which the trail "
                "does not hold as it was (it holds %(count)s events): the trail was emptied, "
                "cut or rebuilt."
            )
            % {"time": checkpoint.at, "position": checkpoint.position, "count": position},
        )
    return checkpoint
