"""Resident identity card numbers (GB 11643-1999): normalise and validate. Pure.

Normalising comes before the blind index (SECURITY.md): full-width digits and letters become
half-width, spaces go, a trailing x becomes X, and the check digit must agree.
"""

import unicodedata
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The text is not a valid 18-character ID number; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise_id_number(raw: str) -> str:
    """The canonical form of an ID number, or InvalidIdNumber(code) with code in
    'length', 'characters', 'birth_date', 'check_digit'."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(text.split()).upper()
    if len(text) != 18:
        raise InvalidIdNumber("length")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise InvalidIdNumber("characters")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if born.year < 1900:
        raise InvalidIdNumber("birth_date")
    if check_char(text[:17]) != text[17]:
        raise InvalidIdNumber("check_digit")
    return text


def birth_date(normalised: str) -> date:
    return date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
