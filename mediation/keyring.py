"""Where the key ring comes from: the environment or a key file, never the database or the
repository (SECURITY.md, 'Keys'), and which suite (AES or SM) this deployment seals and chains
with (TONGXIN_CRYPTO_SUITE). Loaded once per process; `reload()` after a change."""

import os
from pathlib import Path

from django.conf import settings

from .crypto import (
    AES_256_GCM,
    HMAC_SHA256,
    SUITES,
    KeyRing,
    KeyRingError,
    Suite,
    _b64,
    parse_key_map,
)

_ring: KeyRing | None = None
_override: KeyRing | None = None


class KeyRingMissing(KeyRingError):
    """No ring is configured at all."""


def load() -> KeyRing:
    """Read the ring: TONGXIN_KEYS + TONGXIN_ACTIVE_KEY + TONGXIN_BLIND_INDEX_KEY (+
    TONGXIN_AUDIT_KEYS + TONGXIN_ACTIVE_AUDIT_KEY), else the file named by TONGXIN_KEY_FILE.
    Raises KeyRingMissing or KeyRingError."""
    if os.environ.get("TONGXIN_KEYS"):
        keys, algorithms, problems = parse_key_map(os.environ["TONGXIN_KEYS"], AES_256_GCM.name)
        audit_keys, audit_algorithms, audit_problems = parse_key_map(
            os.environ.get("TONGXIN_AUDIT_KEYS") or "{}", HMAC_SHA256
        )
        return KeyRing(
            keys=keys,
            algorithms=algorithms,
            active_id=os.environ.get("TONGXIN_ACTIVE_KEY", ""),
            blind_index_key=_b64(os.environ.get("TONGXIN_BLIND_INDEX_KEY", "")),
            audit_keys=audit_keys,
            audit_algorithms=audit_algorithms,
            audit_active_id=os.environ.get("TONGXIN_ACTIVE_AUDIT_KEY", ""),
            development=os.environ.get("TONGXIN_KEYS_DEVELOPMENT", "") == "1",
            problems=tuple(problems + audit_problems),
        )
    path = os.environ.get("TONGXIN_KEY_FILE") or settings.TONGXIN_KEY_FILE
    if not path:
        raise KeyRingMissing("no key ring: set TONGXIN_KEY_FILE or TONGXIN_KEYS")
    try:
        return KeyRing.from_json(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyRingMissing(f"the key file {path} does not exist") from None


def ring() -> KeyRing:
    """The ring in use (a test may install one with `use`)."""
    global _ring
    if _override is not None:
        return _override
    if _ring is None:
        _ring = load()
    return _ring


def reload() -> KeyRing:
    global _ring
    _ring = None
    return ring()


def use(new_ring: KeyRing | None) -> None:
    """Install a ring for this process (tests and key commands); None goes back to loading."""
    global _override
    _override = new_ring


def suite() -> Suite:
    """The deployment's suite (TONGXIN_CRYPTO_SUITE, checked by the settings)."""
    return SUITES[settings.TONGXIN_CRYPTO_SUITE]
