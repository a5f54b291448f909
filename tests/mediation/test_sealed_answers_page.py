"""The page that opens a case's screening answers and referral reasons: on request, audited,
through the door; supervisors see the reasons, never the screening answers (SECURITY.md)."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse

from mediation import services
from mediation.models import AuditEvent, Referral
from tests.factories import open_divorce_case

NO = dict.fromkeys(services.SCREEN_QUESTIONS, False)


@pytest.fixture
def case(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    first = case.parties.first()
    services.screen_party(party=first, answers={**NO, "threatened": True}, screened_by=counselor)
    services.refer(
        case=case,
        party=first,
        destination=Referral.Destination.LEGAL_AID,
        reason="示例：咨询财产分割",
        referred_on=date(2026, 9, 10),
        referred_by=counselor,
    )
    return case


def url(case):
    return reverse("mediation:sealed-answers", args=[case.uuid])


def test_the_case_page_opens_nothing_sealed_and_offers_the_button(client, counselor, case):
    client.force_login(counselor)

    page = client.get(reverse("mediation:case-detail", args=[case.uuid]))

    assert url(case) in page.text
    assert "示例：咨询财产分割" not in page.text
    assert not AuditEvent.objects.filter(action__in=["screen.read", "referral.read"]).exists()


def test_the_counsellor_reads_the_answers_and_the_reasons_and_each_read_is_recorded(
    client, counselor, case
):
    client.force_login(counselor)

    page = client.get(url(case))

    assert page.status_code == HTTPStatus.OK
    assert "筛查答案和转介原因" in page.text
    assert "对方是否威胁过要伤害您、孩子或其他家人？" in page.text
    assert "示例：咨询财产分割" in page.text
    assert AuditEvent.objects.filter(action="screen.read", actor=counselor).count() == 1
    assert AuditEvent.objects.filter(action="referral.read", actor=counselor).count() == 1
    assert page["Cache-Control"].startswith("max-age=0")


def test_the_supervisor_reads_the_reasons_but_not_the_screening_answers(client, supervisor, case):
    client.force_login(supervisor)

    page = client.get(url(case))

    assert page.status_code == HTTPStatus.OK
    assert "示例：咨询财产分割" in page.text
    assert "筛查答案仅本个案的咨询师可见" in page.text
    assert "威胁" not in page.text
    assert not AuditEvent.objects.filter(action="screen.read").exists()


@pytest.mark.parametrize(
    "who", ["other_counselor", "civil_affairs", "sysadmin", "secadmin", "auditadmin"]
)
def test_everyone_else_gets_404_and_the_attempt_is_recorded(client, case, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(case))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert AuditEvent.objects.filter(
        action="case.view", object_uuid=str(case.uuid), outcome="denied"
    ).exists()
    assert not AuditEvent.objects.filter(action__in=["screen.read", "referral.read"]).exists()
