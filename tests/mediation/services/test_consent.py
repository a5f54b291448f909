"""Consent per party and purpose, and what withdrawing it stops (mediation/services/consent.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mediation import services
from mediation.models import (
    AuditEvent,
    ConsentRecord,
    CounselingSession,
    FollowUp,
    OutcomeKind,
    Purpose,
)
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
    assert states[Purpose.COUNSELLING].given
    assert not states[Purpose.SENSITIVE].given
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
    assert not party.consent_sensitive
    assert not party.consent_follow_up
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


def test_a_refusal_is_recorded_as_a_refusal_and_can_turn_into_agreement(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    party = case.parties.first()

    refusal = services.record_consent(
        case=case,
        party=party,
        purpose=Purpose.COUNSELLING,
        given=False,
        refusal=True,
        recorded_by=counselor,
    )
    agreement = services.record_consent(
        case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
    )

    refusal.refresh_from_db()
    party.refresh_from_db()
    assert refusal.action == ConsentRecord.Action.REFUSED
    assert refusal.ended_at is not None
    assert agreement.action == ConsentRecord.Action.GIVEN
    assert party.consent_counselling
    assert AuditEvent.objects.filter(action="consent.refuse").count() == 1


def test_refusing_a_purpose_already_agreed_is_refused_withdraw_instead(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        services.record_consent(
            case=case,
            party=case.parties.first(),
            purpose=Purpose.FOLLOW_UP,
            given=False,
            refusal=True,
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"already_given"}


def test_the_same_consent_given_twice_lands_on_the_first_record(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    party = case.parties.first()

    first = services.record_consent(
        case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
    )
    again = services.record_consent(
        case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
    )

    assert again.pk == first.pk
    assert again.repeat
    assert not first.repeat
    assert ConsentRecord.objects.filter(party=party).count() == 1
    assert AuditEvent.objects.filter(action="consent.give").count() == 1


def test_a_withdrawal_sent_twice_is_recorded_once(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()

    first = services.record_consent(
        case=case, party=party, purpose=Purpose.FOLLOW_UP, given=False, recorded_by=counselor
    )
    again = services.record_consent(
        case=case, party=party, purpose=Purpose.FOLLOW_UP, given=False, recorded_by=counselor
    )

    assert again.pk == first.pk
    assert again.repeat
    assert party.consents.filter(purpose=Purpose.FOLLOW_UP, action="withdrawn").count() == 1


def test_withdrawing_what_was_never_agreed_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.record_consent(
            case=case,
            party=case.parties.first(),
            purpose=Purpose.STATISTICS,
            given=False,
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"not_given"}


def test_two_decisions_in_force_for_one_version_are_impossible_in_the_database(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    given = party.consents.get(purpose=Purpose.COUNSELLING)

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            party=party,
            purpose=Purpose.COUNSELLING,
            action=ConsentRecord.Action.GIVEN,
            text=given.text,
            recorded_by=counselor,
            recorded_at=timezone.now(),
        )


def test_after_a_withdrawal_consent_can_be_given_again_under_the_same_version(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    services.record_consent(
        case=case, party=party, purpose=Purpose.FOLLOW_UP, given=False, recorded_by=counselor
    )

    again = services.record_consent(
        case=case, party=party, purpose=Purpose.FOLLOW_UP, given=True, recorded_by=counselor
    )

    assert not again.repeat
    assert list(
        party.consents.filter(purpose=Purpose.FOLLOW_UP).values_list("action", flat=True)
    ) == ["given", "withdrawn", "given"]


def test_the_withdrawal_effects_list_what_will_stop(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    joint = services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=2),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )

    effects = services.withdrawal_effects(party=party, purpose=Purpose.COUNSELLING)

    assert effects.purposes == [Purpose.SENSITIVE, Purpose.FOLLOW_UP]
    assert effects.sessions == [joint]
    assert effects.note_text_stops


def test_the_consent_page_records_both_parties_at_once_counselling_first(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    first, second = case.parties.order_by("position")

    page = services.record_consents(
        case=case,
        decisions=[
            (first, Purpose.SENSITIVE, True),
            (first, Purpose.COUNSELLING, True),
            (second, Purpose.COUNSELLING, False),
        ],
        recorded_by=counselor,
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert len(page.recorded) == 3
    assert page.repeats == []
    assert first.consent_counselling
    assert first.consent_sensitive
    assert not second.consent_counselling
    assert second.consents.get().action == ConsentRecord.Action.REFUSED


def test_the_consent_page_records_nothing_when_one_answer_is_impossible(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    first, second = case.parties.order_by("position")

    with pytest.raises(ValidationError) as error:
        services.record_consents(
            case=case,
            decisions=[
                (first, Purpose.COUNSELLING, True),
                (second, Purpose.STATISTICS, True),
            ],
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"counselling_consent_first"}
    assert "p2_statistics" in error.value.error_dict
    assert not ConsentRecord.objects.exists()
