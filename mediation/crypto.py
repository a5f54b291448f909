"""Sealing (SECURITY.md): AES-256-GCM envelope encryption bound to table | row | field.

Pure: bytes and strings in, bytes and strings out; no Django, no database. A fresh data key per
row is wrapped by a versioned master key of the key ring; each field value carries a small
versioned header so another algorithm (e.g. SM4-GCM) can be added without a flag day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = 0x01
ALG_AES_256_GCM = 0x01
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16
HEADER_BYTES = 2
WRAPPED_KEY_BYTES = HEADER_BYTES + NONCE_BYTES + KEY_BYTES + TAG_BYTES


class SealError(Exception):
    """Base class: a sealed value could not be opened or made."""


class KeyUnavailable(SealError):
    """The master key the row was wrapped with is not in the loaded ring."""

    def __init__(self, key_id: str):
        super().__init__(f"key {key_id!r} is not loaded")
        self.key_id = key_id


class IntegrityFailure(SealError):
    """The tag did not verify: the value was moved, altered, or opened with the wrong key."""


class UnsupportedFormat(SealError):
    """The header names a format or algorithm this version does not know."""


def json_without_repeats(text: str) -> tuple[Any, list[str]]:
    """Parse JSON, naming every object key that appears twice: json.loads silently keeps the
    last one, and a key ring whose ids repeat must be refused, not guessed (SECURITY.md, 'Keys')."""
    problems: list[str] = []

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                problems.append(f"key id {key!r} appears twice")
            seen[key] = value
        return seen

    return json.loads(text, object_pairs_hook=no_repeats), problems


class KeyRingError(ValueError):
    """The key ring is malformed (wrong length, repeated id or key, active id missing...)."""


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id, the active id for new wraps, and the separate blind-index key."""

    keys: Mapping[str, bytes]
    active_id: str
    blind_index_key: bytes
    development: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)

    def master(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyUnavailable(key_id) from None

    def validate(self) -> list[str]:
        """Everything wrong with this ring, as sentences (empty when it is fit for use)."""
        found = list(self.problems)
        if not self.keys:
            found.append("the key ring holds no master key")
        for key_id, key in self.keys.items():
            if len(key) != KEY_BYTES:
                found.append(f"master key {key_id!r} is {len(key)} bytes, not {KEY_BYTES}")
        if len(set(self.keys.values())) != len(self.keys):
            found.append("two key ids hold the same master key")
        if self.active_id not in self.keys:
            found.append(f"the active key id {self.active_id!r} is not in the ring")
        if len(self.blind_index_key) != KEY_BYTES:
            found.append(f"the blind-index key is not {KEY_BYTES} bytes")
        if self.blind_index_key in self.keys.values():
            found.append("the blind-index key equals a master key")
        return found

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        """Parse a key file: {"active": id, "keys": {id: base64}, "blind_index": base64}."""
        data, problems = json_without_repeats(text)
        try:
            keys = {str(k): _b64(v) for k, v in data["keys"].items()}
            return cls(
                keys=keys,
                active_id=str(data["active"]),
                blind_index_key=_b64(data["blind_index"]),
                development=bool(data.get("development", False)),
                problems=tuple(problems),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise KeyRingError(f"the key file lacks {error}") from error

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active_id,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
                "blind_index": base64.b64encode(self.blind_index_key).decode(),
                "development": self.development,
            },
            indent=2,
        )


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError) as error:
        raise KeyRingError("a key is not valid base64") from error


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def aad_for(table: str, row_uuid: str, field_name: str) -> bytes:
    """Associated data: a ciphertext opens only in the table, row and field it was made for."""
    return f"{table}|{row_uuid}|{field_name}".encode()


def wrap_data_key(ring: KeyRing, data_key: bytes, *, context: bytes) -> tuple[str, bytes]:
    """Wrap a row's data key with the active master key; returns (key id, wrapped bytes)."""
    key_id = ring.active_id
    return key_id, _seal(ring.master(key_id), data_key, b"wrap|" + context)


def unwrap_data_key(ring: KeyRing, key_id: str, wrapped: bytes, *, context: bytes) -> bytes:
    return _open(ring.master(key_id), bytes(wrapped), b"wrap|" + context)


def seal_text(data_key: bytes, plaintext: str, *, aad: bytes) -> bytes:
    return _seal(data_key, plaintext.encode("utf-8"), aad)


def open_text(data_key: bytes, blob: bytes, *, aad: bytes) -> str:
    return _open(data_key, bytes(blob), aad).decode("utf-8")


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([FORMAT_V1, ALG_AES_256_GCM])
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise UnsupportedFormat("the sealed value is too short")
    header, nonce, body = blob[:2], blob[2 : 2 + NONCE_BYTES], blob[2 + NONCE_BYTES :]
    if header[0] != FORMAT_V1:
        raise UnsupportedFormat(f"format {header[0]} is unknown")
    if header[1] != ALG_AES_256_GCM:
        raise UnsupportedFormat(f"algorithm {header[1]} is unknown")
    try:
        return AESGCM(key).decrypt(nonce, body, header + aad)
    except InvalidTag:
        raise IntegrityFailure("the sealed value failed its integrity check") from None


def blind_index(key: bytes, normalised: str) -> str:
    """Keyed HMAC-SHA256 of a normalised identifier (an unkeyed hash is swept in a day)."""
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
