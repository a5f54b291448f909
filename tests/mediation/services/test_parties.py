"""A party's record form and their earlier cases (mediation/services/parties.py)."""

import pytest
from django.core.exceptions import ValidationError

from mediation import services
from mediation.models import AuditEvent
from tests.factories import open_divorce_case
from tests.helpers import error_codes


def test_nothing_beyond_the_minimum_is_recorded_without_counselling_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.update_party(party=case.parties.first(), updated_by=counselor, name="某某")

    assert error_codes(error.value) == {"no_counselling_consent"}


@pytest.mark.parametrize(
    ("raw", "message"), [("1101051949123100", "18位"), ("110105194912310021", "校验码")]
)
def test_a_malformed_id_number_gets_a_chinese_message_next_to_the_field(
    counselor, xlt, raw, message
):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        services.update_party(
            party=case.parties.first(), updated_by=counselor, name="某某", id_number=raw
        )

    assert error_codes(error.value) == {"id_number_invalid"}
    assert message in error.value.error_dict["id_number"][0].messages[0]


def test_the_birth_year_comes_from_the_id_number_and_the_details_are_sealed(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    party = services.update_party(
        party=case.parties.first(),
        updated_by=counselor,
        name="某某",
        id_number="11010519491231002x",
        phone="13800001111",
    )

    assert party.birth_year == 1949
    assert party.has_sealed("name")
    assert party.id_index
    opened = services.read_party_identity(user=counselor, party=party)
    assert opened.values["id_number"] == "11010519491231002X"
    assert AuditEvent.objects.filter(action="party.update", object_uuid=str(party.uuid)).exists()


def test_implausible_years_married_are_refused_next_to_the_field(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        services.update_party(party=case.parties.first(), updated_by=counselor, years_married=81)

    assert error_codes(error.value) == {"years_married"}


def test_the_same_id_number_finds_the_earlier_case_at_this_office_only(
    counselor, xlt, ps, other_counselor
):
    first = open_divorce_case(xlt, counselor)
    second = open_divorce_case(xlt, counselor)
    elsewhere = open_divorce_case(ps, other_counselor)
    for case, user in ((first, counselor), (second, counselor), (elsewhere, other_counselor)):
        services.update_party(
            party=case.parties.first(),
            updated_by=user,
            name="同一人",
            id_number="11010519491231002x",
        )

    found = services.earlier_cases_for(second.parties.first())

    assert [c.pk for c in found] == [first.pk]
