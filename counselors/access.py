"""The one door to duty records: a counsellor reaches their own profile, duties and swaps; the
civil-affairs administrator plans the cities of the offices they reach. Anything else is 404."""

from django.db.models import Q
from django.http import Http404

from mediation import access as core_access
from mediation.models import Room

from .models import CounselorProfile, Duty, SwapRequest, Unavailability

PLAN = "mediation.plan_rotation"
OWN_DUTY = "mediation.view_own_duty"


def require_planner(user) -> None:
    core_access.require(user, PLAN)


def cities_for(user) -> list[str]:
    """The cities whose rotation this user may plan (those of the offices they reach)."""
    require_planner(user)
    return sorted(set(core_access.offices_for(user).values_list("city", flat=True)))


def city_for(user, city: str | None, cities: list[str] | None = None) -> str:
    """The requested city (or the first) if the user may plan it; 404 otherwise."""
    cities = cities_for(user) if cities is None else cities
    if not cities:
        raise Http404
    if not city:
        return cities[0]
    if city not in cities:
        raise Http404
    return city


def own_profile(user) -> CounselorProfile | None:
    """The signed-in counsellor's profile (None when they take no duty yet)."""
    core_access.require(user, OWN_DUTY)
    return (
        CounselorProfile.objects.select_related("user", "organisation", "home_office")
        .filter(user=user)
        .first()
    )


def require_own_profile(user) -> CounselorProfile:
    profile = own_profile(user)
    if profile is None:
        raise Http404
    return profile


def own_duty(profile: CounselorProfile, duty_id: int) -> Duty:
    duty = (
        Duty.objects.published()
        .select_related("office", "roster", "counselor__user")
        .filter(pk=duty_id, counselor=profile)
        .first()
    )
    if duty is None:
        raise Http404
    return duty


def swap_for_counselor(profile: CounselorProfile, swap_id: int) -> SwapRequest:
    """A swap the counsellor asked for or was asked to take."""
    swap = (
        SwapRequest.objects.select_related("duty", "requested_by__user", "colleague__user")
        .filter(pk=swap_id)
        .filter(Q(requested_by=profile) | Q(colleague=profile))
        .first()
    )
    if swap is None:
        raise Http404
    return swap


def profile_for_planner(user, profile_id: int) -> CounselorProfile:
    require_planner(user)
    profile = (
        CounselorProfile.objects.select_related("user", "organisation", "home_office")
        .filter(pk=profile_id, offices__in=core_access.offices_for(user))
        .distinct()
        .first()
    )
    if profile is None:
        # A profile without offices yet is still the administrator's to complete.
        profile = (
            CounselorProfile.objects.select_related("user", "organisation", "home_office")
            .filter(pk=profile_id, offices=None)
            .first()
        )
    if profile is None:
        raise Http404
    return profile


def unavailability_for(user, row_id: int) -> Unavailability:
    """An absence the user may remove: a planner's for a counsellor they plan, a counsellor's
    own otherwise."""
    row = Unavailability.objects.select_related("counselor").filter(pk=row_id).first()
    if row is None:
        raise Http404
    if user.has_perm(PLAN):
        profile_for_planner(user, row.counselor_id)
    elif row.counselor_id != require_own_profile(user).pk:
        raise Http404
    return row


def swap_for_planner(user, swap_id: int) -> SwapRequest:
    require_planner(user)
    swap = (
        SwapRequest.objects.select_related("duty__office")
        .filter(pk=swap_id, duty__office__in=core_access.offices_for(user))
        .first()
    )
    if swap is None:
        raise Http404
    return swap


SUPERVISE = "mediation.supervise_office"


def office_for_roster(user, code: str):
    """An office whose roster the user may see: the counsellors and supervisor who work there
    (through their membership) and the planners; 404 for anyone else."""
    core_access.require(user, OWN_DUTY, SUPERVISE, PLAN)
    return core_access.office_for(user, code)


def profile_for_calendar(user, user_id: int) -> CounselorProfile:
    """A counsellor's calendar: their own, one of the supervisor's offices' counsellors, or any
    in the planner's cities; 404 otherwise."""
    core_access.require(user, OWN_DUTY, SUPERVISE, PLAN)
    profile = (
        CounselorProfile.objects.select_related("user", "home_office")
        .filter(user_id=user_id)
        .first()
    )
    if profile is None:
        raise Http404
    if profile.user_id == user.pk:
        return profile
    if not (user.has_perm(SUPERVISE) or user.has_perm(PLAN)):
        raise Http404
    reachable = core_access.offices_for(user)
    if not profile.offices.filter(pk__in=reachable).exists():
        raise Http404
    return profile


def room_for(user, room_id: int) -> Room:
    """A room of an office the user works at (or plans for); 404 otherwise."""
    core_access.require(user, OWN_DUTY, SUPERVISE, PLAN)
    room = (
        Room.objects.select_related("office")
        .filter(pk=room_id, office__in=core_access.offices_for(user))
        .first()
    )
    if room is None:
        raise Http404
    return room
