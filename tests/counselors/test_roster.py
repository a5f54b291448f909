"""Planning, repairing and publishing a city's month, through services, views and commands."""

from datetime import date, timedelta
from http import HTTPStatus
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from counselors import services
from counselors.models import Duty, Notice, Roster, Unavailability
from tests.counselors.conftest import OCTOBER

ROSTER = reverse("counselors:roster")


def test_october_has_cover_on_the_make_up_saturday_and_none_in_the_national_day_holiday(
    published,
):
    days = set(published.duties.values_list("day", flat=True))

    assert date(2026, 10, 10) in days  # Saturday, a make-up working day
    assert not days & {date(2026, 10, d) for d in range(1, 8)}  # National Day holiday
    assert date(2026, 10, 11) not in days  # an ordinary Sunday
    assert published.solver_status == Roster.Solver.OPTIMAL
    assert published.gaps.count() == 0


def test_a_month_whose_year_is_not_loaded_is_refused(team, civil_affairs):
    with pytest.raises(ValidationError) as error:
        services.start_planning(
            city="盘锦市", month=date(2027, 3, 1), requested_by=civil_affairs, enqueue=False
        )

    assert error.value.code == "calendar_missing"


def test_planning_from_the_page_is_queued_for_the_worker_and_the_page_returns_at_once(
    client, team, civil_affairs
):
    client.force_login(civil_affairs)

    response = client.post(
        reverse("counselors:roster-plan"), {"city": "盘锦市", "month": "2026-10"}
    )

    assert response.status_code == HTTPStatus.FOUND
    draft = Roster.objects.get()
    assert draft.solver_status == Roster.Solver.QUEUED
    assert draft.duties.count() == 0
    assert DBTaskResult.objects.filter(pk=draft.task_id, status="READY").exists()
    page = client.get(response["Location"])
    assert reverse("counselors:roster-status", args=[draft.pk]) in page.text  # htmx polls it


def test_with_a_worker_the_plan_appears_in_the_month_grid(
    client, team, civil_affairs, immediate_tasks
):
    client.force_login(civil_affairs)

    client.post(reverse("counselors:roster-plan"), {"city": "盘锦市", "month": "2026-10"})

    draft = Roster.objects.get()
    assert draft.solver_status == Roster.Solver.OPTIMAL
    status = client.get(reverse("counselors:roster-status", args=[draft.pk]))
    assert status["HX-Refresh"] == "true"
    page = client.get(ROSTER, {"month": "2026-10"})
    assert "李咨询" in page.text
    assert "草稿" in page.text


def test_publishing_notifies_every_counsellor_on_duty_by_notice_and_email(team, civil_affairs):
    team[0].user.email = "li@example.cn"
    team[0].user.save()
    draft = services.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )
    services.run_planning(roster=draft)
    draft.refresh_from_db()

    services.publish_roster(roster=draft, published_by=civil_affairs)

    on_duty = set(draft.duties.values_list("counselor__user", flat=True))
    assert set(Notice.objects.values_list("recipient", flat=True)) == on_duty
    assert [message.to for message in mail.outbox] == [["li@example.cn"]]


def test_a_queued_draft_cannot_be_published(team, civil_affairs):
    draft = services.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )

    with pytest.raises(ValidationError):
        services.publish_roster(roster=draft, published_by=civil_affairs)


def test_repair_after_a_five_day_absence_moves_only_the_absent_and_those_who_replace_them(
    published, team, civil_affairs
):
    absent = team[2]
    start, end = date(2026, 10, 12), date(2026, 10, 16)
    services.record_unavailability(
        counselor=absent,
        kind=Unavailability.Kind.ABSENCE,
        start=start,
        end=end,
        entered_by=civil_affairs,
    )

    draft = services.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, repair_from=start, enqueue=False
    )
    services.run_planning(roster=draft)
    draft.refresh_from_db()

    changes = services.roster_changes(draft, published)
    lost = published.duties.filter(counselor=absent, day__gte=start, day__lte=end)
    removed = {(c.counselor.pk, c.day, c.half_day) for c in changes if not c.added}
    assert {(d.counselor_id, d.day, d.half_day) for d in lost} <= removed
    # Everyone else touched takes over a duty in the absence (this week is tight: a colleague
    # who may serve only one office frees someone who may serve both).
    replacing = {c.counselor.pk for c in changes if c.added and start <= c.day <= end}
    assert {c.counselor.pk for c in changes} - {absent.pk} <= replacing
    assert len(changes) <= 4 * lost.count()
    assert not draft.duties.filter(counselor=absent, day__gte=start, day__lte=end).exists()
    frozen = published.duties.filter(day__lt=start)
    assert draft.duties.filter(day__lt=start, pinned=True).count() == frozen.count()


def first_duty_day(roster, profile, after=date(2026, 10, 12)):
    return roster.duties.filter(counselor=profile, day__gte=after).earliest("day").day


def test_publishing_a_repair_notifies_only_those_it_touches(published, team, civil_affairs):
    Notice.objects.all().delete()
    start = first_duty_day(published, team[2])
    services.record_unavailability(
        counselor=team[2], kind="absence", start=start, end=start, entered_by=civil_affairs
    )
    draft = services.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, repair_from=start, enqueue=False
    )
    services.run_planning(roster=draft)
    draft.refresh_from_db()
    touched = {c.counselor.user_id for c in services.roster_changes(draft, published)}

    services.publish_roster(roster=draft, published_by=civil_affairs)

    published.refresh_from_db()
    assert published.status == Roster.Status.RETIRED
    assert set(Notice.objects.values_list("recipient", flat=True)) == touched
    assert 0 < len(touched) < len(team)


def test_the_page_shows_what_a_repair_changes_and_whom_it_touches(
    client, published, team, civil_affairs
):
    start = first_duty_day(published, team[2])
    services.record_unavailability(
        counselor=team[2], kind="absence", start=start, end=start, entered_by=civil_affairs
    )
    draft = services.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, repair_from=start, enqueue=False
    )
    services.run_planning(roster=draft)
    client.force_login(civil_affairs)

    page = client.get(ROSTER, {"month": "2026-10"})

    assert "发布后的变化" in page.text
    assert team[2].user.full_name in page.text
    assert "删除" in page.text and "新增" in page.text


def test_the_month_grid_costs_a_fixed_number_of_queries(
    client, published, civil_affairs, django_assert_num_queries
):
    client.force_login(civil_affairs)
    client.get(ROSTER, {"month": "2026-10"})  # warm the session and permission caches

    with django_assert_num_queries(17):
        response = client.get(ROSTER, {"month": "2026-10"})

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("who", ["counselor", "supervisor", "womens_federation", "sysadmin"])
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


def test_weekly_demand_and_capacity_are_stored_with_the_roster(published):
    weeks = {week["week_start"]: week for week in published.weeks}

    assert weeks["2026-10-05"]["demand"] == 12  # Thursday, Friday and the make-up Saturday
    assert weeks["2026-10-12"]["demand"] == 20
    assert all(week["covered"] == week["demand"] for week in published.weeks)


def test_a_plan_for_some_offices_keeps_the_other_offices_duties(published, civil_affairs):
    draft = services.start_planning(
        city="盘锦市",
        month=OCTOBER,
        requested_by=civil_affairs,
        office_codes=["XLT"],
        enqueue=False,
    )
    services.run_planning(roster=draft)

    def at_ps(roster):
        return set(
            roster.duties.filter(office__code="PS").values_list("counselor", "day", "half_day")
        )

    assert at_ps(draft) == at_ps(published)
    assert draft.duties.filter(office__code="XLT").exists()


def test_duties_are_kept_to_one_place_per_half_day(published):
    seen = set()
    for counselor, day, half in published.duties.values_list("counselor", "day", "half_day"):
        assert (counselor, day, half) not in seen
        seen.add((counselor, day, half))
    assert published.duties.filter(day__gt=date(2026, 10, 31) - timedelta(days=0)).count() == 0
