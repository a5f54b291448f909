"""Read helpers of the duty app, for its own pages and for reports: plain values out, no writes.
May import counselors.models, coverage and planner, and mediation's models and calendar; never
a service.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from mediation.calendar import OfficialCalendar, month_days, month_start, next_month
from mediation.models import CounselingSession, OfficialCalendarYear, RegistryOffice, Room
from mediation.models.cases import ACTIVE_SESSION

from . import coverage, planner
from .models import DUTY_HOURS, CoverageRule, Duty, HalfDay, Roster, duty_hours


@dataclass(frozen=True)
class ServiceHours:
    """Duty of one organisation at one office in one month of the published roster: planned
    (every half-day published) and delivered (the half-days up to and including today)."""

    organisation: str
    partner: bool
    office_id: int
    office: str  # the office's name, as the pages show it
    month: date
    half_days: int
    hours: float
    delivered_half_days: int
    delivered_hours: float


def _month_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return month_start(timezone.localtime(value).date())
    return month_start(value)


def service_hours(
    offices: QuerySet[RegistryOffice] | Iterable[RegistryOffice | int],
    first: date,
    last: date,
    *,
    today: date | None = None,
) -> list[ServiceHours]:
    """Half-days and hours of the published roster (after swaps and repairs) per organisation,
    office and month, from the month of `first` to the month of `last`, for the government
    purchase-of-service contracts. Hours are half-days times DUTY_HOURS. Delivered duty is
    what was on days up to `today` (Beijing's today by default); the rest is planned. Grouped
    by organisation, never by counsellor (a per-person table would name who worked when).
    Partner organisations first, then by name, office and month.
    """
    today = today or timezone.localdate()
    delivered = Q(day__lte=today)
    hours = Case(
        *(When(half_day=half, then=Value(duty_hours(half))) for half in DUTY_HOURS),
        output_field=FloatField(),
    )
    rows = (
        Duty.objects.published()
        .filter(
            office__in=offices if isinstance(offices, QuerySet) else list(offices),
            day__gte=month_start(first),
            day__lt=next_month(last),
        )
        .annotate(month=TruncMonth("day"))
        .values(
            "counselor__organisation__name",
            "counselor__organisation__is_partner",
            "office_id",
            "office__name",
            "month",
        )
        .annotate(
            half_days=Count("pk"),
            hours=Sum(hours),
            delivered_half_days=Count("pk", filter=delivered),
            delivered_hours=Coalesce(Sum(hours, filter=delivered), 0.0),
        )
        .order_by()
    )
    entries = [
        ServiceHours(
            organisation=row["counselor__organisation__name"],
            partner=row["counselor__organisation__is_partner"],
            office_id=row["office_id"],
            office=row["office__name"],
            month=_month_of(row["month"]),
            half_days=row["half_days"],
            hours=row["hours"],
            delivered_half_days=row["delivered_half_days"],
            delivered_hours=row["delivered_hours"],
        )
        for row in rows
    ]
    return sorted(
        entries,
        key=lambda entry: (not entry.partner, entry.organisation, entry.office_id, entry.month),
    )


@dataclass(frozen=True)
class RosterEntry:
    """One half-day of duty as other systems may see it: no name, a stable counsellor code."""

    day: date
    half_day: str
    starts: str
    ends: str
    counselor_code: str
    organisation: str
    role: str


@dataclass(frozen=True)
class PublishedRoster:
    office_code: str
    month: date
    published_at: datetime | None
    entries: list[RosterEntry]


def counselor_code(profile_id: int) -> str:
    """A counsellor's code for other systems: stable, and no name in it."""
    return f"C{profile_id:05d}"


def published_roster(office: RegistryOffice, month: date) -> PublishedRoster | None:
    """The office's duty in the month's published roster of its city (None when the month has
    none published), half-day by half-day."""
    roster = Roster.objects.published().for_month(office.city, month).first()
    if roster is None:
        return None
    duties = (
        Duty.objects.filter(roster=roster, office=office)
        .select_related("counselor__organisation")
        .order_by("day", "half_day", "counselor_id")
    )
    return PublishedRoster(
        office_code=office.code,
        month=month_start(month),
        published_at=roster.published_at,
        entries=[
            RosterEntry(
                day=duty.day,
                half_day=duty.half_day,
                starts=f"{DUTY_HOURS[HalfDay(duty.half_day)][0]:%H:%M}",
                ends=f"{DUTY_HOURS[HalfDay(duty.half_day)][1]:%H:%M}",
                counselor_code=counselor_code(duty.counselor_id),
                organisation=duty.counselor.organisation.short_name,
                role=duty.counselor.role,
            )
            for duty in duties
        ],
    )


# --- cover, half-day by half-day ----------------------------------------------------------------


def coverage_rules(offices: Iterable[RegistryOffice]) -> dict[int, coverage.Rule]:
    """Each office's coverage rule as the pure coverage module reads it (one query)."""
    return {
        rule.office_id: coverage.Rule(rule.needed_am, rule.needed_pm, rule.qualified_required)
        for rule in CoverageRule.objects.filter(office__in=list(offices))
    }


def with_people(duties: QuerySet[Duty]) -> QuerySet[Duty]:
    """Duties with what the grid, the calendars and the cover check show of their counsellor."""
    return duties.select_related("counselor__user", "office").prefetch_related(
        "counselor__qualifications"
    )


def on_duty_by_slot(duties: Iterable[Duty]) -> dict[tuple[date, int, str], list[coverage.OnDuty]]:
    """Who is on duty in each (day, office, half-day), from duties read `with_people`."""
    slots: dict[tuple[date, int, str], list[coverage.OnDuty]] = defaultdict(list)
    until: dict[int, date | None] = {}
    for duty in duties:
        if duty.counselor_id not in until:
            until[duty.counselor_id] = duty.counselor.qualified_until()
        slots[(duty.day, duty.office_id, duty.half_day)].append(
            coverage.OnDuty(duty.counselor.display_name, until[duty.counselor_id])
        )
    return slots


@dataclass(frozen=True)
class GridCell:
    names: list[str]
    problems: list[str]  # coverage.NO_QUALIFIED, coverage.SHORT

    @property
    def no_qualified(self) -> bool:
        return coverage.NO_QUALIFIED in self.problems

    @property
    def short(self) -> bool:
        return coverage.SHORT in self.problems


@dataclass(frozen=True)
class GridRow:
    day: date
    working: bool
    cells: list[GridCell]


def grid(
    duties: Iterable[Duty],
    offices: list[RegistryOffice],
    days: Iterable[date],
    calendar: OfficialCalendar,
    rules: dict[int, coverage.Rule],
) -> list[GridRow]:
    """One row per day; per office and half-day who is on duty and what is missing, judged now
    from the duties as they stand (swaps included), not from the planner's gaps of when the
    roster was made. Rest days need no cover."""
    slots = on_duty_by_slot(duties)
    rows = []
    for day in days:
        working = calendar.is_working_day(day)
        cells = []
        for office in offices:
            for half in planner.HALVES:
                people = slots.get((day, office.pk, half), [])
                rule = rules.get(office.pk)
                found = coverage.problems(rule, day, half, people) if working else []
                cells.append(GridCell([person.name for person in people], found))
        rows.append(GridRow(day, working, cells))
    return rows


def month_grid(
    duties: Iterable[Duty],
    offices: list[RegistryOffice],
    month: date,
    calendar: OfficialCalendar,
    rules: dict[int, coverage.Rule],
) -> list[GridRow]:
    """The grid of every day of the month."""
    return grid(duties, offices, month_days(month), calendar, rules)


@dataclass(frozen=True)
class Week:
    first: date
    last: date
    rows: list[GridRow]


def office_week(office: RegistryOffice, first: date, last: date) -> Week:
    """Who is on duty at the office each half-day from `first` to `last`, and what cover lacks
    (the published roster; four queries)."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    duties = with_people(
        Duty.objects.published().filter(office=office, day__gte=first, day__lte=last)
    )
    calendar = OfficialCalendarYear.objects.calendar(years=sorted({first.year, last.year}))
    return Week(first, last, grid(duties, [office], days, calendar, coverage_rules([office])))


# Each month's roster is published by this day of the month before (the planners' rule, so the
# booking page can say when an unpublished month will be bookable).
PUBLISH_BY_DAY = 25


def publication_due(month: date) -> date:
    """The day by which the roster of `month` is due to be published."""
    return (month_start(month) - timedelta(days=1)).replace(day=PUBLISH_BY_DAY)


def published_for(office: RegistryOffice, month: date) -> Roster | None:
    """The published roster of the office's city for the month, if there is one."""
    return Roster.objects.published().for_month(office.city, month).first()


# --- calendars -----------------------------------------------------------------------------------


def sessions_between(
    first: date, last: date, *, lead_counselor: Any = None, booked_room: Room | None = None
) -> list[CounselingSession]:
    """Booked and held sessions from `first` to `last` (whole days), of a counsellor or in a
    room (a room's sessions booked before rooms existed are found by its name)."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    sessions = CounselingSession.objects.filter(
        ACTIVE_SESSION, starts_at__gte=start, starts_at__lt=end
    )
    if lead_counselor is not None:
        sessions = sessions.filter(lead_counselor=lead_counselor)
    if booked_room is not None:
        sessions = sessions.filter(
            Q(booked_room=booked_room)
            | Q(booked_room__isnull=True, office=booked_room.office_id, room=booked_room.name)
        )
    return list(
        sessions.select_related("case", "lead_counselor", "booked_room").order_by("starts_at")
    )


@dataclass(frozen=True)
class CalendarEntry:
    starts_at: datetime | None
    ends_at: datetime | None
    text: str
    private: str  # what only those who may see the case read (its number); "" otherwise
    duty: bool


@dataclass(frozen=True)
class CalendarRow:
    half_day: str
    cells: list[tuple[date, list[CalendarEntry]]]


def _half_of(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return planner.AM if local.time() < DUTY_HOURS[HalfDay.PM][0] else planner.PM


def calendar_grid(
    days: list[date],
    duties: Iterable[Duty],
    sessions: Iterable[CounselingSession],
    *,
    visible_cases: set[int],
    with_office: bool = True,
) -> list[CalendarRow]:
    """Morning and afternoon rows, one cell per day: the duty (who serves where) and the
    sessions (time, kind, counsellor, room; the case number only where the viewer may see the
    case)."""
    cells: dict[tuple[str, date], list[CalendarEntry]] = defaultdict(list)
    for duty in duties:
        cells[(duty.half_day, duty.day)].append(
            CalendarEntry(
                duty.starts_at(),
                duty.ends_at(),
                f"{duty.counselor.display_name} · {duty.office.display_name}"
                if with_office
                else duty.counselor.display_name,
                "",
                True,
            )
        )
    for session in sessions:
        local = timezone.localtime(session.starts_at)
        cells[(_half_of(session.starts_at), local.date())].append(
            CalendarEntry(
                session.starts_at,
                session.starts_at + timedelta(minutes=session.duration_minutes),
                f"{session.get_kind_display()} · {session.lead_counselor.display_name}"
                f" · {session.room}",
                session.case.number if session.case_id in visible_cases else "",
                False,
            )
        )
    return [
        CalendarRow(half, [(day, cells[(half, day)]) for day in days]) for half in planner.HALVES
    ]


def next_duties(
    users: Iterable[Any], office: RegistryOffice, today: date, per_user: int = 3
) -> dict[int, list[Duty]]:
    """Each user's next published duties at the office from today on (one query)."""
    found: dict[int, list[Duty]] = defaultdict(list)
    duties = (
        Duty.objects.published()
        .filter(office=office, counselor__user__in=list(users), day__gte=today)
        .select_related("counselor")
        .order_by("day", "half_day")
    )
    for duty in duties:
        mine = found[duty.counselor.user_id]
        if len(mine) < per_user:
            mine.append(duty)
    return found
