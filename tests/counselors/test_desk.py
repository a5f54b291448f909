"""The supervisor's desk, the office's roster and the calendars: what a supervisor of 兴隆台 sees,
who else reaches these pages, and queries that do not grow with the rows."""

from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counselors.models import Duty
from mediation import services
from mediation.models import OfficeMembership, Room
from mediation.roles import Role
from tests.factories import make_user, open_divorce_case

DESK = reverse("counselors:desk")


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


@pytest.fixture
def caseload(upcoming, team, counselor, xlt):
    """Cases of the team at XLT, one unassigned, one past its certificate window."""
    for profile in team[:3]:
        if xlt in profile.offices.all():
            open_divorce_case(xlt, profile.user, received_on=date(2026, 11, 10))
    open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))  # overdue outcome
    nobody = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 16))
    services.unassign_counselor(case=nobody, counselor=counselor, unassigned_by=counselor)
    return nobody


def test_the_supervisor_lands_on_a_desk_of_caseloads_duty_and_overdue_cases(
    client, supervisor, caseload, counselor
):
    client.force_login(supervisor)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain[-1][0] == DESK
    html = response.text
    assert "负责人工作台" in html
    assert "兴隆台区婚姻登记处" in html
    loads = {load.counselor.username: load.open_cases for load, _ in response.context["caseloads"]}
    assert loads[counselor.username] == 2  # one of the team's, one past its window
    assert response.context["unassigned_total"] == 1
    assert caseload.number in html
    assert response.context["overdue_total"] == 1
    assert "本周值班" in html
    assert 'data-testid="week-duty"' in html


def test_the_desk_costs_as_many_queries_for_twice_the_cases(
    client, supervisor, upcoming, team, xlt
):
    client.force_login(supervisor)
    counselors = [profile.user for profile in team if xlt in profile.offices.all()]
    for user in counselors:
        open_divorce_case(xlt, user, received_on=date(2026, 9, 1))
    few = queries_for(client, DESK)
    for user in counselors:
        open_divorce_case(xlt, user, received_on=date(2026, 9, 2))
        open_divorce_case(xlt, user, received_on=date(2026, 11, 20))

    assert queries_for(client, DESK) == few


@pytest.mark.parametrize("who", ["counselor", "civil_affairs", "womens_federation", "sysadmin"])
def test_only_supervisors_have_a_desk(client, db, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(DESK).status_code == HTTPStatus.NOT_FOUND


def test_the_office_roster_is_there_for_its_supervisor_and_counsellors_only(
    client, upcoming, supervisor, counselor, other_counselor, womens_federation
):
    url = reverse("counselors:office-roster", args=["XLT"])

    for user, status in [
        (supervisor, HTTPStatus.OK),
        (counselor, HTTPStatus.OK),
        (other_counselor, HTTPStatus.NOT_FOUND),
        (womens_federation, HTTPStatus.NOT_FOUND),
    ]:
        client.force_login(user)
        assert client.get(url, {"month": "2026-12"}).status_code == status, user


def test_the_roster_grid_says_no_certified_or_understaffed_for_what_it_is(
    client, upcoming, supervisor, team, xlt
):
    day = upcoming.duties.filter(office=xlt).earliest("day").day
    qualified = [p.pk for p in team if p.qualified_until()]
    Duty.objects.filter(roster=upcoming, office=xlt, day=day, half_day="AM").filter(
        counselor__in=qualified
    ).delete()  # a morning left without anyone certified, as a careless swap would
    client.force_login(supervisor)

    page = client.get(reverse("counselors:office-roster", args=["XLT"]), {"month": "2026-12"})

    row = next(r for r in page.context["rows"] if r.day == day)
    assert row.cells[0].no_qualified
    assert "无持证" in page.text
    assert "人手不足" in page.text


def test_calendars_of_a_counsellor_and_a_room_show_duty_and_sessions(
    client, upcoming, supervisor, counselor, xlt
):
    duty = upcoming.duties.filter(counselor__user=counselor, office=xlt).earliest("day")
    case = open_divorce_case(xlt, counselor)
    room = Room.objects.get(office=xlt, name="调解室一")
    services.book_session(
        case=case,
        kind="joint",
        booked_room=room,
        lead_counselor=counselor,
        booked_by=counselor,
        starts_at=duty.starts_at(),
    )
    client.force_login(supervisor)
    day = {"day": duty.day.isoformat()}

    mine = client.get(reverse("counselors:counselor-calendar", args=[counselor.pk]), day)
    wall = client.get(reverse("counselors:room-calendar", args=[room.pk]), day)
    one_day = client.get(
        reverse("counselors:room-calendar", args=[room.pk]), {**day, "view": "day"}
    )

    for page in (mine, wall, one_day):
        assert page.status_code == HTTPStatus.OK
        assert case.number in page.text  # on the screen; the print stylesheet hides it
        assert f"{duty.starts_at():%H:%M}" in page.text
    assert "坐诊" in wall.text
    assert counselor.full_name in wall.text
    assert len(one_day.context["days"]) == 1
    assert len(wall.context["days"]) == 7


def test_a_counsellor_sees_their_own_calendar_and_no_one_elses(
    client, upcoming, counselor, team, other_counselor
):
    client.force_login(counselor)
    mine = client.get(reverse("counselors:counselor-calendar", args=[counselor.pk]))
    theirs = client.get(reverse("counselors:counselor-calendar", args=[team[2].user.pk]))
    client.force_login(other_counselor)
    xlt_room = Room.objects.get(office__code="XLT", name="调解室一")
    room = client.get(reverse("counselors:room-calendar", args=[xlt_room.pk]))

    assert mine.status_code == HTTPStatus.OK
    assert theirs.status_code == HTTPStatus.NOT_FOUND
    assert room.status_code == HTTPStatus.NOT_FOUND


def test_a_room_calendar_costs_as_many_queries_for_twice_the_sessions(
    client, upcoming, supervisor, team, xlt
):
    room = Room.objects.get(office=xlt, name="调解室一")
    url = reverse("counselors:room-calendar", args=[room.pk]) + "?day=2026-12-07"
    client.force_login(supervisor)
    duties = list(
        upcoming.duties.filter(office=xlt, day__gte=date(2026, 12, 7), day__lte=date(2026, 12, 11))
    )

    def book(duty, offset):
        case = open_divorce_case(xlt, duty.counselor.user)
        services.book_session(
            case=case,
            kind="joint",
            booked_room=room,
            lead_counselor=duty.counselor.user,
            booked_by=duty.counselor.user,
            starts_at=duty.starts_at() + timedelta(hours=offset),
        )

    seen = set()
    firsts = [
        d for d in duties if (d.day, d.half_day) not in seen and not seen.add((d.day, d.half_day))
    ]
    for duty in firsts[:2]:
        book(duty, 0)
    few = queries_for(client, url)
    for duty in firsts[2:6]:
        book(duty, 0)

    assert queries_for(client, url) == few


def test_a_supervisor_of_two_offices_chooses_the_desks_office(client, upcoming, ps, xlt):
    both = make_user(Role.SUPERVISOR, xlt, ps, username="s_both")
    client.force_login(both)

    response = client.get(DESK, {"office": "PS"})

    assert response.context["office"] == ps
    assert client.get(DESK, {"office": "DW"}).status_code == HTTPStatus.NOT_FOUND


def test_the_office_roster_costs_as_many_queries_whatever_the_duties(
    client, published, upcoming, supervisor
):
    client.force_login(supervisor)
    url = reverse("counselors:office-roster", args=["XLT"])

    october = queries_for(client, url + "?month=2026-10")
    december = queries_for(client, url + "?month=2026-12")
    Duty.objects.filter(roster=upcoming, day__gte=date(2026, 12, 14)).delete()

    assert queries_for(client, url + "?month=2026-12") == october == december


def test_the_assignment_picker_shows_open_cases_and_next_duty_days(
    client, upcoming, supervisor, counselor, xlt
):
    open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2))
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 9))
    duty = upcoming.duties.filter(counselor__user=counselor, office=xlt).earliest("day")
    client.force_login(supervisor)

    page = client.get(reverse("mediation:case-assign", args=[case.uuid]))

    picker = page.text[page.text.index('data-testid="assign-picker"') :]
    assert "本处在办个案 2 件" in picker
    assert f"{duty.day.month}月{duty.day.day}日" in picker


def test_a_counsellor_who_left_the_office_but_holds_its_cases_is_listed_once_to_move_them(
    client, supervisor, xlt
):
    leaver = make_user(Role.COUNSELOR, xlt, username="c_leaver", full_name="离任者")
    for day in (1, 2):
        open_divorce_case(xlt, leaver, received_on=date(2026, 9, day))
    OfficeMembership.objects.filter(user=leaver, office=xlt).delete()
    client.force_login(supervisor)

    page = client.get(DESK).text

    assert page.count("已不在本处任咨询师") == 1
    assert reverse("mediation:cases-reassign", args=["XLT", leaver.pk]) in page
