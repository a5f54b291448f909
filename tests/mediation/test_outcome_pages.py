"""The registry outcome through the pages: refused with the window, confirmed before anything is
saved, voided by the supervisor and shown struck through, no countdown on a closed case."""

from datetime import date, timedelta
from http import HTTPStatus

from django.urls import reverse
from django.utils import timezone

from mediation import services
from mediation.models import Case, CounselingSession, Outcome, OutcomeKind
from tests.factories import open_divorce_case


def outcome_url(case):
    return reverse("mediation:case-outcome", args=[case.uuid])


def test_divorced_during_cooling_off_is_refused_with_the_window_and_the_form_kept(
    client, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    client.force_login(counselor)

    response = client.post(outcome_url(case), {"kind": "divorced", "decided_on": "2026-09-27"})

    assert response.status_code == HTTPStatus.OK
    assert response.text.count("离婚证只能在2026年10月9日至2026年11月9日之间领取。") == 1
    assert 'value="2026-09-27"' in response.text
    assert not Outcome.objects.exists()


def test_the_first_day_after_cooling_off_is_accepted_after_a_confirmation(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    booked = services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=2),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    client.force_login(counselor)
    data = {"kind": "divorced", "decided_on": "2026-10-09"}

    confirm = client.post(outcome_url(case), data)

    assert confirm.status_code == HTTPStatus.OK
    assert "确认登记结果" in confirm.text
    assert "尚未保存" in confirm.text
    assert "离婚：已领取离婚证" in confirm.text
    assert "2026年10月9日" in confirm.text
    assert "取消" in confirm.text
    assert "调解室一" not in confirm.text
    assert not Outcome.objects.exists()
    assert CounselingSession.objects.get(pk=booked.pk).status == "booked"

    done = client.post(outcome_url(case), {**data, "confirmed": "1"}, follow=True)

    case.refresh_from_db()
    assert "登记结果已记录" in done.text
    assert case.status == Case.Status.CLOSED
    assert case.outcome.kind == OutcomeKind.DIVORCED
    assert CounselingSession.objects.get(pk=booked.pk).cancel_reason == "case_closed"


def test_lapsed_is_not_offered_on_the_form(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    client.force_login(counselor)

    response = client.get(outcome_url(case))

    assert 'value="lapsed"' not in response.text
    assert 'value="divorced"' in response.text


def test_the_supervisor_voids_an_outcome_and_it_is_shown_struck_through(
    client, counselor, supervisor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    client.force_login(supervisor)

    client.post(reverse("mediation:outcome-void", args=[case.uuid]), {"reason": "日期录错"})
    detail = client.get(reverse("mediation:case-detail", args=[case.uuid]))

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert "<del>和好：撤回离婚登记申请" in detail.text
    assert "日期录错" in detail.text
    assert "记录登记结果" in detail.text


def test_a_counsellor_cannot_reach_the_void_page(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    client.force_login(counselor)

    response = client.post(reverse("mediation:outcome-void", args=[case.uuid]), {"reason": "x"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert case.outcome is not None


def test_a_closed_case_shows_its_deadlines_but_no_countdown(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 10))
    client.force_login(counselor)
    detail = reverse("mediation:case-detail", args=[case.uuid])
    open_page = client.get(detail).text

    services.close_case(
        case=case,
        kind=OutcomeKind.RECONCILED,
        decided_on=date(2026, 11, 20),
        recorded_by=counselor,
        provisional_confirmed=True,
    )
    closed_page = client.get(detail).text

    assert "还剩" in open_page
    assert "还剩" not in closed_page
    assert "2026年12月10日" in closed_page
