"""Moving a counsellor's cases to a colleague when they leave: every case at once, each an
audit event, and the old counsellor reaches none of them on their next request."""

from datetime import date
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mediation import services
from mediation.models import AuditEvent, Case, CaseAssignment
from mediation.roles import Role
from tests.factories import make_user, open_divorce_case
from tests.helpers import error_codes


@pytest.fixture
def colleague(xlt):
    return make_user(Role.COUNSELOR, xlt, username="c_xlt_next", full_name="接手咨询")


@pytest.fixture
def cases(counselor, xlt):
    return [open_divorce_case(xlt, counselor, received_on=date(2026, 11, d)) for d in (2, 9, 16)]


def test_the_cases_move_at_once_and_the_old_counsellor_gets_404(
    client, counselor, colleague, supervisor, xlt, cases
):
    client.force_login(counselor)
    url = reverse("mediation:case-detail", args=[cases[0].uuid])
    assert client.get(url).status_code == HTTPStatus.OK

    moved = services.reassign_cases(
        office=xlt,
        from_counselor=counselor,
        to_counselor=colleague,
        reassigned_by=supervisor,
        reason="月底离岗",
    )

    assert {case.pk for case in moved} == {case.pk for case in cases}
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert not Case.objects.visible_to(counselor).exists()
    assert set(Case.objects.visible_to(colleague)) == set(cases)
    events = AuditEvent.objects.filter(action="case.reassign")
    assert events.count() == 3
    assert {e.details["to"] for e in events} == {colleague.username}
    assert all(e.details["reason"] == "月底离岗" for e in events)


def test_only_the_cases_ticked_move(counselor, colleague, supervisor, xlt, cases):
    services.reassign_cases(
        office=xlt,
        from_counselor=counselor,
        to_counselor=colleague,
        reassigned_by=supervisor,
        reason="分担",
        cases=cases[:1],
    )

    assert set(Case.objects.visible_to(counselor)) == set(cases[1:])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"to_counselor": "self"}, "same_counselor"),
        ({"reason": " "}, "reason"),
        ({"to_counselor": "other_office"}, "not_a_counselor_here"),
    ],
)
def test_a_move_that_makes_no_sense_is_refused(
    counselor, colleague, other_counselor, supervisor, xlt, cases, change, code
):
    to = {"self": counselor, "other_office": other_counselor}.get(
        change.get("to_counselor"), colleague
    )

    with pytest.raises(ValidationError) as error:
        services.reassign_cases(
            office=xlt,
            from_counselor=counselor,
            to_counselor=to,
            reassigned_by=supervisor,
            reason=change.get("reason", "离岗"),
        )

    assert error_codes(error.value) == {code}
    assert CaseAssignment.objects.filter(counselor=counselor, ended_at=None).count() == 3


def test_the_supervisor_moves_them_on_a_page_and_lands_on_the_desk(
    client, counselor, colleague, supervisor, cases
):
    client.force_login(supervisor)
    url = reverse("mediation:cases-reassign", args=["XLT", counselor.pk])

    page = client.get(url)
    response = client.post(
        url,
        {"cases": [c.pk for c in cases], "to_counselor": colleague.pk, "reason": "调岗"},
    )

    assert all(case.number in page.text for case in cases)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("counselors:desk")
    assert not Case.objects.visible_to(counselor).exists()


def test_a_counsellor_cannot_move_cases(client, counselor, colleague):
    client.force_login(counselor)

    url = reverse("mediation:cases-reassign", args=["XLT", counselor.pk])

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
