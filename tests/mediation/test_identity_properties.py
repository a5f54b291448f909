"""ID-number normalisation over any Unicode text (Hypothesis): the canonical ASCII form or the
module's own error with a Chinese message, never another exception."""

import re
import unicodedata
from datetime import date

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from mediation.identity import MESSAGES, InvalidIdNumber, check_char, normalise_id_number

CANONICAL = re.compile(r"[0-9]{17}[0-9X]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def valid_numbers():
    """Real-shaped numbers: an area code, a birth date from 1900 on, a sequence, its check."""
    return st.builds(
        lambda area, born, sequence: (
            f"{area}{born:%Y%m%d}{sequence:03d}" + check_char(f"{area}{born:%Y%m%d}{sequence:03d}")
        ),
        st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
        st.dates(min_value=date(1900, 1, 1)),
        st.integers(0, 999),
    )


def digit_strings():
    """Eighteen characters that look like digits in some script: Unicode decimal digits (Nd,
    e.g. Arabic-Indic ٢ or Devanagari २), other numerals (No, e.g. Ethiopic ፪ or ²), X and x."""
    return st.text(
        st.characters(categories=["Nd", "No"]) | st.sampled_from("0123456789Xx"),
        min_size=18,
        max_size=18,
    )


@given(st.text() | digit_strings())
@example("፪" * 18)
@example("٢" * 18)
@example("۱۱۰۱۰۵۱۹۴۹۱۲۳۱۰۰۲X")
@example("11010519491231002ⅹ")
@example("")
def test_any_text_gives_the_canonical_number_or_a_clean_refusal(raw):
    normalised, refusal = normalise_or_refusal(raw)

    if refusal is not None:
        assert refusal.code in MESSAGES
        with translation.override("zh-hans"):
            assert CHINESE.search(refusal.message), refusal.message
    else:
        assert CANONICAL.fullmatch(normalised)
        assert normalised.isascii()
        assert check_char(normalised[:17]) == normalised[17]
        assert normalise_id_number(normalised) == normalised
        # Nothing but width, case and spacing may differ from what was typed.
        typed = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
        assert typed == normalised


def normalise_or_refusal(raw: str) -> tuple[str, InvalidIdNumber | None]:
    """The normalised number, or the refusal: any other exception fails the test."""
    try:
        return normalise_id_number(raw), None
    except InvalidIdNumber as refusal:
        return "", refusal


@given(valid_numbers(), st.data())
def test_a_valid_number_survives_full_width_spaces_and_a_small_x(number, data):
    written = number.translate(FULL_WIDTH) if data.draw(st.booleans()) else number
    if data.draw(st.booleans()):
        written = written.replace("X", "x")
    gaps = data.draw(st.lists(st.integers(0, 18), max_size=4))
    for position in sorted(gaps, reverse=True):
        space = data.draw(st.sampled_from([" ", "\u3000", "\t"]))
        written = written[:position] + space + written[position:]

    assert normalise_id_number(written) == number


# Digits and numerals that NFKC leaves as one character outside ASCII (not full-width ones).
OTHER_SCRIPTS_DIGITS = st.characters(categories=["Nd", "No"]).filter(
    lambda c: len(folded := unicodedata.normalize("NFKC", c)) == 1 and not folded.isascii()
)


@given(valid_numbers(), st.integers(0, 16), OTHER_SCRIPTS_DIGITS)
def test_a_digit_of_another_script_is_refused_not_kept(number, position, digit):
    written = number[:position] + digit + number[position + 1 :]

    with pytest.raises(InvalidIdNumber) as refusal:
        normalise_id_number(written)

    assert refusal.value.code == "characters"
