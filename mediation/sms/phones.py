"""Mainland mobile numbers: normalised so two spellings of one number compare equal. Pure."""

import re
import unicodedata

MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_mobile(raw: str | None) -> str | None:
    """The 11-digit number, or None when the text is not a mainland mobile number. Full-width
    digits, spaces, hyphens, brackets and a +86 / 0086 prefix are accepted."""
    text = unicodedata.normalize("NFKC", raw or "")
    digits = re.sub(r"[\s\-()（）]", "", text)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if MOBILE.fullmatch(digits) else None
