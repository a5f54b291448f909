"""Opening and editing cases, and who is assigned to them (mediation/services/cases.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, Case, Category, Port
from mediation.roles import Role
from tests.factories import make_user, open_divorce_case
from tests.helpers import error_codes


def test_opening_a_divorce_case_computes_the_legal_deadlines(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    assert case.cooling_off_ends_on == date(2026, 10, 8)
    assert case.certificate_window_ends_on == date(2026, 11, 9)
    assert not case.deadlines_provisional
    assert case.number.startswith("XLT-2026-")


def test_a_future_receipt_date_is_refused_next_to_the_field(counselor, xlt):
    with pytest.raises(ValidationError) as error:
        open_divorce_case(xlt, counselor, received_on=timezone.localdate() + timedelta(days=1))

    assert error_codes(error.value) == {"received_in_future"}
    assert "received_on" in error.value.error_dict


def test_a_receipt_date_before_the_cooling_off_law_is_refused(counselor, xlt):
    with pytest.raises(ValidationError) as error:
        open_divorce_case(xlt, counselor, received_on=date(2020, 12, 31))

    assert error_codes(error.value) == {"received_before_law"}


def test_a_divorce_case_needs_its_receipt_date(counselor, xlt):
    with pytest.raises(ValidationError) as error:
        services.open_case(
            office=xlt, port=Port.DIVORCE, category=Category.MARITAL, opened_by=counselor
        )

    assert error_codes(error.value) == {"received_on_required"}


def test_only_a_divorce_case_keeps_a_receipt_date_and_deadlines(counselor, xlt):
    case = services.open_case(
        office=xlt,
        port=Port.MARRIAGE,
        category=Category.PREMARITAL,
        received_on=date(2026, 9, 1),
        opened_by=counselor,
    )

    assert case.received_on is None
    assert case.cooling_off_ends_on is None


def test_case_numbers_are_sequential_and_unique_per_office_and_year(counselor, xlt):
    numbers = [open_divorce_case(xlt, counselor, consent=False).number for _ in range(3)]

    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == sorted(
        int(n.rsplit("-", 1)[1]) for n in numbers
    )


def test_the_counsellor_who_opens_a_case_is_assigned_and_the_opening_is_an_event(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    assert list(case.counselors.all()) == [counselor]
    assert AuditEvent.objects.filter(action="case.open", object_uuid=str(case.uuid)).exists()


def test_editing_the_receipt_date_recomputes_the_deadlines(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    services.update_case(
        case=case, updated_by=counselor, category=Category.FAMILY, received_on=date(2026, 3, 2)
    )

    case.refresh_from_db()
    assert (case.cooling_off_ends_on, case.certificate_window_ends_on) == (
        date(2026, 4, 1),
        date(2026, 5, 6),
    )


def test_a_closed_case_cannot_be_edited(counselor, xlt):
    case = services.open_case(
        office=xlt, port=Port.WALK_IN, category=Category.FAMILY, opened_by=counselor
    )
    services.finish_case(case=case, closed_by=counselor)

    with pytest.raises(ValidationError) as error:
        services.update_case(
            case=case, updated_by=counselor, category=Category.MARITAL, received_on=None
        )

    assert error_codes(error.value) == {"closed"}


def test_only_a_counsellor_of_the_office_can_be_assigned_and_only_once(
    counselor, other_counselor, supervisor, xlt
):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as elsewhere:
        services.assign_counselor(case=case, counselor=other_counselor, assigned_by=supervisor)
    with pytest.raises(ValidationError) as twice:
        services.assign_counselor(case=case, counselor=counselor, assigned_by=supervisor)

    assert error_codes(elsewhere.value) == {"not_a_counselor_here"}
    assert error_codes(twice.value) == {"already_assigned"}


def test_an_inactive_counsellor_cannot_be_assigned(counselor, supervisor, xlt):
    gone = make_user(Role.COUNSELOR, xlt, username="c_gone", is_active=False)
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.assign_counselor(case=case, counselor=gone, assigned_by=supervisor)

    assert error_codes(error.value) == {"not_a_counselor_here"}


def test_removing_a_counsellor_ends_the_assignment_once(counselor, supervisor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    services.unassign_counselor(case=case, counselor=counselor, unassigned_by=supervisor)

    with pytest.raises(ValidationError) as error:
        services.unassign_counselor(case=case, counselor=counselor, unassigned_by=supervisor)

    assert error_codes(error.value) == {"not_assigned"}
    assert not Case.objects.visible_to(counselor).filter(pk=case.pk).exists()
