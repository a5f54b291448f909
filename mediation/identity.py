"""Resident identity card numbers (GB 11643-1999): normalise and validate. Pure.

Normalising comes before the blind index (SECURITY.md): the text is NFKC-normalised (full-width
digits and letters become half-width), spaces go, a trailing x becomes X; what is left must be
17 ASCII digits and a digit or X whose check digit agrees. Any other text, in any script, is
refused with InvalidIdNumber, never another exception.
"""

import re
import unicodedata
from datetime import date

from django.utils.translation import gettext, gettext_noop

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII only: str.isdigit() would also take Arabic-Indic, Devanagari or Ethiopic digits.
CANONICAL = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)

MESSAGES = {
    "length": gettext_noop("An ID number has 18 characters."),
    "characters": gettext_noop("An ID number has 17 digits followed by a digit or X."),
    "birth_date": gettext_noop("The birth date inside this ID number does not exist."),
    "check_digit": gettext_noop(
        "The last character of this ID number does not match its check digit. Please check it."
    ),
}


class InvalidIdNumber(ValueError):
    """The text is not a valid 18-character ID number; `code` says why (a key of MESSAGES) and
    `message` says it to the user, in the active language."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return gettext(MESSAGES[self.code])


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (ASCII)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise_id_number(raw: str) -> str:
    """The canonical form of an ID number, or InvalidIdNumber(code) with code in
    'length', 'characters', 'birth_date', 'check_digit'."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(text.split()).upper()
    if len(text) != 18:
        raise InvalidIdNumber("length")
    if not CANONICAL.fullmatch(text):
        raise InvalidIdNumber("characters")
    try:
        born = birth_date(text)
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if born.year < 1900:
        raise InvalidIdNumber("birth_date")
    if check_char(text[:17]) != text[17]:
        raise InvalidIdNumber("check_digit")
    return text


def birth_date(normalised: str) -> date:
    return date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))


# --- Names ---------------------------------------------------------------------------------------

# Put before a normalised name when it is indexed, so the name index and the ID-number index of
# the same key never share a value.
NAME_INDEX_PREFIX = "name:"
# The middle dots of transcribed names (阿卜杜·热合曼) in their many encodings, and spaces.
_NAME_SEPARATORS = frozenset("·•・‧∙⋅ᐧ．. \t\u3000")


def normalise_name(raw: str) -> str:
    """The canonical form of a full name for the blind index: NFKC (full-width letters become
    half-width), no spaces or middle dots, Latin letters in lower case. '' for a blank name.
    Two spellings a clerk might type for one person give one form."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(char for char in text if char not in _NAME_SEPARATORS).casefold()


def mask_name(name: str) -> str:
    """A name as lists show it: the first and last characters with the rest hidden — 陈*杰,
    杨* for a two-character name, 欧**华 for four. Enough for a counsellor to tell their cases
    apart, not enough to identify someone over a shoulder."""
    text = "".join((name or "").split())
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]
