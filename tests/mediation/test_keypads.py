"""On a tablet the field brings the keypad it needs: phone numbers the phone pad, ID numbers
capitals without autocorrection (the 18th character may be X, so not a number pad)."""

import re

from mediation.forms import PartyForm
from mediation.forms_registry import ContactForm


def attributes(html: str) -> dict[str, str]:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', html))


def test_phone_fields_open_the_phone_keypad():
    for field in (PartyForm()["phone"], ContactForm()["safe_phone"]):
        attrs = attributes(str(field))

        assert attrs["type"] == "tel"
        assert attrs["inputmode"] == "tel"


def test_the_id_number_field_takes_capitals_and_is_neither_remembered_nor_corrected():
    attrs = attributes(str(PartyForm()["id_number"]))

    assert attrs["type"] == "text"
    assert attrs["autocomplete"] == "off"
    assert attrs["spellcheck"] == "false"
    assert attrs["autocapitalize"] == "characters"
