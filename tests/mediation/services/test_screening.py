"""The safety screen and what a positive one stops (mediation/services/screening.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, CounselingSession, Purpose
from tests.factories import open_divorce_case
from tests.helpers import error_codes

NO = dict.fromkeys(services.SCREEN_QUESTIONS, False)


def book_joint(case, counselor, days=1):
    return services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=days),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )


def test_a_positive_screen_blocks_joint_sessions_and_says_why(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    first, second = case.parties.all()
    services.screen_party(party=first, answers=NO, screened_by=counselor)
    services.screen_party(party=second, answers={**NO, "afraid": True}, screened_by=counselor)

    with pytest.raises(ValidationError) as error:
        book_joint(case, counselor)

    assert error_codes(error.value) == {"joint_blocked"}
    assert "联合面谈" in error.value.messages[0]
    individual = services.book_session(
        case=case,
        kind="individual",
        party=second,
        starts_at=timezone.now() + timedelta(days=1),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    assert individual.pk


def test_a_positive_screen_cancels_booked_joint_sessions_and_follow_up_calls_to_the_other_party(
    counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    joint = book_joint(case, counselor, days=3)
    first, second = case.parties.all()

    services.screen_party(party=second, answers={**NO, "hurt": True}, screened_by=counselor)

    joint.refresh_from_db()
    assert joint.status == CounselingSession.Status.CANCELLED
    assert not services.may_contact(first)
    assert services.may_contact(second)


def test_a_negative_screen_blocks_nothing_and_is_an_event_without_the_answers(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    screen = services.screen_party(party=case.parties.first(), answers=NO, screened_by=counselor)

    case.refresh_from_db()
    assert not screen.positive
    assert not case.joint_sessions_blocked
    event = AuditEvent.objects.get(action="screen.record")
    assert event.details == {"positive": False}


def test_the_screen_answers_are_kept_only_with_sensitive_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    services.record_consent(
        case=case, party=party, purpose=Purpose.SENSITIVE, given=False, recorded_by=counselor
    )

    screen = services.screen_party(
        party=party, answers={**NO, "afraid": True}, screened_by=counselor
    )

    assert screen.positive
    assert screen.answers_sealed is None


def test_every_question_must_be_answered(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        services.screen_party(
            party=case.parties.first(), answers={"hurt": False}, screened_by=counselor
        )

    assert error_codes(error.value) == {"incomplete"}


def test_no_screen_without_counselling_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.screen_party(party=case.parties.first(), answers=NO, screened_by=counselor)

    assert error_codes(error.value) == {"no_counselling_consent"}
