"""Consent per party and purpose, and what withdrawing it stops (mediation/services/consent.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import services
from mediation.models import ConsentRecord, CounselingSession, FollowUp, OutcomeKind, Purpose
from tests.factories import open_divorce_case
from tests.helpers import error_codes


def test_consent_for_a_party_who_is_not_in_the_case_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    other = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.record_consent(
            case=case,
            party=other.parties.first(),
            purpose=Purpose.COUNSELLING,
            given=True,
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"party_not_in_case"}


def test_sensitive_consent_needs_counselling_consent_first(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.record_consent(
            case=case,
            party=case.parties.first(),
            purpose=Purpose.SENSITIVE,
            given=True,
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"counselling_consent_first"}


def test_an_unknown_purpose_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.record_consent(
            case=case,
            party=case.parties.first(),
            purpose="marketing",
            given=True,
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"purpose"}


def test_consent_is_recorded_against_the_agreement_in_force(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    party = case.parties.first()

    record = services.record_consent(
        case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
    )

    party.refresh_from_db()
    assert party.consent_counselling
    assert record.text.version.startswith("BM-")
    states = {state.purpose: state for state in services.consent_states(party)}
    assert states[Purpose.COUNSELLING].given and not states[Purpose.SENSITIVE].given
    assert states[Purpose.SENSITIVE].text.version.startswith("YS-")


def test_withdrawing_counselling_consent_stops_sessions_and_follow_ups(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    booked = services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=2),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )

    services.record_consent(
        case=case, party=party, purpose=Purpose.COUNSELLING, given=False, recorded_by=counselor
    )

    party.refresh_from_db()
    booked.refresh_from_db()
    assert booked.status == CounselingSession.Status.CANCELLED
    assert not party.consent_sensitive and not party.consent_follow_up
    assert set(
        ConsentRecord.objects.filter(party=party, action="withdrawn").values_list(
            "purpose", flat=True
        )
    ) == {Purpose.COUNSELLING, Purpose.SENSITIVE, Purpose.FOLLOW_UP}
    with pytest.raises(ValidationError) as error:
        services.update_party(party=party, updated_by=counselor, name="某某")
    assert error_codes(error.value) == {"no_counselling_consent"}


def test_withdrawing_follow_up_consent_cancels_the_calls_due(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 5, 4))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 5, 31), recorded_by=counselor
    )
    party = case.parties.first()

    services.record_consent(
        case=case, party=party, purpose=Purpose.FOLLOW_UP, given=False, recorded_by=counselor
    )

    assert set(FollowUp.objects.filter(party=party).values_list("status", flat=True)) == {
        FollowUp.Status.CANCELLED
    }
    assert FollowUp.objects.filter(case=case, status=FollowUp.Status.DUE).count() == 2
