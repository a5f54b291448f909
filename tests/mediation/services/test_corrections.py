"""Correcting registry outcomes (mediation/services/corrections.py): a supervisor voids a wrong
one and the case reopens; outcomes on provisional deadlines are re-checked when the year is
entered."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, Case, FollowUp, Outcome, OutcomeKind
from tests.factories import open_divorce_case
from tests.helpers import error_codes

BEIJING = ZoneInfo("Asia/Shanghai")
# The 2027 notice as these tests imagine it: Spring Festival 6-14 February.
HOLIDAYS_2027 = [
    (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
    (date(2027, 2, 6), date(2027, 2, 14), "春节"),
]


def enter_2027(user):
    return services.enter_calendar_year(
        year=2027,
        holidays=HOLIDAYS_2027,
        makeup_workdays=[date(2027, 2, 20)],
        source="国务院办公厅关于2027年部分节假日安排的通知（测试）",
        entered_by=user,
    )


@pytest.fixture
def reconciled(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    outcome = services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    return case, outcome


def test_a_supervisor_voids_a_wrong_outcome_and_the_case_is_open_again(supervisor, reconciled):
    case, outcome = reconciled

    services.void_outcome(outcome=outcome, reason="日期录错", voided_by=supervisor)

    case.refresh_from_db()
    outcome.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.closed_at is None
    assert case.outcome is None
    assert outcome.is_voided
    assert outcome.voided_by == supervisor
    assert outcome.void_reason == "日期录错"
    assert set(case.follow_ups.values_list("status", flat=True)) == {FollowUp.Status.CANCELLED}
    event = AuditEvent.objects.get(action="case.outcome.void")
    assert event.office_code == "XLT"
    assert event.details["outcome"] == "reconciled"
    assert "日期录错" not in str(event.details)


def test_after_voiding_the_right_outcome_is_recorded_and_both_are_kept(
    counselor, supervisor, reconciled
):
    case, outcome = reconciled
    services.void_outcome(outcome=outcome, reason="应为离婚", voided_by=supervisor)

    right = services.close_case(
        case=case, kind=OutcomeKind.DIVORCED, decided_on=date(2026, 10, 20), recorded_by=counselor
    )

    assert case.outcome == right
    assert list(case.outcomes.values_list("kind", flat=True)) == ["reconciled", "divorced"]


def test_a_second_reconciliation_after_a_void_makes_the_calls_due_again(
    counselor, supervisor, reconciled
):
    case, outcome = reconciled
    services.void_outcome(outcome=outcome, reason="日期录错", voided_by=supervisor)

    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 25), recorded_by=counselor
    )

    due = case.follow_ups.filter(status=FollowUp.Status.DUE).order_by("party", "months")
    assert due.count() == 4
    assert {f.due_on for f in due} == {date(2026, 12, 25), date(2027, 3, 25)}


def test_only_a_supervisor_voids_with_a_reason_and_only_once(counselor, supervisor, reconciled):
    _case, outcome = reconciled

    with pytest.raises(ValidationError) as counsellor_tries:
        services.void_outcome(outcome=outcome, reason="错了", voided_by=counselor)
    with pytest.raises(ValidationError) as no_reason:
        services.void_outcome(outcome=outcome, reason="  ", voided_by=supervisor)
    services.void_outcome(outcome=outcome, reason="错了", voided_by=supervisor)
    with pytest.raises(ValidationError) as twice:
        services.void_outcome(outcome=outcome, reason="又错了", voided_by=supervisor)

    assert error_codes(counsellor_tries.value) == {"not_supervisor"}
    assert error_codes(no_reason.value) == {"reason"}
    assert error_codes(twice.value) == {"already_voided"}


def test_two_outcomes_in_force_are_impossible_in_the_database(counselor, reconciled):
    case, _outcome = reconciled

    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            case=case,
            kind=OutcomeKind.DIVORCED,
            decided_on=date(2026, 10, 20),
            recorded_by=counselor,
            recorded_at=timezone.now(),
        )


@pytest.fixture
def february_2027(time_machine):
    """A day after Spring Festival 2027, before its notice is entered."""
    time_machine.move_to(datetime(2027, 2, 22, 10, 0, tzinfo=BEIJING), tick=False)


def test_a_provisional_outcome_needs_a_confirmation_and_is_marked(february_2027, counselor, xlt):
    # Day 30 after 9 January 2027 is Monday 8 February: provisional while 2027 is not loaded.
    case = open_divorce_case(xlt, counselor, received_on=date(2027, 1, 9))
    assert case.deadlines_provisional
    assert case.cooling_off_ends_on == date(2027, 2, 8)

    with pytest.raises(ValidationError) as unconfirmed:
        services.close_case(
            case=case,
            kind=OutcomeKind.DIVORCED,
            decided_on=date(2027, 2, 10),
            recorded_by=counselor,
        )
    outcome = services.close_case(
        case=case,
        kind=OutcomeKind.DIVORCED,
        decided_on=date(2027, 2, 10),
        recorded_by=counselor,
        provisional_confirmed=True,
    )

    assert error_codes(unconfirmed.value) == {"confirm_provisional"}
    assert outcome.provisional
    assert not outcome.window_mismatch


def test_entering_the_year_rechecks_provisional_outcomes_and_lists_the_mismatch(
    february_2027, counselor, civil_affairs, supervisor, xlt
):
    wrong = open_divorce_case(xlt, counselor, received_on=date(2027, 1, 9))
    right = open_divorce_case(xlt, counselor, received_on=date(2027, 1, 11))
    for case, kind, day in (
        (wrong, OutcomeKind.DIVORCED, date(2027, 2, 10)),
        (right, OutcomeKind.RECONCILED, date(2027, 2, 1)),
    ):
        services.close_case(
            case=case, kind=kind, decided_on=day, recorded_by=counselor, provisional_confirmed=True
        )

    enter_2027(civil_affairs)

    wrong.refresh_from_db()
    right.refresh_from_db()
    # Spring Festival moves the end of cooling-off to Monday 15 February: a certificate on the
    # 10th was impossible, and the supervisor is asked to check it.
    assert wrong.cooling_off_ends_on == date(2027, 2, 15)
    assert not wrong.deadlines_provisional
    assert wrong.outcome.window_mismatch
    assert wrong.outcome.rechecked_at
    assert not right.outcome.window_mismatch
    assert right.outcome.rechecked_at
    review = services.outcomes_to_review(Case.objects.visible_to(supervisor))
    assert [outcome.case for outcome in review] == [wrong]
    assert (
        AuditEvent.objects.filter(action="case.outcome.recheck", details__mismatch=True).count()
        == 1
    )
