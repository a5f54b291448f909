"""Sealing (SECURITY.md): envelope encryption bound to table | row | field, with AES-256-GCM or
SM4-GCM (GB/T 39786), and the keyed MACs (HMAC-SHA256 or HMAC-SM3) of the blind index and the
audit chain.

Pure: bytes and strings in, bytes and strings out; no Django, no database. A fresh data key per
row is wrapped by a versioned master key of the key ring; each sealed value carries a two-byte
header (format, algorithm), so values of both algorithms live side by side and open by what
their header says. A deployment picks its suite (`aes` or `sm`); the ring's active keys must be
of that suite, older keys of the other may stay until `keys rotate` has moved their rows.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher as _Cipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = 0x01
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = 2
MAC_KEY_BYTES = 32
# Kept for callers that ask for "a key": AES-256, blind-index and audit keys are all 32 bytes.
KEY_BYTES = 32


@dataclass(frozen=True)
class Cipher:
    """An authenticated cipher of the envelope: its name in key files, its header byte, its key
    length (which also tells a row's data key apart: 32 bytes AES-256, 16 bytes SM4)."""

    name: str
    code: int
    key_bytes: int


AES_256_GCM = Cipher("aes-256-gcm", 0x01, 32)
SM4_GCM = Cipher("sm4-gcm", 0x02, 16)
CIPHERS = {cipher.name: cipher for cipher in (AES_256_GCM, SM4_GCM)}
_CIPHER_BY_CODE = {cipher.code: cipher for cipher in CIPHERS.values()}
_CIPHER_BY_KEY_LENGTH = {cipher.key_bytes: cipher for cipher in CIPHERS.values()}
ALG_AES_256_GCM = AES_256_GCM.code
ALG_SM4_GCM = SM4_GCM.code

HMAC_SHA256 = "hmac-sha256"
HMAC_SM3 = "hmac-sm3"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {HMAC_SHA256: hashes.SHA256, HMAC_SM3: hashes.SM3}
MACS = tuple(_HASHES)
SM3_INDEX_PREFIX = "sm3:"


@dataclass(frozen=True)
class Suite:
    """What a deployment seals and chains with: `aes` (AES-256-GCM, HMAC-SHA256) or `sm`
    (SM4-GCM, HMAC-SM3, the national algorithms of GB/T 39786-2021)."""

    name: str
    cipher: Cipher
    mac: str


SUITES = {
    "aes": Suite("aes", AES_256_GCM, HMAC_SHA256),
    "sm": Suite("sm", SM4_GCM, HMAC_SM3),
}
WRAPPED_KEY_BYTES = HEADER_BYTES + NONCE_BYTES + AES_256_GCM.key_bytes + TAG_BYTES


class SealError(Exception):
    """Base class: a sealed value could not be opened or made."""


class KeyUnavailable(SealError):
    """The key a row or an audit link was made with is not in the loaded ring."""

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


def mac(algorithm: str, key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 or HMAC-SM3 of a message: 32 bytes either way."""
    try:
        hash_algorithm = _HASHES[algorithm]
    except KeyError:
        raise UnsupportedFormat(f"MAC algorithm {algorithm!r} is unknown") from None
    signer = crypto_hmac.HMAC(key, hash_algorithm())
    signer.update(message)
    return signer.finalize()


def mac_matches(algorithm: str, key: bytes, message: bytes, expected_hex: str) -> bool:
    return hmac.compare_digest(mac(algorithm, key, message).hex(), expected_hex)


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id (each of one cipher), the active id for new rows, the separate
    blind-index key, and the audit keys (each of one MAC) with the active one for new links."""

    keys: Mapping[str, bytes]
    active_id: str
    blind_index_key: bytes
    development: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)
    algorithms: Mapping[str, str] = field(default_factory=dict)
    audit_keys: Mapping[str, bytes] = field(default_factory=dict)
    audit_active_id: str = ""
    audit_algorithms: Mapping[str, str] = field(default_factory=dict)

    def master(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyUnavailable(key_id) from None

    def cipher(self, key_id: str) -> Cipher:
        """The cipher of a master key (AES-256-GCM unless the ring says otherwise)."""
        if key_id not in self.keys:
            raise KeyUnavailable(key_id)
        name = self.algorithms.get(key_id, AES_256_GCM.name)
        try:
            return CIPHERS[name]
        except KeyError:
            raise UnsupportedFormat(f"cipher {name!r} is unknown") from None

    def audit_key(self, key_id: str) -> tuple[str, bytes]:
        """(MAC algorithm, key) of an audit key; KeyUnavailable when it is not loaded."""
        try:
            key = self.audit_keys[key_id]
        except KeyError:
            raise KeyUnavailable(key_id) from None
        return self.audit_algorithms.get(key_id, HMAC_SHA256), key

    def active_audit_key(self) -> tuple[str, str, bytes]:
        """(id, MAC algorithm, key) of the audit key new links are made with."""
        if not self.audit_active_id:
            raise KeyRingError("the key ring holds no audit key")
        algorithm, key = self.audit_key(self.audit_active_id)
        return self.audit_active_id, algorithm, key

    def validate(self, suite: Suite | None = None) -> list[str]:
        """Everything wrong with this ring, as sentences (empty when it is fit for use). With a
        suite, the active master and audit keys must also be of that suite."""
        found = list(self.problems)
        if not self.keys:
            found.append("the key ring holds no master key")
        for key_id, key in self.keys.items():
            name = self.algorithms.get(key_id, AES_256_GCM.name)
            cipher = CIPHERS.get(name)
            if cipher is None:
                found.append(f"master key {key_id!r} names an unknown cipher {name!r}")
            elif len(key) != cipher.key_bytes:
                found.append(
                    f"master key {key_id!r} is {len(key)} bytes, not {cipher.key_bytes} "
                    f"({cipher.name})"
                )
        if len(set(self.keys.values())) != len(self.keys):
            found.append("two key ids hold the same master key")
        if self.active_id not in self.keys:
            found.append(f"the active key id {self.active_id!r} is not in the ring")
        if len(self.blind_index_key) != MAC_KEY_BYTES:
            found.append(f"the blind-index key is not {MAC_KEY_BYTES} bytes")
        if self.blind_index_key in self.keys.values():
            found.append("the blind-index key equals a master key")
        found += self._audit_problems()
        if suite is not None:
            found += self._suite_problems(suite)
        return found

    def _audit_problems(self) -> list[str]:
        found = []
        if not self.audit_keys:
            return ["the key ring holds no audit key"]
        if self.audit_active_id not in self.audit_keys:
            found.append(f"the active audit key id {self.audit_active_id!r} is not in the ring")
        for key_id, key in self.audit_keys.items():
            name = self.audit_algorithms.get(key_id, HMAC_SHA256)
            if name not in _HASHES:
                found.append(f"audit key {key_id!r} names an unknown MAC {name!r}")
            if len(key) != MAC_KEY_BYTES:
                found.append(f"audit key {key_id!r} is {len(key)} bytes, not {MAC_KEY_BYTES}")
            if key in self.keys.values():
                found.append(f"audit key {key_id!r} equals a master key")
            if key == self.blind_index_key:
                found.append(f"audit key {key_id!r} equals the blind-index key")
        if len(set(self.audit_keys.values())) != len(self.audit_keys):
            found.append("two audit key ids hold the same key")
        overlap = set(self.audit_keys) & set(self.keys)
        if overlap:
            found.append(f"key id {sorted(overlap)[0]!r} names both a master and an audit key")
        return found

    def _suite_problems(self, suite: Suite) -> list[str]:
        found = []
        if self.active_id in self.keys:
            name = self.algorithms.get(self.active_id, AES_256_GCM.name)
            if name != suite.cipher.name:
                found.append(
                    f"the suite is {suite.name!r} ({suite.cipher.name}) but the active key "
                    f"{self.active_id!r} is {name}"
                )
        if self.audit_active_id in self.audit_keys:
            name = self.audit_algorithms.get(self.audit_active_id, HMAC_SHA256)
            if name != suite.mac:
                found.append(
                    f"the suite is {suite.name!r} ({suite.mac}) but the active audit key "
                    f"{self.audit_active_id!r} is {name}"
                )
        return found

    def with_master_key(self, key_id: str, key: bytes, cipher: Cipher) -> KeyRing:
        """This ring with one more master key, made active."""
        return replace(
            self,
            keys={**self.keys, key_id: key},
            algorithms={**self._algorithms(), key_id: cipher.name},
            active_id=key_id,
            problems=(),
        )

    def with_audit_key(self, key_id: str, key: bytes, algorithm: str) -> KeyRing:
        """This ring with one more audit key, made active (new links start from the head)."""
        return replace(
            self,
            audit_keys={**self.audit_keys, key_id: key},
            audit_algorithms={**self._audit_algorithms(), key_id: algorithm},
            audit_active_id=key_id,
            problems=(),
        )

    def without_master_key(self, key_id: str) -> KeyRing:
        return replace(
            self,
            keys={k: v for k, v in self.keys.items() if k != key_id},
            algorithms={k: v for k, v in self._algorithms().items() if k != key_id},
            problems=(),
        )

    def _algorithms(self) -> dict[str, str]:
        return {k: self.algorithms.get(k, AES_256_GCM.name) for k in self.keys}

    def _audit_algorithms(self) -> dict[str, str]:
        return {k: self.audit_algorithms.get(k, HMAC_SHA256) for k in self.audit_keys}

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        """Parse a key file: {"active": id, "keys": {id: key}, "blind_index": base64,
        "audit_active": id, "audit_keys": {id: key}}, where a key is base64 (AES-256-GCM,
        HMAC-SHA256) or {"algorithm": name, "key": base64}."""
        data, problems = json_without_repeats(text)
        try:
            keys, algorithms = _parse_keys(data["keys"], AES_256_GCM.name)
            audit_keys, audit_algorithms = _parse_keys(data.get("audit_keys", {}), HMAC_SHA256)
            return cls(
                keys=keys,
                algorithms=algorithms,
                active_id=str(data["active"]),
                blind_index_key=_b64(data["blind_index"]),
                audit_keys=audit_keys,
                audit_algorithms=audit_algorithms,
                audit_active_id=str(data.get("audit_active", "")),
                development=bool(data.get("development", False)),
                problems=tuple(problems),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise KeyRingError(f"the key file lacks {error}") from error

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active_id,
                "keys": _dump_keys(self.keys, self._algorithms()),
                "blind_index": base64.b64encode(self.blind_index_key).decode(),
                "audit_active": self.audit_active_id,
                "audit_keys": _dump_keys(self.audit_keys, self._audit_algorithms()),
                "development": self.development,
            },
            indent=2,
        )


def parse_key_map(
    text: str, default_algorithm: str
) -> tuple[dict[str, bytes], dict[str, str], list[str]]:
    """The JSON of TONGXIN_KEYS or TONGXIN_AUDIT_KEYS: (keys, algorithms, problems)."""
    data, problems = json_without_repeats(text)
    if not isinstance(data, dict):
        raise KeyRingError("a key list is not a JSON object")
    keys, algorithms = _parse_keys(data, default_algorithm)
    return keys, algorithms, problems


def _parse_keys(
    data: Mapping[str, Any], default_algorithm: str
) -> tuple[dict[str, bytes], dict[str, str]]:
    keys: dict[str, bytes] = {}
    algorithms: dict[str, str] = {}
    for key_id, value in data.items():
        if isinstance(value, Mapping):
            keys[str(key_id)] = _b64(value["key"])
            algorithms[str(key_id)] = str(value.get("algorithm", default_algorithm))
        else:
            keys[str(key_id)] = _b64(value)
            algorithms[str(key_id)] = default_algorithm
    return keys, algorithms


def _dump_keys(
    keys: Mapping[str, bytes], algorithms: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    return {
        key_id: {"algorithm": algorithms[key_id], "key": base64.b64encode(key).decode()}
        for key_id, key in keys.items()
    }


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError) as error:
        raise KeyRingError("a key is not valid base64") from error


def new_key(cipher: Cipher = AES_256_GCM) -> bytes:
    """A fresh random key for the cipher (32 bytes, the size of MAC keys too, by default)."""
    return os.urandom(cipher.key_bytes)


def new_ring(suite: Suite, *, key_id: str, audit_id: str, development: bool = False) -> KeyRing:
    """A complete ring for a suite: one master key, a blind-index key and an audit key."""
    return KeyRing(
        keys={key_id: new_key(suite.cipher)},
        algorithms={key_id: suite.cipher.name},
        active_id=key_id,
        blind_index_key=new_key(),
        audit_keys={audit_id: new_key()},
        audit_algorithms={audit_id: suite.mac},
        audit_active_id=audit_id,
        development=development,
    )


def aad_for(table: str, row_uuid: str, field_name: str) -> bytes:
    """Associated data: a ciphertext opens only in the table, row and field it was made for."""
    return f"{table}|{row_uuid}|{field_name}".encode()


def new_data_key(ring: KeyRing) -> bytes:
    """A row's fresh data key, of the active master key's cipher (so a row is one algorithm)."""
    return new_key(ring.cipher(ring.active_id))


def wrap_data_key(ring: KeyRing, data_key: bytes, *, context: bytes) -> tuple[str, bytes]:
    """Wrap a row's data key with the active master key; returns (key id, wrapped bytes)."""
    key_id = ring.active_id
    return key_id, _seal(ring.cipher(key_id), ring.master(key_id), data_key, b"wrap|" + context)


def unwrap_data_key(ring: KeyRing, key_id: str, wrapped: bytes, *, context: bytes) -> bytes:
    return _open(ring.master(key_id), bytes(wrapped), b"wrap|" + context)


def cipher_of_key(data_key: bytes) -> Cipher:
    """A data key's cipher, by its length (32 bytes AES-256, 16 bytes SM4)."""
    try:
        return _CIPHER_BY_KEY_LENGTH[len(data_key)]
    except KeyError:
        raise UnsupportedFormat(f"no cipher takes a {len(data_key)}-byte key") from None


def cipher_of_value(blob: bytes) -> Cipher:
    """The cipher a sealed value (or a wrapped key) names in its header."""
    blob = bytes(blob)
    if len(blob) < HEADER_BYTES or blob[0] != FORMAT_V1:
        raise UnsupportedFormat("not a sealed value of a known format")
    try:
        return _CIPHER_BY_CODE[blob[1]]
    except KeyError:
        raise UnsupportedFormat(f"algorithm {blob[1]} is unknown") from None


def seal_text(data_key: bytes, plaintext: str, *, aad: bytes) -> bytes:
    return _seal(cipher_of_key(data_key), data_key, plaintext.encode("utf-8"), aad)


def open_text(data_key: bytes, blob: bytes, *, aad: bytes) -> str:
    return _open(data_key, bytes(blob), aad).decode("utf-8")


def _seal(cipher: Cipher, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if len(key) != cipher.key_bytes:
        raise UnsupportedFormat(f"{cipher.name} takes {cipher.key_bytes}-byte keys")
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([FORMAT_V1, cipher.code])
    if cipher is AES_256_GCM:
        return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)
    encryptor = _Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header + aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return header + nonce + body + encryptor.tag


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise UnsupportedFormat("the sealed value is too short")
    header, nonce, body = blob[:2], blob[2 : 2 + NONCE_BYTES], blob[2 + NONCE_BYTES :]
    if header[0] != FORMAT_V1:
        raise UnsupportedFormat(f"format {header[0]} is unknown")
    cipher = cipher_of_value(header)
    if len(key) != cipher.key_bytes:
        # An AES value in an SM4 row (or the reverse) was moved there: it cannot be this row's.
        raise IntegrityFailure("the sealed value failed its integrity check")
    try:
        if cipher is AES_256_GCM:
            return AESGCM(key).decrypt(nonce, body, header + aad)
        decryptor = _Cipher(
            algorithms.SM4(key), modes.GCM(nonce, body[-TAG_BYTES:], min_tag_length=TAG_BYTES)
        ).decryptor()
        decryptor.authenticate_additional_data(header + aad)
        return decryptor.update(body[:-TAG_BYTES]) + decryptor.finalize()
    except InvalidTag:
        raise IntegrityFailure("the sealed value failed its integrity check") from None


def blind_index(key: bytes, normalised: str, algorithm: str = HMAC_SHA256) -> str:
    """Keyed MAC of a normalised identifier (an unkeyed hash is swept in a day): 64 hex digits
    for HMAC-SHA256, `sm3:` and 43 base64url characters for HMAC-SM3, so the algorithm of every
    stored index can be told and a change of suite rebuilt row by row."""
    digest = mac(algorithm, key, normalised.encode("utf-8"))
    if algorithm == HMAC_SHA256:
        return digest.hex()
    return SM3_INDEX_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def blind_index_algorithm(index: str) -> str:
    """The MAC a stored blind index was made with."""
    return HMAC_SM3 if index.startswith(SM3_INDEX_PREFIX) else HMAC_SHA256
