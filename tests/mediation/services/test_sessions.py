"""Booking, recording, holding and cancelling sessions (mediation/services/sessions.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import services
from mediation.models import CounselingSession, OutcomeKind, Purpose, Service
from mediation.roles import Role
from tests.factories import make_user, open_divorce_case
from tests.helpers import error_codes


def book(case, counselor, *, when=None, room="调解室一", **changes):
    fields = {
        "case": case,
        "kind": "joint",
        "starts_at": when or timezone.now() + timedelta(days=1),
        "room": room,
        "lead_counselor": counselor,
        "booked_by": counselor,
    }
    return services.book_session(**(fields | changes))


def test_a_counsellor_cannot_be_double_booked(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    other = open_divorce_case(xlt, counselor)
    when = timezone.now() + timedelta(days=1)
    book(case, counselor, when=when)

    with pytest.raises(ValidationError) as error:
        book(other, counselor, when=when, room="调解室二")

    assert error_codes(error.value) == {"counselor_busy"}


def test_a_room_cannot_be_double_booked(counselor, xlt):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_room")
    case = open_divorce_case(xlt, counselor)
    other = open_divorce_case(xlt, colleague)
    when = timezone.now() + timedelta(days=1)
    book(case, counselor, when=when)

    with pytest.raises(ValidationError) as error:
        book(other, colleague, when=when)

    assert error_codes(error.value) == {"room_busy"}


def test_a_cancelled_session_frees_the_counsellor_and_the_room(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    when = timezone.now() + timedelta(days=1)
    first = book(case, counselor, when=when)
    services.cancel_session(session=first, cancelled_by=counselor, reason="party_asked")

    second = book(case, counselor, when=when)

    assert second.status == CounselingSession.Status.BOOKED


def test_every_party_of_a_session_needs_counselling_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    services.record_consent(
        case=case,
        party=case.parties.last(),
        purpose=Purpose.COUNSELLING,
        given=False,
        recorded_by=counselor,
    )

    with pytest.raises(ValidationError) as error:
        book(case, counselor)

    assert error_codes(error.value) == {"no_counselling_consent"}


def test_an_individual_session_needs_a_party_of_this_case(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    other = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        book(case, counselor, kind="individual", party=other.parties.first())

    assert error_codes(error.value) == {"party_not_in_case"}


def test_only_a_counsellor_assigned_to_the_case_leads_its_session(counselor, xlt, other_counselor):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        book(case, other_counselor, booked_by=counselor)

    assert error_codes(error.value) == {"not_assigned"}


def test_a_session_lasts_ten_to_two_hundred_and_forty_minutes(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        book(case, counselor, duration_minutes=5)

    assert error_codes(error.value) == {"duration"}


def test_a_session_to_come_is_not_recorded_as_past(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        services.record_past_session(
            case=case,
            kind="joint",
            starts_at=timezone.now() + timedelta(hours=1),
            room="调解室一",
            lead_counselor=counselor,
            booked_by=counselor,
        )

    assert error_codes(error.value) == {"future"}
    assert not case.sessions.exists()


def test_holding_records_the_services_and_refuses_sessions_not_yet_begun_or_cancelled(
    counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    past = book(case, counselor, when=timezone.now() - timedelta(days=1))
    coming = book(case, counselor, when=timezone.now() + timedelta(days=1))
    cancelled = book(case, counselor, when=timezone.now() + timedelta(days=2))
    services.cancel_session(session=cancelled, cancelled_by=counselor, reason="rescheduled")

    held = services.hold_session(
        session=past, services=[Service.PSYCHOLOGICAL], held_by=counselor, duration_minutes=60
    )
    with pytest.raises(ValidationError) as too_early:
        services.hold_session(session=coming, services=[Service.PSYCHOLOGICAL], held_by=counselor)
    with pytest.raises(ValidationError) as not_booked:
        services.hold_session(
            session=cancelled, services=[Service.PSYCHOLOGICAL], held_by=counselor
        )
    with pytest.raises(ValidationError) as nothing:
        services.hold_session(session=past, services=[], held_by=counselor)

    assert held.status == CounselingSession.Status.HELD
    assert held.services == [Service.PSYCHOLOGICAL]
    assert held.duration_minutes == 60
    assert error_codes(too_early.value) == {"future"}
    assert error_codes(not_booked.value) == {"cancelled"}
    assert error_codes(nothing.value) == {"services"}


def test_only_a_booked_session_is_cancelled_or_marked_as_not_attended(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session = book(case, counselor, when=timezone.now() - timedelta(hours=2))

    services.cancel_session(
        session=session, cancelled_by=counselor, no_show=True, reason="not_reached"
    )
    with pytest.raises(ValidationError) as error:
        services.cancel_session(session=session, cancelled_by=counselor, reason="party_asked")

    session.refresh_from_db()
    assert session.status == CounselingSession.Status.NO_SHOW
    assert error_codes(error.value) == {"not_booked"}


def test_a_closed_case_takes_no_session(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )

    with pytest.raises(ValidationError) as error:
        book(case, counselor)

    assert error_codes(error.value) == {"closed"}
