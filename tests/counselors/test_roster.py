"""The roster pages and the rotation commands: the month grid, what a repair changes, who may
plan, and the planning commands' output."""

from datetime import date
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from counselors.models import Duty, Roster, RosterGap, Unavailability
from tests.counselors.conftest import repair

ROSTER = reverse("counselors:roster")


def test_the_page_shows_what_a_repair_changes_and_whom_it_touches(
    client, published, team, civil_affairs
):
    repair(published, team[2], civil_affairs)
    client.force_login(civil_affairs)

    page = client.get(ROSTER, {"month": "2026-10"})

    assert "发布后的变化" in page.text
    assert team[2].user.full_name in page.text
    assert "删除" in page.text
    assert "新增" in page.text


def test_the_gaps_are_dated_in_the_reader_s_language(client, published, civil_affairs, xlt):
    RosterGap.objects.create(
        roster=published,
        office=xlt,
        day=date(2026, 10, 14),
        half_day="AM",
        kind=RosterGap.Kind.QUALIFIED,
        reason=RosterGap.Reason.NO_ONE_AVAILABLE,
    )
    client.force_login(civil_affairs)

    chinese = client.get(ROSTER, {"month": "2026-10"}).text
    client.post("/i18n/setlang/", {"language": "en", "next": ROSTER})
    english = client.get(ROSTER, {"month": "2026-10"}).text

    assert "10月14日（周三）" in chinese
    assert "October 14 (Wed)" in english
    assert "10月14日" not in english


def test_the_month_grid_costs_a_fixed_number_of_queries(
    client, published, civil_affairs, django_assert_num_queries
):
    client.force_login(civil_affairs)
    client.get(ROSTER, {"month": "2026-10"})  # warm the session and permission caches

    with django_assert_num_queries(22):  # and the bell's unread count
        response = client.get(ROSTER, {"month": "2026-10"})

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "who", ["counselor", "supervisor", "womens_federation", "sysadmin", "secadmin", "auditadmin"]
)
def test_only_the_civil_affairs_administrator_reaches_the_planning_pages(
    client, published, request, who
):
    client.force_login(request.getfixturevalue(who))

    for url in (
        ROSTER,
        reverse("counselors:roster-status", args=[published.pk]),
        reverse("counselors:profile-list"),
        reverse("counselors:coverage"),
        reverse("counselors:swap-list"),
        reverse("counselors:service-hours"),
    ):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    response = client.post(reverse("counselors:roster-publish", args=[published.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_plan_rotation_prints_cover_per_office_and_the_status(team):
    out = StringIO()

    call_command("plan_rotation", "--month", "2026-10", "--publish", stdout=out)

    text = out.getvalue()
    assert "XLT：36 个半天中 36 个已安排，0 个缺人" in text
    assert "PS：36 个半天中 36 个已安排，0 个缺人" in text
    assert "最优" in text
    assert Roster.objects.published().count() == 1


def test_repair_rotation_prints_the_changes(published, team):
    out = StringIO()
    username = team[2].user.username

    call_command(
        "repair_rotation",
        "--month",
        "2026-10",
        "--absent",
        username,
        "--from",
        "2026-10-12",
        "--to",
        "2026-10-16",
        stdout=out,
    )

    lines = out.getvalue().splitlines()
    removed = [line for line in lines if line.startswith("  - ")]
    added = [line for line in lines if line.startswith("  + ")]
    assert any(username in line for line in removed)
    for line in removed:
        name = line.rsplit("(", 1)[1]
        assert username in line or any(name in each for each in added), line
    assert Unavailability.objects.filter(counselor=team[2], kind="absence").exists()


def test_service_hours_count_published_duty_per_organisation(client, published, civil_affairs):
    client.force_login(civil_affairs)

    response = client.get(reverse("counselors:service-hours"), {"month": "2026-10"})

    hours = 3.5 * Duty.objects.filter(roster=published).count()
    assert "盘锦市社会心理健康服务发展研究会" in response.text
    assert f"{hours:.1f}" in response.text
