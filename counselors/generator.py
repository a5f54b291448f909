"""The duty side of generated data (`manage.py generate`, through CounselorsConfig's
`generated_data` hook: mediation cannot import this app, so it calls the hook it finds).

Every counsellor without a profile gets one (organisation, role, home office, the offices they
are members of, caps, a certificate for the psychological counsellors), every office without a
coverage rule gets one, and each city gets its roster for this month and the next planned by
the real planner and published, so counsellors can book sessions into their duty.
"""

import random
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from mediation.calendar import next_month
from mediation.models import OfficeMembership, OfficialCalendarYear, RegistryOffice, User

from .models import CounselorProfile, CoverageRule, Organisation, Qualification, Roster
from .services import planning, publishing, solving


@transaction.atomic
def ensure_profiles(rng: random.Random) -> int:
    """Profiles for the counsellors who have none (the generator's); returns how many."""
    partners = list(Organisation.objects.filter(is_partner=True).order_by("pk"))
    registry = Organisation.objects.filter(is_partner=False).order_by("pk").first()
    made = 0
    counselors = User.objects.filter(
        groups__permissions__codename="work_cases", counselor_profile__isnull=True
    ).distinct()
    for user in counselors.order_by("pk"):
        offices = list(
            OfficeMembership.objects.filter(user=user)
            .order_by("pk")
            .values_list("office", flat=True)
        )
        if not offices:
            continue
        partner = rng.random() < 0.7 or registry is None
        organisation = rng.choice(partners) if partner else registry
        role = (
            rng.choice((CounselorProfile.Role.PSYCHOLOGICAL, CounselorProfile.Role.SOCIAL_WORKER))
            if partner
            else CounselorProfile.Role.MEDIATOR
        )
        profile = CounselorProfile(
            user=user,
            organisation=organisation,
            role=role,
            home_office_id=offices[0],
            max_half_days_per_week=4 if partner else 6,
            max_half_days_per_month=16 if partner else 20,
        )
        profile.full_clean(exclude=["user", "organisation", "home_office"])
        profile.save()
        profile.offices.set(offices)
        if role == CounselorProfile.Role.PSYCHOLOGICAL:
            Qualification.objects.create(
                counselor=profile,
                kind=Qualification.Kind.PSYCHOLOGICAL,
                name=rng.choice(("国家二级心理咨询师", "国家三级心理咨询师")),
                certificate_number=f"LN{rng.randint(2010, 2022)}-{rng.randrange(10000):04d}",
            )
        made += 1
    return made


def ensure_coverage() -> int:
    made = 0
    for office in RegistryOffice.objects.filter(coverage_rule__isnull=True):
        CoverageRule.objects.create(
            office=office,
            needed_am=1,
            needed_pm=1,
            qualified_required=False,
            room_capacity=office.rooms + 1,
        )
        made += 1
    return made


def publish_rosters(months: list[date], log: Callable[[str], None]) -> int:
    """Plan and publish each city's roster of these months where none is published."""
    published = 0
    cities = RegistryOffice.objects.order_by("city").values_list("city", flat=True).distinct()
    for month in months:
        for city in cities:
            if Roster.objects.published().for_month(city, month).exists():
                continue
            roster = planning.start_planning(
                city=city, month=month, requested_by=None, enqueue=False
            )
            solving.run_planning(roster=roster)
            roster.refresh_from_db()
            if roster.usable:
                publishing.publish_roster(roster=roster, published_by=None)
                published += 1
                log(f"  roster {city} {month:%Y-%m}: {roster.solver_status}, published")
            else:
                log(f"  roster {city} {month:%Y-%m}: {roster.solver_status}, not published")
    return published


def generated_data(*, seed: int, log: Callable[[str], None]) -> None:
    rng = random.Random(seed)
    profiles = ensure_profiles(rng)
    rules = ensure_coverage()
    this_month = timezone.localdate().replace(day=1)
    months = [this_month, next_month(this_month)]
    loaded = set(OfficialCalendarYear.objects.values_list("year", flat=True))
    months = [month for month in months if month.year in loaded]
    log(f"Duty: {profiles} counsellor profiles, {rules} coverage rules; planning rosters...")
    published = publish_rosters(months, log)
    log(f"Duty: {published} rosters published.")
