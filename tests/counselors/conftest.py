"""Duty fixtures: profiles, coverage rules and a published roster built by the real planner."""

from datetime import date, timedelta

import pytest
from django.test import override_settings

from counselors import services
from counselors.models import (
    CounselorProfile,
    CoverageRule,
    Organisation,
    Qualification,
    Roster,
)
from mediation.roles import Role
from tests.factories import make_user

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
OCTOBER = date(2026, 10, 1)


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


@pytest.fixture
def published(team, civil_affairs) -> Roster:
    roster = services.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )
    services.run_planning(roster=roster)
    roster.refresh_from_db()
    return services.publish_roster(roster=roster, published_by=civil_affairs)


@pytest.fixture
def upcoming(team, civil_affairs) -> Roster:
    """A published roster for next month, whatever today is (its calendar year made known)."""
    from django.utils import timezone

    from mediation.models import OfficialCalendarYear

    month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    if not OfficialCalendarYear.objects.filter(year=month.year).exists():
        OfficialCalendarYear.objects.create(
            year=month.year, source="test: weekends only", origin="entered"
        )
    roster = services.start_planning(
        city="盘锦市", month=month, requested_by=civil_affairs, enqueue=False
    )
    services.run_planning(roster=roster)
    roster.refresh_from_db()
    return services.publish_roster(roster=roster, published_by=civil_affairs)
