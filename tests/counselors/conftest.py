"""Duty fixtures: a fixed today, profiles, coverage rules and published rosters built by the real
planner."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from counselors.models import (
    CounselorProfile,
    CoverageRule,
    Organisation,
    Qualification,
    Roster,
)
from counselors.services import availability, planning, publishing, solving
from mediation.roles import Role
from tests.factories import make_user

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
OCTOBER = date(2026, 10, 1)
DECEMBER = date(2026, 12, 1)
# A Friday morning in Beijing: October 2026 is over, December 2026 is the month to come.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def today():
    """Every duty test runs on 20 November 2026 (the clock keeps ticking from there): what is
    past, future or 'next month' never depends on the day the suite runs."""
    with time_machine.travel(NOW, tick=True):
        yield NOW.date()


@pytest.fixture(autouse=True)
def deterministic_planner():
    """The solver is bounded by deterministic time in tests, never by the wall clock."""
    with override_settings(TONGXIN_PLANNER_DETERMINISTIC_LIMIT=10.0):
        yield


@pytest.fixture
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def make_profile(user, *offices, qualified=True, week=4, month=16, organisation=None):
    profile = CounselorProfile.objects.create(
        user=user,
        organisation=organisation
        or Organisation.objects.get(is_partner=True, short_name="心理研究会"),
        role=CounselorProfile.Role.PSYCHOLOGICAL,
        home_office=offices[0],
        max_half_days_per_week=week,
        max_half_days_per_month=month,
    )
    profile.offices.set(offices)
    if qualified:
        Qualification.objects.create(
            counselor=profile,
            kind=Qualification.Kind.PSYCHOLOGICAL,
            name="国家二级心理咨询师",
            certificate_number=f"T-{user.pk}",
        )
    return profile


@pytest.fixture
def rules(xlt, ps):
    CoverageRule.objects.create(office=xlt, needed_am=1, needed_pm=1, room_capacity=2)
    CoverageRule.objects.create(
        office=ps, needed_am=1, needed_pm=1, qualified_required=False, room_capacity=2
    )


@pytest.fixture
def team(rules, xlt, ps, counselor, other_counselor):
    """Six counsellors for XLT and PS: enough to cover every working half-day of a month."""
    profiles = [
        make_profile(counselor, xlt),
        make_profile(other_counselor, ps, qualified=False),
    ]
    for i in range(4):
        user = make_user(Role.COUNSELOR, xlt, ps, username=f"c_team{i}", full_name=f"组员{i}")
        profiles.append(make_profile(user, xlt, ps, qualified=i < 2))
    return profiles


def plan(month: date, requested_by) -> Roster:
    """A draft for the city's month, solved here rather than by the task worker."""
    roster = planning.start_planning(
        city="盘锦市", month=month, requested_by=requested_by, enqueue=False
    )
    solving.run_planning(roster=roster)
    roster.refresh_from_db()
    return roster


def repair(published, profile, civil_affairs) -> Roster:
    """A repaired draft after `profile` is suddenly absent on their first duty from 12 October."""
    start = published.duties.filter(counselor=profile, day__gte=date(2026, 10, 12)).earliest("day")
    availability.record_unavailability(
        counselor=profile, kind="absence", start=start.day, end=start.day, entered_by=civil_affairs
    )
    roster = planning.start_planning(
        city="盘锦市",
        month=OCTOBER,
        requested_by=civil_affairs,
        repair_from=start.day,
        enqueue=False,
    )
    solving.run_planning(roster=roster)
    roster.refresh_from_db()
    return roster


@pytest.fixture
def published(team, civil_affairs) -> Roster:
    """October 2026's published roster (a month already over)."""
    return publishing.publish_roster(
        roster=plan(OCTOBER, civil_affairs), published_by=civil_affairs
    )


@pytest.fixture
def upcoming(team, civil_affairs) -> Roster:
    """December 2026's published roster: the month to come."""
    return publishing.publish_roster(
        roster=plan(DECEMBER, civil_affairs), published_by=civil_affairs
    )
