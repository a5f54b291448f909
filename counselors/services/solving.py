"""Solving a city's month: the planner's problem loaded from the database, the solve, and the
stored draft with its gaps and figures. May import models, planner and mediation (never tasks).

The task worker runs `run_planning`; `planning.start_planning` creates the draft it solves.
"""

import logging
import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mediation.calendar import OfficialCalendar, month_days, month_start
from mediation.models import OfficialCalendarYear, RegistryOffice

from .. import planner
from ..models import (
    CounselorProfile,
    CoverageRule,
    Duty,
    DutyRequest,
    Roster,
    RosterGap,
    Unavailability,
)

logger = logging.getLogger("tongxin.counselors")


def planning_span(month: date) -> tuple[date, date]:
    """From the Monday of the month's first week to the Sunday of its last week."""
    days = month_days(month)
    return planner.week_start(days[0]), planner.week_start(days[-1]) + timedelta(days=6)


def calendar_for(month: date) -> OfficialCalendar:
    """The official calendar around a month; refuses a month whose year is not loaded.

    DOMAIN.md: code never guesses a year. Days of a neighbouring unknown year (only used to
    pro-rate the weekly caps of the month's edge weeks) follow the weekend rule.
    """
    calendar = OfficialCalendarYear.objects.calendar(
        years=[month.year - 1, month.year, month.year + 1]
    )
    if not calendar.knows(month.year):
        raise ValidationError(
            _(
                "The official calendar for %(year)s is not loaded yet, so its working days are "
                "unknown. Enter the State Council's notice first."
            )
            % {"year": month.year},
            code="calendar_missing",
        )
    return calendar


def city_offices(city: str, codes: list[str] | None = None) -> list[RegistryOffice]:
    """A city's registry offices (or those of them with the given codes), by code."""
    offices = RegistryOffice.objects.filter(city=city).order_by("code")
    if codes:
        offices = offices.filter(code__in=codes)
    return list(offices)


# --- building the planner's problem -------------------------------------------------------------


@dataclass
class Prepared:
    problem: planner.Problem
    offices: dict[str, RegistryOffice]
    profiles: dict[int, CounselorProfile]


Slots = dict[int, set[planner.Slot]]


def _slots(rows: Iterable[Unavailability], start: date, end: date) -> Slots:
    slots: Slots = defaultdict(set)
    for row in rows:
        for day, half in row.slots():
            if start <= day <= end:
                slots[row.counselor_id].add((day, half))
    return slots


def _planned_offices(city: str, offices: dict[str, RegistryOffice]) -> tuple[planner.Office, ...]:
    """The offices to plan with their coverage rules; an office without one needs nobody."""
    rules = {rule.office_id: rule for rule in CoverageRule.objects.filter(office__city=city)}
    planned = []
    for code, office in offices.items():
        rule = rules.get(office.pk)
        planned.append(
            planner.Office(
                code=code,
                needed_am=rule.needed_am if rule else 0,
                needed_pm=rule.needed_pm if rule else 0,
                qualified_required=rule.qualified_required if rule else False,
                capacity=rule.room_capacity if rule else office.rooms,
            )
        )
    return tuple(planned)


def _planned_counselors(
    profiles: dict[int, CounselorProfile], span: tuple[date, date], days: list[date]
) -> tuple[planner.Counselor, ...]:
    """Everyone in the rotation with an office: caps, qualification, absences and wishes."""
    away = Unavailability.objects.filter(counselor__in=profiles).overlapping(*span)
    unavailable = _slots(away, *span)
    on_leave = _slots([row for row in away if row.kind in Unavailability.PRO_RATED], *span)
    wishes: dict[tuple[int, str], set[planner.Slot]] = defaultdict(set)
    for wish in DutyRequest.objects.filter(
        counselor__in=profiles, day__gte=days[0], day__lte=days[-1]
    ):
        for half in [wish.half_day] if wish.half_day else planner.HALVES:
            wishes[(wish.counselor_id, wish.wish)].add((wish.day, half))
    counselors = (
        planner.Counselor(
            id=pk,
            offices=tuple(sorted(office.code for office in profile.offices.all())),
            week_cap=profile.max_half_days_per_week,
            month_cap=profile.max_half_days_per_month,
            home_office=profile.home_office.code if profile.home_office else None,
            qualified_until=profile.qualified_until(),
            unavailable=frozenset(unavailable[pk]),
            on_leave=frozenset(on_leave[pk]),
            prefer_off=frozenset(wishes[(pk, DutyRequest.Wish.PREFER_OFF)]),
            prefer_on=frozenset(wishes[(pk, DutyRequest.Wish.PREFER_ON)]),
        )
        for pk, profile in sorted(profiles.items())
    )
    return tuple(c for c in counselors if c.offices)


def prepare(
    *,
    city: str,
    month: date,
    office_codes: list[str] | None = None,
    reference: Roster | None = None,
    repair_from: date | None = None,
) -> Prepared:
    """Load one city's month into the planner's plain values.

    Offices not planned keep the reference roster's duties there (pinned). In a repair the
    days before `repair_from` are frozen: their duties stay exactly as published (the
    administrator picks the day; the past is usually left alone, but a repair may also record
    who really covered an absence already over).
    """
    month = month_start(month)
    calendar = calendar_for(month)
    span = planning_span(month)
    days = month_days(month)
    offices = {office.code: office for office in city_offices(city, office_codes)}
    profiles = {
        profile.pk: profile
        for profile in CounselorProfile.objects.filter(in_rotation=True)
        .in_city(city)
        .with_planning_data()
    }
    reference_duties = _as_planner_duties(reference.duties.all()) if reference else ()
    frozen = {day for day in days if repair_from is not None and day < repair_from}
    pinned = tuple(
        duty
        for duty in reference_duties
        if duty.day in frozen or (duty.office not in offices and duty.counselor in profiles)
    )
    previous = Roster.objects.published().for_month(city, days[0] - timedelta(days=1)).first()
    prior: tuple[planner.Duty, ...] = ()
    if previous is not None:
        prior = _as_planner_duties(previous.duties.filter(day__gte=span[0], day__lt=days[0]))
    problem = planner.Problem(
        days=tuple(days),
        working_days=frozenset(calendar.working_days(*span)),
        offices=_planned_offices(city, offices),
        counselors=_planned_counselors(profiles, span, days),
        pinned=pinned,
        prior=prior,
        reference=reference_duties if repair_from is not None else (),
        frozen=frozenset(frozen),
        repair=repair_from is not None,
    )
    return Prepared(problem=problem, offices=offices, profiles=profiles)


def _as_planner_duties(duties: QuerySet[Duty]) -> tuple[planner.Duty, ...]:
    return tuple(
        planner.Duty(day, half, code, counselor)
        for day, half, code, counselor in duties.values_list(
            "day", "half_day", "office__code", "counselor_id"
        )
    )


def solver_settings() -> planner.SolverSettings:
    """The solver's limits from the settings (tests bound it by deterministic time)."""
    return planner.SolverSettings(
        max_time_in_seconds=float(getattr(settings, "TONGXIN_PLANNER_TIME_LIMIT", 30)),
        max_deterministic_time=getattr(settings, "TONGXIN_PLANNER_DETERMINISTIC_LIMIT", None),
    )


# --- solving and storing ------------------------------------------------------------------------


def run_planning(*, roster: Roster) -> planner.Plan | None:
    """Solve a queued draft and store its duties, gaps and figures (the task worker calls this).

    Failures are stored on the roster for the administrator to see, never swallowed.
    """
    Roster.objects.filter(pk=roster.pk).update(solver_status=Roster.Solver.RUNNING)
    try:
        prepared = prepare(
            city=roster.city,
            month=roster.month,
            office_codes=roster.office_codes or None,
            reference=roster.based_on,
            repair_from=roster.repair_from,
        )
        result = planner.plan(prepared.problem, solver_settings())
    except Exception as error:
        logger.exception("Planning roster %s failed", roster.pk)
        message = error.messages[0] if isinstance(error, ValidationError) else repr(error)
        Roster.objects.filter(pk=roster.pk).update(
            solver_status=Roster.Solver.FAILED,
            error=message + ("" if isinstance(error, ValidationError) else traceback.format_exc()),
        )
        return None
    _store(roster, prepared, result)
    return result


@transaction.atomic
def _store(roster: Roster, prepared: Prepared, result: planner.Plan) -> None:
    """The solved draft's duties, gaps and figures, unless a newer draft replaced it."""
    if not Roster.objects.filter(pk=roster.pk, status=Roster.Status.DRAFT).exists():
        return  # replaced by a newer draft while the solver ran
    offices = dict(prepared.offices)
    missing = {
        duty.office for duty in result.duties if duty.office not in offices
    }  # offices outside the plan keep their pinned duties
    offices.update({o.code: o for o in RegistryOffice.objects.filter(code__in=missing)})
    pinned = set(prepared.problem.pinned)
    Duty.objects.bulk_create(
        Duty(
            roster=roster,
            counselor_id=duty.counselor,
            office=offices[duty.office],
            day=duty.day,
            half_day=duty.half,
            pinned=duty in pinned,
        )
        for duty in result.duties
    )
    RosterGap.objects.bulk_create(
        RosterGap(
            roster=roster,
            office=offices[gap.office],
            day=gap.day,
            half_day=gap.half,
            kind=gap.kind,
            missing=gap.missing,
            reason=gap.reason,
            facts=gap.facts,
        )
        for gap in result.gaps
    )
    roster.solver_status = result.status
    roster.objective = result.objective
    roster.solve_seconds = round(result.seconds, 3)
    roster.weeks = [
        {
            "week_start": week.week_start.isoformat(),
            "demand": week.demand,
            "capacity": week.capacity,
            "qualified_demand": week.qualified_demand,
            "qualified_capacity": week.qualified_capacity,
            "covered": week.covered,
        }
        for week in result.weeks
        if week.demand or week.covered
    ]
    roster.save(update_fields=["solver_status", "objective", "solve_seconds", "weeks"])
