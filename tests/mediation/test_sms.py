"""SMS reminders that respect safety, each rule with the file backend: consent, opt-out (by the
counsellor, by 回复TD), the safe number after a positive screen, never a shared number, never in
quiet hours, never the word 离婚 or a name; retries that do not duplicate; delivery status."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from mediation import services
from mediation.models import (
    AuditEvent,
    CounselingSession,
    FollowUp,
    OutcomeKind,
    Purpose,
    SmsMessage,
)
from mediation.services import contact, reminders
from mediation.sms import rules, templates
from mediation.sms.backends.file import FileBackend
from mediation.sms.phones import normalise_mobile
from tests.factories import open_divorce_case
from tests.helpers import error_codes

BEIJING = ZoneInfo("Asia/Shanghai")
TOMORROW_9 = datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING)
PHONE_1, PHONE_2, SAFE = "13900000001", "13900000002", "13700000009"
NO = dict.fromkeys(services.SCREEN_QUESTIONS, False)
YES = {**NO, "afraid": True}


@pytest.fixture
def outbox(tmp_path):
    path = tmp_path / "outbox.jsonl"
    config = {
        "BACKEND": "mediation.sms.backends.file.FileBackend",
        "SIGNATURE": "同心调解",
        "OPTIONS": {"path": str(path)},
        "CALLBACK_SECRET": "s3cret",
    }
    with override_settings(TONGXIN_SMS=config):
        yield FileBackend(str(path))


@pytest.fixture
def case(xlt, counselor):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))
    first, second = case.parties.all()
    services.update_party(party=first, updated_by=counselor, name="陈杰", phone=PHONE_1)
    services.update_party(party=second, updated_by=counselor, name="杨静", phone=PHONE_2)
    return case


def parties(case):
    return list(case.parties.order_by("position"))


def book(case, counselor, *, kind="joint", party=None, starts_at=TOMORROW_9):
    return services.book_session(
        case=case,
        kind=kind,
        party=party,
        starts_at=starts_at,
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )


def send_now():
    return reminders.send_due()


def statuses(case):
    return {(m.party.position, m.status, m.reason) for m in SmsMessage.objects.filter(case=case)}


# --- acceptance ------------------------------------------------------------------------------


def test_booking_tomorrow_writes_one_reminder_for_the_consenting_party_and_none_for_the_screened(
    outbox, case, counselor
):
    first, second = parties(case)
    services.screen_party(party=first, answers=NO, screened_by=counselor)
    services.screen_party(party=second, answers=YES, screened_by=counselor)  # no safe number
    book(case, counselor, kind="individual", party=first)
    book(
        case, counselor, kind="individual", party=second, starts_at=TOMORROW_9 + timedelta(hours=2)
    )

    send_now()

    sent = outbox.sent()
    assert [message["phone"] for message in sent] == [PHONE_1]
    assert statuses(case) == {(1, "sent", ""), (2, "withheld", "no_safe_number")}
    text = sent[0]["text"]
    assert text.startswith("【同心调解】")
    assert "12月1日上午9:00" in text
    assert "离婚" not in text
    assert "杨静" not in text
    assert "陈杰" not in text


# --- each rule ---------------------------------------------------------------------------------


def test_no_message_without_consent_to_contact(outbox, xlt, counselor):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20), consent=False)
    for party in case.parties.all():
        services.record_consent(
            case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
        )
        services.update_party(party=party, updated_by=counselor, phone=PHONE_1)
    book(case, counselor)

    send_now()

    assert outbox.sent() == []
    assert statuses(case) == {(1, "withheld", "no_consent"), (2, "withheld", "no_consent")}


def test_a_party_with_a_positive_screen_is_texted_only_on_their_safe_number(
    outbox, case, counselor
):
    _first, second = parties(case)
    services.screen_party(party=second, answers=YES, screened_by=counselor)
    contact.set_contact_preferences(party=second, updated_by=counselor, safe_phone=SAFE)
    book(case, counselor, kind="individual", party=second)

    send_now()

    assert [message["phone"] for message in outbox.sent()] == [SAFE]


def test_a_safe_number_the_other_spouse_uses_is_refused(case, counselor):
    _first, second = parties(case)
    services.screen_party(party=second, answers=YES, screened_by=counselor)

    with pytest.raises(ValidationError) as error:
        contact.set_contact_preferences(
            party=second, updated_by=counselor, safe_phone="+86 139-0000-0001"
        )

    assert error_codes(error.value) == {"shared_number"}


def test_no_message_to_a_number_shared_with_the_other_spouse_after_a_positive_screen(
    outbox, case, counselor
):
    first, second = parties(case)
    services.update_party(party=second, updated_by=counselor, phone=PHONE_1)  # one family phone
    services.screen_party(party=second, answers=YES, screened_by=counselor)
    contact.set_contact_preferences(party=second, updated_by=counselor, safe_phone=SAFE)
    book(case, counselor, kind="individual", party=first)
    book(
        case, counselor, kind="individual", party=second, starts_at=TOMORROW_9 + timedelta(hours=2)
    )

    send_now()

    assert [message["phone"] for message in outbox.sent()] == [SAFE]
    assert (1, "withheld", "shared_number") in statuses(case)


def test_the_counsellor_records_an_opt_out_and_every_scheduled_message_is_cancelled(
    outbox, case, counselor
):
    first, _second = parties(case)
    book(case, counselor)

    contact.set_contact_preferences(party=first, updated_by=counselor, opted_out=True)
    send_now()

    assert [message["phone"] for message in outbox.sent()] == [PHONE_2]
    assert (1, "cancelled", "opted_out") in statuses(case)


def test_replying_td_opts_the_party_out_of_every_later_message(
    client, outbox, case, counselor, time_machine
):
    book(case, counselor)
    send_now()
    replies = json.dumps([{"phone": "+86" + PHONE_1, "text": "td"}])

    response = client.post(
        reverse("mediation:sms-callback", args=["file", "s3cret", "replies"]),
        replies,
        content_type="application/json",
    )

    assert response.status_code == 200
    first, second = parties(case)
    assert first.contact.opted_out
    assert first.contact.opted_out_source == "reply"
    assert not hasattr(second, "contact")
    time_machine.move_to(datetime(2026, 12, 1, 12, 0, tzinfo=BEIJING))
    book(case, counselor, starts_at=datetime(2026, 12, 2, 14, 0, tzinfo=BEIJING))
    send_now()
    assert [message["phone"] for message in outbox.sent()] == [PHONE_1, PHONE_2, PHONE_2]


def test_the_callback_needs_its_secret(client, outbox, db):
    url = reverse("mediation:sms-callback", args=["file", "wrong", "replies"])

    assert client.post(url, "[]", content_type="application/json").status_code == 404


def test_nothing_is_sent_in_quiet_hours_the_message_waits_for_eight(
    outbox, case, counselor, time_machine
):
    time_machine.move_to(datetime(2026, 11, 30, 22, 30, tzinfo=BEIJING))
    book(case, counselor, starts_at=datetime(2026, 12, 1, 14, 0, tzinfo=BEIJING))

    send_now()

    assert outbox.sent() == []
    waiting = SmsMessage.objects.filter(case=case).first()
    assert waiting.status == "scheduled"
    assert waiting.send_after == datetime(2026, 12, 1, 8, 0, tzinfo=BEIJING)
    time_machine.move_to(datetime(2026, 12, 1, 7, 59, tzinfo=BEIJING))
    send_now()
    assert outbox.sent() == []
    time_machine.move_to(datetime(2026, 12, 1, 8, 0, tzinfo=BEIJING))
    send_now()
    assert len(outbox.sent()) == 2


def test_a_reminder_that_could_only_go_in_quiet_hours_is_not_sent(
    outbox, case, counselor, time_machine
):
    time_machine.move_to(datetime(2026, 11, 30, 23, 0, tzinfo=BEIJING))
    book(case, counselor, starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING))

    send_now()

    assert outbox.sent() == []
    assert statuses(case) == {(1, "withheld", "quiet_hours"), (2, "withheld", "quiet_hours")}


# --- retries and idempotency ----------------------------------------------------------------------


def test_a_retry_after_a_failure_sends_once(outbox, case, counselor, tmp_path, time_machine):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    failing = {
        "BACKEND": "mediation.sms.backends.file.FileBackend",
        "OPTIONS": {"path": str(blocked / "outbox.jsonl")},
    }
    book(case, counselor, kind="individual", party=parties(case)[0])
    with override_settings(TONGXIN_SMS=failing):
        send_now()
    message = SmsMessage.objects.get()
    assert (message.status, message.attempts, message.reason) == ("scheduled", 1, "file")
    assert message.send_after == datetime(2026, 11, 30, 10, 2, tzinfo=BEIJING)

    time_machine.move_to(message.send_after)
    send_now()
    send_now()  # a second worker, or the task run again
    reminders.send_message(message_id=message.pk)

    assert len(outbox.sent()) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_scheduling_the_same_reminder_twice_makes_one_message(outbox, case, counselor):
    session = book(case, counselor)

    again = reminders.schedule_session_reminders(session=session)

    assert again == []
    assert SmsMessage.objects.filter(session=session).count() == 2


def test_the_idempotency_key_reaches_the_provider(outbox, case, counselor):
    session = book(case, counselor)

    send_now()

    keys = {message["idempotency_key"] for message in outbox.sent()}
    assert keys == {f"session:{session.uuid}:{party.uuid}" for party in parties(case)}


def test_a_cancelled_session_sends_no_reminder(outbox, case, counselor):
    session = book(case, counselor)
    services.cancel_session(session=session, cancelled_by=counselor, reason="party_asked")

    send_now()

    assert outbox.sent() == []
    assert statuses(case) == {
        (1, "cancelled", "session_changed"),
        (2, "cancelled", "session_changed"),
    }


def test_every_send_is_audited_without_the_number(outbox, case, counselor):
    book(case, counselor)

    send_now()

    events = AuditEvent.objects.filter(action="sms.send")
    assert events.count() == 2
    assert all(event.office_code == "XLT" for event in events)
    assert PHONE_1 not in json.dumps(list(events.values_list("details", flat=True)))


def test_delivery_reports_are_recorded(client, outbox, case, counselor):
    book(case, counselor)
    send_now()
    reports = [{"id": message["id"], "delivered": True} for message in outbox.sent()]

    response = client.post(
        reverse("mediation:sms-callback", args=["file", "s3cret", "reports"]),
        json.dumps(reports),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {"delivered"}


# --- follow-ups --------------------------------------------------------------------------------


def test_follow_up_reminders_go_on_their_due_day(outbox, case, counselor, time_machine):
    services.close_case(
        case=case,
        kind=OutcomeKind.RECONCILED,
        decided_on=date(2026, 11, 25),
        recorded_by=counselor,
        provisional_confirmed=True,  # the certificate window reaches 2027, not loaded
    )
    due = FollowUp.objects.filter(case=case, months=3)
    assert set(due.values_list("due_on", flat=True)) == {date(2027, 2, 25)}

    time_machine.move_to(datetime(2027, 2, 25, 9, 0, tzinfo=BEIJING))
    reminders.schedule_follow_up_reminders()
    send_now()
    assert outbox.sent() == []  # before the reminder hour
    time_machine.move_to(datetime(2027, 2, 25, 10, 0, tzinfo=BEIJING))
    reminders.schedule_follow_up_reminders()
    send_now()

    assert sorted(message["phone"] for message in outbox.sent()) == [PHONE_1, PHONE_2]
    assert {message["template"] for message in outbox.sent()} == {"follow_up_reminder"}


# --- the pure rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [("07:59", True), ("08:00", False), ("20:59", False), ("21:00", True), ("23:30", True)],
)
def test_quiet_hours_run_from_nine_in_the_evening_to_eight_in_the_morning(clock, quiet):
    hour, minute = (int(part) for part in clock.split(":"))

    assert rules.in_quiet_hours(datetime(2026, 12, 1, hour, minute, tzinfo=BEIJING)) is quiet


def test_a_text_with_the_word_or_the_other_spouses_name_is_refused():
    with pytest.raises(templates.TemplateError) as forbidden:
        templates.render("follow_up_reminder", {}, signature="离婚调解")
    with pytest.raises(templates.TemplateError) as name:
        templates.render(
            "session_reminder",
            {"date": "12月1日", "time": "上午9:00", "place": "杨静家"},
            signature="同心调解",
            also_forbidden=("杨静",),
        )
    with pytest.raises(templates.TemplateError) as detail:
        templates.render(
            "session_reminder",
            {"date": "12月1日", "time": "上午9:00", "place": "个案XLT-2026-0001"},
            signature="同心调解",
        )

    assert (forbidden.value.code, name.value.code, detail.value.code) == (
        "forbidden",
        "forbidden",
        "parameter",
    )


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("13900000001", "13900000001"),
        ("+86 139-0000-0001", "13900000001"),
        ("１３９００００００01", "13900000001"),
        ("0411-1234567", None),
        ("", None),
    ],
)
def test_mobile_numbers_are_normalised(raw, number):
    assert normalise_mobile(raw) == number


def test_a_reminder_status_shows_on_the_party_page(client, outbox, case, counselor):
    book(case, counselor)
    send_now()
    client.force_login(counselor)

    response = client.get(reverse("mediation:party-contact", args=[case.uuid, 1]))

    assert response.status_code == 200
    assert "已发送" in response.text
    assert CounselingSession.objects.count() == 1
