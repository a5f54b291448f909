"""Follow-up calls after a reconciliation, who may be called, and satisfaction
(mediation/services/follow_ups.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mediation import services
from mediation.models import FollowUp, OutcomeKind, Purpose
from tests.factories import open_divorce_case
from tests.helpers import error_codes

NO = dict.fromkeys(services.SCREEN_QUESTIONS, False)


def reconciled(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 5, 4))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 5, 31), recorded_by=counselor
    )
    return case


def test_reconciliation_schedules_follow_ups_at_3_and_6_months_for_parties_who_may_be_contacted(
    counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 5, 4))
    first, second = case.parties.all()
    services.record_consent(
        case=case, party=second, purpose=Purpose.FOLLOW_UP, given=False, recorded_by=counselor
    )

    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 5, 31), recorded_by=counselor
    )

    due = FollowUp.objects.filter(case=case).order_by("months")
    assert [(f.party_id, f.months, f.due_on) for f in due] == [
        (first.pk, 3, date(2026, 8, 31)),
        (first.pk, 6, date(2026, 11, 30)),
    ]


def test_no_one_is_called_whose_spouse_screened_positive(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 5, 4))
    first, second = case.parties.all()
    services.screen_party(party=second, answers={**NO, "hurt": True}, screened_by=counselor)

    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 5, 31), recorded_by=counselor
    )

    assert not services.may_contact(first)
    assert set(FollowUp.objects.filter(case=case).values_list("party", flat=True)) == {second.pk}


def test_a_follow_up_records_whether_the_reconciliation_held(counselor, xlt):
    case = reconciled(counselor, xlt)
    follow_up = FollowUp.objects.filter(case=case, months=3).first()

    with pytest.raises(ValidationError) as error:
        services.record_follow_up(
            follow_up=follow_up, status="done", recorded_by=counselor, done_on=date(2026, 9, 1)
        )
    services.record_follow_up(
        follow_up=follow_up,
        status="done",
        recorded_by=counselor,
        done_on=date(2026, 9, 1),
        reconciliation_held=True,
    )

    follow_up.refresh_from_db()
    assert error_codes(error.value) == {"held"}
    assert follow_up.reconciliation_held is True


def test_a_follow_up_is_recorded_once_and_never_in_the_future(counselor, xlt):
    case = reconciled(counselor, xlt)
    first, second = FollowUp.objects.filter(case=case, months=3)

    with pytest.raises(ValidationError) as ahead:
        services.record_follow_up(
            follow_up=first, status="unreachable", recorded_by=counselor, done_on=date(2027, 1, 5)
        )
    services.record_follow_up(follow_up=second, status="unreachable", recorded_by=counselor)
    with pytest.raises(ValidationError) as again:
        services.record_follow_up(follow_up=second, status="unreachable", recorded_by=counselor)

    assert error_codes(ahead.value) == {"future"}
    assert error_codes(again.value) == {"recorded"}


def test_a_call_is_refused_once_contact_is_suppressed(counselor, xlt):
    case = reconciled(counselor, xlt)
    follow_up = FollowUp.objects.filter(case=case).first()
    # A state the services never leave behind (withdrawing consent cancels the calls), kept
    # refused all the same.
    follow_up.party.consent_follow_up = False
    follow_up.party.save(update_fields=["consent_follow_up"])

    with pytest.raises(ValidationError) as error:
        services.record_follow_up(follow_up=follow_up, status="unreachable", recorded_by=counselor)

    assert error_codes(error.value) == {"contact_suppressed"}


def test_anonymous_satisfaction_keeps_no_link_to_the_party(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    answer = services.record_satisfaction(
        case=case,
        party=case.parties.first(),
        rating="satisfied",
        anonymous=True,
        recorded_by=counselor,
    )

    assert answer.party is None


def test_each_party_answers_once_and_no_more_answers_than_parties(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    first, _second = case.parties.all()
    services.record_satisfaction(case=case, party=first, rating="fairly", recorded_by=counselor)

    with pytest.raises(ValidationError) as twice:
        services.record_satisfaction(case=case, party=first, rating="fairly", recorded_by=counselor)
    with pytest.raises(ValidationError) as nobody:
        services.record_satisfaction(case=case, rating="fairly", recorded_by=counselor)
    services.record_satisfaction(
        case=case, rating="satisfied", anonymous=True, recorded_by=counselor
    )
    with pytest.raises(ValidationError) as complete:
        services.record_satisfaction(
            case=case, rating="satisfied", anonymous=True, recorded_by=counselor
        )

    assert error_codes(twice.value) == {"answered"}
    assert error_codes(nobody.value) == {"party"}
    assert error_codes(complete.value) == {"complete"}
