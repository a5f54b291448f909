"""Booking sessions into duty slots: who is on duty when, the free slots of a case (as a list
and as a week of half-days with the rooms free), and the booking itself (made by mediation's
booking service). May import models and mediation.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import services as mediation_services
from mediation.models import (
    Case,
    CounselingSession,
    OfficialCalendarYear,
    Party,
    RegistryOffice,
    Room,
    User,
)
from mediation.models.cases import ACTIVE_SESSION

from .. import planner
from ..models import DUTY_HOURS, Duty

SLOT_STEP = timedelta(minutes=60)
SESSION_MINUTES = 50
# Sessions that may still be running when the list is drawn (the longest lasts 4 hours).
LONGEST_SESSION = timedelta(hours=4)

Taken = set[tuple[int, datetime]]


@dataclass(frozen=True)
class BookingSlot:
    duty: Duty
    starts_at: datetime
    continuity: bool  # the counsellor has already led a session of this case


def on_duty_at(
    *, user: User, office: RegistryOffice, starts_at: datetime, minutes: int
) -> Duty | None:
    """The published duty during which `user` serves at `office` for the whole session, or None.

    This is the question booking asks of the roster: is counsellor X on duty at office O on
    day D, in the half-day H that holds the session from start to end?
    """
    local = timezone.localtime(starts_at)
    ends = local + timedelta(minutes=minutes)
    for half, (start, end) in DUTY_HOURS.items():
        if start <= local.time() and ends.time() <= end and ends.date() == local.date():
            return (
                Duty.objects.published()
                .select_related("counselor__user", "office")
                .filter(counselor__user=user, office=office, day=local.date(), half_day=half)
                .first()
            )
    return None


def _assigned(case: Case) -> list[int]:
    return list(
        User.objects.filter(
            case_assignments__case=case, case_assignments__ended_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _busy(counselors: Iterable[int], since: datetime) -> Taken:
    return set(
        CounselingSession.objects.filter(
            ACTIVE_SESSION, lead_counselor__in=counselors, starts_at__gte=since
        ).values_list("lead_counselor", "starts_at")
    )


def taken_slots(*, case: Case) -> Taken:
    """(counsellor, start) of the sessions already booked with the case's counsellors from now
    on: a slot among them was taken by someone else since it was offered."""
    return _busy(_assigned(case), timezone.now())


def booking_slots(
    *, case: Case, days: int = 14, first: date | None = None, last: date | None = None
) -> list[BookingSlot]:
    """Free session start times from `first` (today) to `last` (`days` later), inside the
    published duty at the case's office of the counsellors assigned to it. Continuity of care:
    the counsellors the couple has already seen come first."""
    now = timezone.now()
    today = timezone.localdate()
    first = max(first or today, today)
    last = last or today + timedelta(days=days)
    assigned = _assigned(case)
    seen = set(case.sessions.filter(ACTIVE_SESSION).values_list("lead_counselor", flat=True))
    duties = (
        Duty.objects.published()
        .filter(
            office=case.office,
            counselor__user__in=assigned,
            day__gte=first,
            day__lte=last,
        )
        .select_related("counselor__user", "office")
    )
    busy = _busy(assigned, now - LONGEST_SESSION)
    slots = []
    for duty in duties:
        start, end = duty.starts_at(), duty.ends_at()
        moment = start
        while moment + timedelta(minutes=SESSION_MINUTES) <= end:
            if moment > now and (duty.counselor.user_id, moment) not in busy:
                slots.append(BookingSlot(duty, moment, continuity=duty.counselor.user_id in seen))
            moment += SLOT_STEP
    return sorted(slots, key=lambda s: (not s.continuity, s.starts_at, s.duty.counselor_id))


def _codes(error: ValidationError) -> set[str | None]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


@transaction.atomic
def book_into_duty(
    *,
    case: Case,
    lead_counselor: User,
    starts_at: datetime,
    kind: str,
    room: Room,
    booked_by: User,
    party: Party | None = None,
    duration_minutes: int = SESSION_MINUTES,
    request: HttpRequest | None = None,
) -> CounselingSession:
    """Book a session with a counsellor who is on duty at the case's office for all of it, in
    one of the office's rooms.

    Refused outside published duty ("outside_duty"). The session itself is made by mediation's
    `book_session` (consent, safety screen, assignment, the room's fit, audit); its conditional
    unique constraints make double booking of a counsellor or a room impossible even when
    several people book at the same moment: all but one are told the slot is taken
    ("slot_taken") or the room is ("room_busy").
    """
    duty = on_duty_at(
        user=lead_counselor, office=case.office, starts_at=starts_at, minutes=duration_minutes
    )
    if duty is None:
        raise ValidationError(
            _("%(name)s is not on duty at %(office)s for that time.")
            % {"name": lead_counselor.display_name, "office": case.office.display_name},
            code="outside_duty",
        )
    try:
        return mediation_services.book_session(
            case=case,
            kind=kind,
            starts_at=starts_at,
            booked_room=room,
            lead_counselor=lead_counselor,
            booked_by=booked_by,
            party=party,
            duration_minutes=duration_minutes,
            request=request,
        )
    except ValidationError as error:
        if "counselor_busy" in _codes(error):
            raise ValidationError(
                _("This time slot is already booked."), code="slot_taken"
            ) from None
        raise


# --- the week grid of the booking page ----------------------------------------------------------


@dataclass(frozen=True)
class OfferedSlot:
    slot: BookingSlot
    free_rooms: int


@dataclass
class WeekCell:
    """A half-day of the week at the case's office: the case's counsellors' free start times
    (with a room free), and everyone on duty there then."""

    day: date
    half_day: str
    working: bool
    slots: list[OfferedSlot] = field(default_factory=list)
    on_duty: list[str] = field(default_factory=list)

    @property
    def free(self) -> int:
        return len(self.slots)


@dataclass(frozen=True)
class BookingWeek:
    monday: date
    days: list[date]
    rows: list[tuple[str, list[WeekCell]]]

    @property
    def slots(self) -> list[OfferedSlot]:
        return [offered for _half, cells in self.rows for cell in cells for offered in cell.slots]

    @property
    def office_on_duty(self) -> bool:
        return any(cell.on_duty for _half, cells in self.rows for cell in cells)


def _room_busy(office: RegistryOffice, start: datetime, end: datetime) -> dict[datetime, int]:
    """How many of the office's rooms are taken at each session start between start and end."""
    taken: dict[datetime, set[int | str]] = defaultdict(set)
    rows = CounselingSession.objects.filter(
        ACTIVE_SESSION, office=office, starts_at__gte=start, starts_at__lt=end
    ).values_list("starts_at", "booked_room_id", "room")
    for starts_at, room_id, name in rows:
        taken[starts_at].add(room_id or name)
    return {moment: len(rooms) for moment, rooms in taken.items()}


def booking_week(*, case: Case, monday: date) -> BookingWeek:
    """The week from `monday` as the booking page draws it (a fixed number of queries): per
    working half-day, the free start times of the case's counsellors on duty at its office with
    at least one of the office's rooms free, and who is on duty there. Rest days that nobody
    serves are left out; make-up working weekend days are in."""
    days = [monday + timedelta(days=i) for i in range(7)]
    calendar = OfficialCalendarYear.objects.calendar(years=sorted({days[0].year, days[-1].year}))
    duties = list(
        Duty.objects.published()
        .filter(office=case.office, day__gte=days[0], day__lte=days[-1])
        .select_related("counselor__user")
        .order_by("counselor__user__full_name")
    )
    on_duty: dict[tuple[date, str], list[str]] = defaultdict(list)
    for duty in duties:
        on_duty[(duty.day, duty.half_day)].append(duty.counselor.display_name)
    days = [
        day
        for day in days
        if calendar.is_working_day(day) or any((day, h) in on_duty for h in planner.HALVES)
    ]
    rooms = Room.objects.filter(office=case.office, active=True).count()
    start = timezone.make_aware(datetime.combine(monday, time.min))
    busy_rooms = _room_busy(case.office, start, start + timedelta(days=7))
    slots = booking_slots(case=case, first=monday, last=monday + timedelta(days=6))
    cells = {
        (day, half): WeekCell(day, half, calendar.is_working_day(day), on_duty=on_duty[(day, half)])
        for day in days
        for half in planner.HALVES
    }
    for slot in sorted(slots, key=lambda s: (s.starts_at, not s.continuity)):
        free = rooms - busy_rooms.get(slot.starts_at, 0)
        cell = cells.get((slot.duty.day, slot.duty.half_day))
        if cell is not None and free > 0:
            cell.slots.append(OfferedSlot(slot, free))
    return BookingWeek(
        monday=monday,
        days=days,
        rows=[(half, [cells[(day, half)] for day in days]) for half in planner.HALVES],
    )
