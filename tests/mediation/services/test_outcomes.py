"""Counselling results, registry outcomes and the clock's lapses
(mediation/services/outcomes.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import services
from mediation.models import (
    AuditEvent,
    Case,
    Category,
    CounselingSession,
    FollowUp,
    OutcomeKind,
    Port,
    Referral,
)
from tests.factories import open_divorce_case
from tests.helpers import error_codes


def test_a_second_outcome_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )

    with pytest.raises(ValidationError) as error:
        services.close_case(
            case=case,
            kind=OutcomeKind.DIVORCED,
            decided_on=date(2026, 10, 20),
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"already_closed"}


def test_an_outcome_before_the_application_date_is_refused_next_to_the_date(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    with pytest.raises(ValidationError) as error:
        services.close_case(
            case=case,
            kind=OutcomeKind.DECLINED,
            decided_on=date(2026, 8, 30),
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"before_application"}
    assert "decided_on" in error.value.error_dict


def test_an_outcome_dated_in_the_future_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))

    with pytest.raises(ValidationError) as error:
        services.close_case(
            case=case,
            kind=OutcomeKind.RECONCILED,
            decided_on=timezone.localdate() + timedelta(days=1),
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"future"}


def test_referred_needs_a_recorded_referral(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    with pytest.raises(ValidationError) as error:
        services.close_case(
            case=case,
            kind=OutcomeKind.REFERRED,
            decided_on=date(2026, 9, 10),
            recorded_by=counselor,
        )
    services.refer(
        case=case,
        destination=Referral.Destination.LEGAL_AID,
        reason="需要法律咨询",
        referred_on=date(2026, 9, 10),
        referred_by=counselor,
    )
    outcome = services.close_case(
        case=case, kind=OutcomeKind.REFERRED, decided_on=date(2026, 9, 10), recorded_by=counselor
    )

    assert error_codes(error.value) == {"no_referral"}
    assert outcome.kind == OutcomeKind.REFERRED


def test_lapsed_is_never_recorded_by_hand_only_by_the_clock(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    with pytest.raises(ValidationError) as error:
        services.close_case(
            case=case, kind=OutcomeKind.LAPSED, decided_on=date(2026, 11, 9), recorded_by=counselor
        )

    assert error_codes(error.value) == {"lapsed_by_clock"}
    assert "2026年11月9日" in error.value.messages[0]


def test_only_a_divorce_application_has_a_registry_outcome_and_others_are_finished(counselor, xlt):
    case = services.open_case(
        office=xlt, port=Port.WALK_IN, category=Category.FAMILY, opened_by=counselor
    )

    with pytest.raises(ValidationError) as outcome:
        services.close_case(
            case=case,
            kind=OutcomeKind.RECONCILED,
            decided_on=timezone.localdate(),
            recorded_by=counselor,
        )
    services.finish_case(case=case, closed_by=counselor)
    with pytest.raises(ValidationError) as again:
        services.finish_case(case=case, closed_by=counselor)

    assert error_codes(outcome.value) == {"not_divorce"}
    assert error_codes(again.value) == {"closed"}


def test_a_divorce_case_is_closed_by_its_outcome_not_finished(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        services.finish_case(case=case, closed_by=counselor)

    assert error_codes(error.value) == {"divorce"}


def test_closing_cancels_the_booked_sessions(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    session = services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=1),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )

    services.close_case(
        case=case, kind=OutcomeKind.DIVORCED, decided_on=date(2026, 10, 20), recorded_by=counselor
    )

    session.refresh_from_db()
    case.refresh_from_db()
    assert session.status == CounselingSession.Status.CANCELLED
    assert case.status == Case.Status.CLOSED


def test_the_clock_marks_a_case_lapsed_when_the_certificate_window_ends_and_never_calls_it_reconciled(
    counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    assert services.mark_lapsed_cases(today=date(2026, 11, 9)) == []
    lapsed = services.mark_lapsed_cases(today=date(2026, 11, 10))

    case.refresh_from_db()
    assert [c.pk for c in lapsed] == [case.pk]
    assert case.outcome.kind == OutcomeKind.LAPSED
    assert case.outcome.by_clock
    assert case.outcome.decided_on == date(2026, 11, 9)
    assert AuditEvent.objects.filter(
        action="case.close", details__outcome="lapsed", role="system"
    ).exists()
    assert not FollowUp.objects.filter(case=case).exists()


def test_the_clock_leaves_provisional_deadlines_alone(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))

    assert services.mark_lapsed_cases(today=date(2027, 3, 1)) == []

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_results_and_outcomes_are_kept_apart(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.record_result(
        case=case, result="reconcile", result_on=date(2026, 9, 15), recorded_by=counselor
    )

    case.refresh_from_db()
    assert case.result == "reconcile"
    assert case.status == Case.Status.OPEN
    assert not hasattr(case, "outcome") or case.outcome is None


def test_a_result_is_not_dated_before_the_application_or_in_the_future(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    with pytest.raises(ValidationError) as before:
        services.record_result(
            case=case, result="reconcile", result_on=date(2026, 8, 31), recorded_by=counselor
        )
    with pytest.raises(ValidationError) as ahead:
        services.record_result(
            case=case,
            result="reconcile",
            result_on=timezone.localdate() + timedelta(days=1),
            recorded_by=counselor,
        )

    assert error_codes(before.value) == {"before_application"}
    assert error_codes(ahead.value) == {"future"}
