"""Parties: a person's details on the MZ/T 084 record form, sealed, and their earlier cases
found through the blind index. May import models, audit, crypto, keyring, sealing, consent."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .. import audit, crypto, keyring, sealing
from ..identity import NAME_INDEX_PREFIX, InvalidIdNumber, normalise_id_number, normalise_name
from ..models import Case, Party, Purpose, User
from .consent import require_consent
from .errors import field_error, require_openable

YEARS_MARRIED_MAX = 80


def _id_number_message(code: str) -> str:
    return {
        "length": _("An ID number has 18 characters."),
        "characters": _("An ID number has 17 digits followed by a digit or X."),
        "birth_date": _("The birth date inside this ID number does not exist."),
        "check_digit": _(
            "The last character of this ID number does not match its check digit. Please check it."
        ),
    }[code]


@transaction.atomic
def update_party(
    *,
    party: Party,
    updated_by: User,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    address: str = "",
    sex: str = "",
    birth_year: int | None = None,
    education: str = "",
    occupation: str = "",
    marital_status: str = "",
    years_married: int | None = None,
    request: HttpRequest | None = None,
) -> Party:
    """Record a party's details (the MZ/T 084 record form). Nothing beyond the minimum is kept
    without the party's counselling consent (PIPL; code no_counselling_consent); identity fields
    are sealed, and never written over values that do not open; the ID number is validated
    (GB 11643; code id_number_invalid) and indexed for duplicate detection (SECURITY.md)."""
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    require_consent(
        party,
        Purpose.COUNSELLING,
        _("Without this party's consent to counselling nothing about them may be recorded."),
        "no_counselling_consent",
    )
    require_openable(party)
    normalised = ""
    if id_number.strip():
        try:
            normalised = normalise_id_number(id_number)
        except InvalidIdNumber as error:
            raise field_error(
                "id_number", _id_number_message(error.code), "id_number_invalid"
            ) from None
        birth_year = birth_year or int(normalised[6:10])
    if years_married is not None and years_married > YEARS_MARRIED_MAX:
        raise field_error("years_married", _("Please check the years married."), "years_married")
    sealing.seal(
        party, name=name.strip(), id_number=normalised, phone=phone.strip(), address=address.strip()
    )
    party.id_index = id_index_of(normalised) if normalised else ""
    party.name_index = name_index_of(name)
    party.sex, party.birth_year, party.education = sex, birth_year, education
    party.occupation, party.marital_status, party.years_married = (
        occupation.strip(),
        marital_status,
        years_married,
    )
    party.full_clean(exclude=["case"])
    party.save()
    audit.record(actor=updated_by, action="party.update", obj=party, request=request)
    return party


def name_index_of(name: str) -> str:
    """The keyed blind index of a full name (SECURITY.md, 'Finding a person'), or '' for none:
    the same blind-index key and function as the ID number's, over the normalised name."""
    normalised = normalise_name(name)
    if not normalised:
        return ""
    return crypto.blind_index(
        keyring.ring().blind_index_key, NAME_INDEX_PREFIX + normalised, keyring.suite().mac
    )


def id_index_of(normalised: str) -> str:
    """The ID-number index of a normalised ID number, as update_party stores it."""
    return crypto.blind_index(keyring.ring().blind_index_key, normalised, keyring.suite().mac)


def earlier_cases_for(party: Party) -> list[Case]:
    """Duplicate detection through the blind index (SECURITY.md, 'Finding a person by ID
    number'): this person's other cases at this office, oldest first."""
    if not party.id_index:
        return []
    return list(
        Case.objects.filter(office_id=party.case.office_id, parties__id_index=party.id_index)
        .exclude(pk=party.case_id)
        .order_by("opened_at")
        .distinct()
    )
