"""A counsellor's own duty page (我的排班) and the duty demo data."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse

from counselors import demo
from counselors.models import CounselorProfile, Duty, Roster
from counselors.services import feed_tokens
from mediation.demo import seed_accounts

MY_DUTIES = reverse("counselors:my-duties")


def test_a_counsellor_sees_their_duties_and_their_calendar_address(client, upcoming, team):
    client.force_login(team[0].user)

    response = client.get(MY_DUTIES)

    assert response.status_code == HTTPStatus.OK
    assert feed_tokens.feed_token(team[0]) in response.text
    first = upcoming.duties.filter(counselor=team[0]).earliest("day", "half_day")
    assert f"{first.day.year}年{first.day.month}月{first.day.day}日" in response.text


def test_someone_outside_the_rotation_is_told_so(client, counselor):
    client.force_login(counselor)

    response = client.get(MY_DUTIES)

    assert response.status_code == HTTPStatus.OK
    assert "你尚未加入轮值" in response.text


def test_a_supervisors_duty_page_is_the_office_roster(client, supervisor, xlt):
    client.force_login(supervisor)

    response = client.get(MY_DUTIES, follow=True)

    assert response.redirect_chain[-1][0] == reverse("counselors:office-roster", args=["XLT"])
    assert response.status_code == HTTPStatus.OK
    assert "兴隆台区婚姻登记处" in response.text


@pytest.mark.parametrize(
    "who", ["civil_affairs", "womens_federation", "sysadmin", "secadmin", "auditadmin"]
)
def test_roles_without_duty_get_404_for_my_duties(client, db, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(MY_DUTIES).status_code == HTTPStatus.NOT_FOUND


def test_the_demo_seed_is_idempotent_and_publishes_the_current_month(db, civil_affairs):
    seed_accounts()
    today = date(2026, 10, 15)
    demo.seed(today=today)
    counts = (CounselorProfile.objects.count(), Duty.objects.count(), Roster.objects.count())

    demo.seed(today=today)

    assert (
        CounselorProfile.objects.count(),
        Duty.objects.count(),
        Roster.objects.count(),
    ) == counts
    roster = Roster.objects.published().get(month=date(2026, 10, 1))
    assert roster.solver_status == Roster.Solver.OPTIMAL
    assert roster.gaps.count() == 0
    assert CounselorProfile.objects.filter(organisation__is_partner=True).count() >= 10
