"""Second-factor arithmetic (RFC 6238 TOTP, backup codes, the enrolment QR code): plain values
in, plain values out; no ORM, no keys. mediation/services/two_factor.py is the shell around it.

Imports django_otp.oath (HOTP) and segno (QR as SVG) only.
"""

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from urllib.parse import quote, urlencode

import segno
from django_otp.oath import hotp

STEP_SECONDS = 30
DIGITS = 6
# One step either side: a phone whose clock is up to 30 seconds off still signs in.
TOLERANCE = 1
SEED_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1
BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 12
# No 0/o, 1/l/i: a code copied from paper is read back right (31 letters: about 59 bits a code).
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_SHAPE = re.compile(rf"\d{{{DIGITS}}}")
SEPARATORS = re.compile(r"[\s\-_.·]")


def new_seed() -> str:
    """A fresh random seed, as the base32 text an authenticator app is given (no padding)."""
    return base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode("ascii").rstrip("=")


def demo_seed(username: str) -> str:
    """The fixed seed of a demo account (seed_demo and the README): derived from the name, so
    a rebuilt demo database keeps the entries already in people's authenticator apps."""
    digest = hashlib.sha256(f"tongxin-demo-totp:{username}".encode()).digest()[:SEED_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def seed_bytes(seed: str) -> bytes:
    text = seed.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def step_at(unix_time: float) -> int:
    """The RFC 6238 time step a moment falls in."""
    return int(unix_time) // STEP_SECONDS


def code_at_step(seed: str, step: int) -> str:
    return f"{hotp(seed_bytes(seed), step, digits=DIGITS):0{DIGITS}d}"


def code_at(seed: str, unix_time: float) -> str:
    """The code an authenticator app shows at this moment."""
    return code_at_step(seed, step_at(unix_time))


def normalise_code(text: str) -> str:
    """What the person typed, as a code: full-width digits and letters made plain (a Chinese
    input method gives those), spaces and dashes dropped, letters in lower case."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def is_totp_shaped(code: str) -> bool:
    return bool(TOTP_SHAPE.fullmatch(code))


def matching_step(seed: str, code: str, unix_time: float, tolerance: int = TOLERANCE) -> int | None:
    """The time step (within `tolerance` steps of now) whose code is `code`, or None. The caller
    refuses a step not later than the last one accepted: that makes a code single-use."""
    if not is_totp_shaped(code):
        return None
    now = step_at(unix_time)
    for step in range(now - tolerance, now + tolerance + 1):
        if hmac.compare_digest(code_at_step(seed, step), code):
            return step
    return None


def provisioning_uri(seed: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code (Key Uri Format)."""
    issuer = issuer.replace(":", "")
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {
            "secret": seed,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str, *, title: str) -> str:
    """The QR code as an inline SVG element (no image file, no CDN; the CSP allows it)."""
    return segno.make(text, error="m").svg_inline(scale=5, border=2, title=title, dark="#1b1b1b")


def new_backup_codes(count: int = BACKUP_CODE_COUNT) -> list[str]:
    return [
        "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        for _ in range(count)
    ]


def is_backup_code_shaped(code: str) -> bool:
    return len(code) == BACKUP_CODE_LENGTH and all(char in BACKUP_ALPHABET for char in code)


def format_backup_code(code: str) -> str:
    """Shown in groups of four (abcd-efgh-jkmn); normalise_code takes the dashes out again."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def backup_code_digest(code: str, secret: bytes) -> str:
    """What is stored of a backup code: HMAC-SHA256 under a server secret that is not in the
    database, so a copy of the table alone does not let anyone try codes offline."""
    return hmac.new(secret, b"tongxin.backup-code|" + code.encode("ascii"), "sha256").hexdigest()
