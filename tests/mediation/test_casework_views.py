"""Case work in the browser's requests: who reaches what, and bad input that loses nothing."""

from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, Case, ConsentRecord, CounselingSession
from mediation.roles import Role
from tests.factories import held_session_with_note, make_user, open_divorce_case


@pytest.fixture
def case_with_note(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.update_party(party=case.parties.first(), updated_by=counselor, name="张示例")
    session, note = held_session_with_note(case, counselor, body="示例笔记：只有咨询师可见")
    return case, session, note


def session_url(case, session):
    return reverse("mediation:session-detail", args=[case.uuid, session.uuid])


def test_the_assigned_counsellor_reads_names_and_notes(client, counselor, case_with_note):
    case, session, _ = case_with_note
    client.force_login(counselor)

    detail = client.get(reverse("mediation:case-detail", args=[case.uuid]))
    notes = client.get(session_url(case, session))

    assert "张示例" in detail.text
    assert "示例笔记：只有咨询师可见" in notes.text
    assert "2026年10月8日" in detail.text
    assert "2026年11月9日" in notes.text


@pytest.mark.parametrize(
    "who",
    ["other_counselor", "civil_affairs", "womens_federation", "sysadmin", "secadmin", "auditadmin"],
)
def test_everyone_else_gets_404_on_every_case_page_and_the_attempt_is_recorded(
    client, case_with_note, who, request
):
    case, session, _ = case_with_note
    client.force_login(request.getfixturevalue(who))
    urls = [
        reverse("mediation:case-detail", args=[case.uuid]),
        session_url(case, session),
        reverse("mediation:note-edit", args=[case.uuid, session.uuid]),
        reverse("mediation:party-edit", args=[case.uuid, 1]),
        reverse("mediation:case-outcome", args=[case.uuid]),
    ]

    statuses = {url: client.get(url).status_code for url in urls}

    assert set(statuses.values()) == {HTTPStatus.NOT_FOUND}
    assert AuditEvent.objects.filter(object_uuid=str(case.uuid), outcome="denied").count() >= len(
        urls
    )


def test_a_supervisor_sees_the_case_and_note_metadata_but_never_note_text(
    client, supervisor, case_with_note
):
    case, session, _note = case_with_note
    client.force_login(supervisor)

    detail = client.get(reverse("mediation:case-detail", args=[case.uuid]))
    page = client.get(session_url(case, session))
    edit = client.get(reverse("mediation:note-edit", args=[case.uuid, session.uuid]))

    assert detail.status_code == HTTPStatus.OK
    assert "张示例" in detail.text
    assert page.status_code == HTTPStatus.OK
    assert "示例笔记" not in page.text
    assert "仅本个案的咨询师可见" in page.text
    assert edit.status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(
        action="note.read", actor=supervisor, outcome="ok"
    ).exists()


def test_losing_the_assignment_removes_access_on_the_next_request(
    client, counselor, supervisor, case_with_note
):
    case, _, _ = case_with_note
    client.force_login(counselor)
    assert (
        client.get(reverse("mediation:case-detail", args=[case.uuid])).status_code == HTTPStatus.OK
    )

    services.unassign_counselor(case=case, counselor=counselor, unassigned_by=supervisor)

    assert (
        client.get(reverse("mediation:case-detail", args=[case.uuid])).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_the_supervisor_assigns_a_counsellor_who_then_reaches_the_case(
    client, supervisor, xlt, counselor
):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_2")
    case = open_divorce_case(xlt, counselor)
    client.force_login(supervisor)

    client.post(reverse("mediation:case-assign", args=[case.uuid]), {"counselor": colleague.pk})
    client.force_login(colleague)

    assert (
        client.get(reverse("mediation:case-detail", args=[case.uuid])).status_code == HTTPStatus.OK
    )


def test_opening_a_case_with_an_impossible_date_keeps_what_was_typed(client, counselor, xlt):
    client.force_login(counselor)

    response = client.post(
        reverse("mediation:case-open"),
        {
            "office": xlt.pk,
            "port": "divorce",
            "category": "marital",
            "received_on": "2026-02-30",
            "party_count": 2,
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "有效的日期" in response.text or "日期" in response.text
    assert 'value="2026-02-30"' in response.text
    assert not Case.objects.exists()


def test_opening_a_case_on_a_rest_day_warns_and_opens(client, counselor, xlt):
    client.force_login(counselor)

    response = client.post(
        reverse("mediation:case-open"),
        {
            "office": xlt.pk,
            "port": "divorce",
            "category": "marital",
            "received_on": "2026-10-03",
            "party_count": 2,
        },
        follow=True,
    )

    assert Case.objects.count() == 1
    assert "法定休息日" in response.text


def test_a_joint_session_after_a_positive_screen_is_refused_with_the_reason_and_the_form_kept(
    client, counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    services.screen_party(
        party=case.parties.last(),
        answers={**dict.fromkeys(services.SCREEN_QUESTIONS, False), "hurt": True},
        screened_by=counselor,
    )
    client.force_login(counselor)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        reverse("mediation:session-book", args=[case.uuid]),
        {
            "kind": "joint",
            "day": yesterday.isoformat(),
            "time": "09:30",
            "duration_minutes": 50,
            "room": "调解室七",
            "lead_counselor": counselor.pk,
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "不能预约联合面谈" in response.text
    assert "调解室七" in response.text


def test_a_stale_note_save_comes_back_with_the_users_text(client, counselor, case_with_note):
    case, session, _note = case_with_note
    services.save_note(
        session=session, author=counselor, body="示例笔记：别人先保存的", expected_version=1
    )
    client.force_login(counselor)

    response = client.post(
        reverse("mediation:note-edit", args=[case.uuid, session.uuid]),
        {"body": "示例笔记：我在旧版本上写的", "assessment": "", "version": 1},
    )

    assert response.status_code == HTTPStatus.OK
    assert "我在旧版本上写的" in response.text
    assert "他人已保存" in response.text


def test_a_second_outcome_through_the_page_is_refused(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    client.force_login(counselor)
    url = reverse("mediation:case-outcome", args=[case.uuid])
    client.post(url, {"kind": "reconciled", "decided_on": "2026-09-20", "confirmed": "1"})

    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    second = client.post(url, {"kind": "divorced", "decided_on": "2026-10-20"})
    assert second.text.count("已有登记结果") == 1


def test_a_session_to_come_cannot_be_recorded_outside_the_duty_roster(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    client.force_login(counselor)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("mediation:session-book", args=[case.uuid]),
        {
            "kind": "joint",
            "day": tomorrow.isoformat(),
            "time": "09:30",
            "duration_minutes": 50,
            "room": "调解室一",
            "lead_counselor": counselor.pk,
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "值班时段" in response.text
    assert not case.sessions.exists()


def test_the_supervisor_removes_a_counsellor_with_the_button_on_the_assign_page(
    client, supervisor, counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    client.force_login(supervisor)
    url = reverse("mediation:case-assign", args=[case.uuid])

    removed = client.post(url, {"unassign": counselor.pk}, follow=True)
    again = client.post(url, {"unassign": counselor.pk}, follow=True)

    assert "已不再负责本个案" in removed.text
    assert "该咨询师未分配到此个案" in again.text
    assert not Case.objects.visible_to(counselor).exists()


def test_a_session_is_cancelled_or_marked_as_not_attended_from_its_page(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    sessions = [
        services.book_session(
            case=case,
            kind="joint",
            starts_at=timezone.now() + timedelta(days=days),
            room="调解室一",
            lead_counselor=counselor,
            booked_by=counselor,
        )
        for days in (1, -1)
    ]
    client.force_login(counselor)

    asked = client.get(reverse("mediation:session-cancel", args=[case.uuid, sessions[0].uuid]))
    client.post(
        reverse("mediation:session-cancel", args=[case.uuid, sessions[0].uuid]),
        {"reason": "party_asked"},
    )
    client.post(
        reverse("mediation:session-cancel", args=[case.uuid, sessions[1].uuid]),
        {"no_show": "1", "reason": "not_reached"},
    )

    assert "当事人要求取消" in asked.text
    cancelled, not_attended = (CounselingSession.objects.get(pk=s.pk) for s in sessions)
    assert cancelled.status == CounselingSession.Status.CANCELLED
    assert (cancelled.cancel_reason, cancelled.cancelled_by) == ("party_asked", counselor)
    assert not_attended.status == CounselingSession.Status.NO_SHOW
    assert not_attended.cancel_reason == "not_reached"


def test_opening_a_case_for_a_walk_in_ignores_a_receipt_date(client, counselor, xlt):
    client.force_login(counselor)

    client.post(
        reverse("mediation:case-open"),
        {
            "office": xlt.pk,
            "port": "walk_in",
            "category": "family",
            "received_on": "2026-10-09",
            "party_count": 1,
        },
    )

    case = Case.objects.get()
    assert case.received_on is None
    assert case.parties.count() == 1


def test_the_session_page_reads_its_notes_once_each(client, counselor, case_with_note):
    case, session, note = case_with_note
    client.force_login(counselor)

    client.get(session_url(case, session))

    assert AuditEvent.objects.filter(action="note.read", object_uuid=str(note.uuid)).count() == 1


def test_a_counsellor_of_another_office_is_refused_the_case_pages_consent_form(
    client, other_counselor, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, consent=False)
    client.force_login(other_counselor)

    response = client.post(
        reverse("mediation:case-consent", args=[case.uuid]), {"p1_counselling": "yes"}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not ConsentRecord.objects.exists()


def test_office_cases_of_one_counsellor_list_each_of_their_cases_once_by_deadline(
    client, counselor, supervisor, xlt
):
    second = make_user(Role.COUNSELOR, xlt, username="c_xlt_2", full_name="赵咨询")
    later = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 14))
    sooner = open_divorce_case(xlt, counselor, received_on=date(2026, 8, 3))
    not_theirs = open_divorce_case(xlt, second, received_on=date(2026, 9, 2))
    services.assign_counselor(case=sooner, counselor=second, assigned_by=supervisor)
    client.force_login(supervisor)

    page = client.get(reverse("mediation:office-cases"), {"counselor": counselor.pk})

    text = page.content.decode()
    links = [reverse("mediation:case-detail", args=[case.uuid]) for case in (sooner, later)]
    assert [text.count(f'href="{link}"') for link in links] == [1, 1]
    assert text.index(links[0]) < text.index(links[1])
    assert str(not_theirs.uuid) not in text
