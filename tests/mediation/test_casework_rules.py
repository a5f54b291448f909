"""The rules of case work, through the services (DOMAIN.md; issue 'Case work end to end')."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import services
from mediation.models import (
    AuditEvent,
    Case,
    CounselingSession,
    FollowUp,
    OutcomeKind,
    Purpose,
    Referral,
    SessionNote,
)
from tests.factories import held_session_with_note, open_divorce_case
from tests.helpers import error_codes

NO = dict.fromkeys(services.SCREEN_QUESTIONS, False)


def past(days: int):
    return timezone.now() - timedelta(days=days)


def test_opening_a_divorce_case_computes_the_legal_deadlines(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    assert case.cooling_off_ends_on == date(2026, 10, 8)
    assert case.certificate_window_ends_on == date(2026, 11, 9)
    assert not case.deadlines_provisional
    assert case.number.startswith("XLT-2026-")


def test_a_case_whose_deadlines_reach_an_unloaded_year_is_provisional_and_recomputed_when_it_is_entered(
    counselor, civil_affairs, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))
    assert case.deadlines_provisional
    assert case.cooling_off_ends_on == date(2026, 12, 21)  # day 30 is Sunday 20 December
    assert case.certificate_window_ends_on == date(2027, 1, 20)

    services.enter_calendar_year(
        year=2027,
        holidays=[
            (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
            (date(2027, 1, 20), date(2027, 1, 21), "测试假日"),
        ],
        makeup_workdays=[],
        source="国务院办公厅通知（测试）",
        entered_by=civil_affairs,
    )

    case.refresh_from_db()
    assert not case.deadlines_provisional
    assert case.certificate_window_ends_on == date(2027, 1, 22)


def test_a_future_receipt_date_is_refused_next_to_the_field(counselor, xlt):
    with pytest.raises(ValidationError) as error:
        open_divorce_case(xlt, counselor, received_on=timezone.localdate() + timedelta(days=1))

    assert "received_on" in error.value.error_dict


def test_a_receipt_date_on_a_rest_day_warns_but_does_not_block(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 10, 3))

    assert case.pk
    assert "2026-10-03" in services.rest_day_warning(case.received_on)
    assert services.rest_day_warning(date(2026, 10, 9)) == ""


def test_case_numbers_are_sequential_and_unique_per_office_and_year(counselor, xlt):
    numbers = [open_divorce_case(xlt, counselor, consent=False).number for _ in range(3)]

    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == sorted(
        int(n.rsplit("-", 1)[1]) for n in numbers
    )


def test_nothing_beyond_the_minimum_is_recorded_without_counselling_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)

    with pytest.raises(ValidationError) as error:
        services.update_party(party=case.parties.first(), updated_by=counselor, name="某某")

    assert error_codes(error.value) == {"no_counselling_consent"}


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
    with pytest.raises(ValidationError):
        services.update_party(party=party, updated_by=counselor, name="某某")


def test_no_note_without_sensitive_information_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    services.record_consent(
        case=case,
        party=case.parties.last(),
        purpose=Purpose.SENSITIVE,
        given=False,
        recorded_by=counselor,
    )

    with pytest.raises(ValidationError) as error:
        held_session_with_note(case, counselor)

    assert error_codes(error.value) == {"no_sensitive_consent"}


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

    assert message in error.value.error_dict["id_number"][0].messages[0]


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


def test_a_positive_screen_blocks_joint_sessions_and_says_why(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    first, second = case.parties.all()
    services.screen_party(party=first, answers=NO, screened_by=counselor)
    services.screen_party(party=second, answers={**NO, "afraid": True}, screened_by=counselor)

    with pytest.raises(ValidationError) as error:
        services.book_session(
            case=case,
            kind="joint",
            starts_at=timezone.now() + timedelta(days=1),
            room="调解室一",
            lead_counselor=counselor,
            booked_by=counselor,
        )

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
    joint = services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=3),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    first, second = case.parties.all()

    services.screen_party(party=second, answers={**NO, "hurt": True}, screened_by=counselor)

    joint.refresh_from_db()
    assert joint.status == CounselingSession.Status.CANCELLED
    assert not services.may_contact(first)
    assert services.may_contact(second)


def test_the_screen_answers_are_kept_only_with_sensitive_consent(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    party = case.parties.first()
    services.record_consent(
        case=case, party=party, purpose=Purpose.SENSITIVE, given=False, recorded_by=counselor
    )

    screen = services.screen_party(
        party=party, answers={**NO, "afraid": True}, screened_by=counselor
    )

    assert screen.positive and screen.answers_sealed is None


def test_a_counsellor_cannot_be_double_booked(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    other = open_divorce_case(xlt, counselor)
    when = timezone.now() + timedelta(days=1)
    services.book_session(
        case=case,
        kind="joint",
        starts_at=when,
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )

    with pytest.raises(ValidationError) as error:
        services.book_session(
            case=other,
            kind="joint",
            starts_at=when,
            room="调解室二",
            lead_counselor=counselor,
            booked_by=counselor,
        )

    assert error_codes(error.value) == {"counselor_busy"}


def test_a_stale_note_save_keeps_the_users_text_out_of_the_database_and_says_so(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor, body="示例笔记：版本一")
    services.save_note(
        session=session, author=counselor, body="示例笔记：版本二", expected_version=1
    )

    with pytest.raises(services.StaleNote):
        services.save_note(
            session=session, author=counselor, body="示例笔记：过期的编辑", expected_version=1
        )

    fresh = SessionNote.objects.get(pk=note.pk)
    assert services.read_note(user=counselor, note=fresh).values["body"] == "示例笔记：版本二"
    assert note.revisions.count() == 1


def test_a_signed_note_is_locked_and_takes_addenda(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor)
    services.sign_note(note=note, signed_by=counselor)

    with pytest.raises(ValidationError) as error:
        services.save_note(session=session, author=counselor, body="改写", expected_version=1)
    services.add_addendum(note=note, author=counselor, body="示例笔记：补充说明")

    assert error_codes(error.value) == {"signed"}
    opened = services.read_note(user=counselor, note=note)
    assert [o.values["body"] for _, o in opened.values["addenda"]] == ["示例笔记：补充说明"]


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
            kind=OutcomeKind.RECONCILED,
            decided_on=date(2026, 8, 30),
            recorded_by=counselor,
        )

    assert error_codes(error.value) == {"before_application"}
    assert "decided_on" in error.value.error_dict


def test_referred_needs_a_recorded_referral(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    with pytest.raises(ValidationError):
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

    assert outcome.kind == OutcomeKind.REFERRED


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


def test_the_clock_marks_a_case_lapsed_when_the_certificate_window_ends_and_never_calls_it_reconciled(
    counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    assert services.mark_lapsed_cases(today=date(2026, 11, 9)) == []
    lapsed = services.mark_lapsed_cases(today=date(2026, 11, 10))

    case.refresh_from_db()
    assert [c.pk for c in lapsed] == [case.pk]
    assert case.outcome.kind == OutcomeKind.LAPSED and case.outcome.by_clock
    assert case.outcome.decided_on == date(2026, 11, 9)
    assert AuditEvent.objects.filter(
        action="case.close", details__outcome="lapsed", role="system"
    ).exists()
    assert not FollowUp.objects.filter(case=case).exists()


def test_results_and_outcomes_are_kept_apart(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.record_result(
        case=case, result="reconcile", result_on=date(2026, 9, 15), recorded_by=counselor
    )

    case.refresh_from_db()
    assert case.result == "reconcile"
    assert case.status == Case.Status.OPEN
    assert not hasattr(case, "outcome") or case.outcome is None


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


def test_a_follow_up_records_whether_the_reconciliation_held(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 5, 4))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 5, 31), recorded_by=counselor
    )
    follow_up = FollowUp.objects.filter(case=case, months=3).first()

    with pytest.raises(ValidationError):
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
    assert follow_up.reconciliation_held is True
