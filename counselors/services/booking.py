"""Booking sessions into duty slots: who is on duty when, the free slots of a case, and the
booking itself (made by mediation's booking service). May import models and mediation.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import services as mediation_services
from mediation.models import Case, CounselingSession, Party, RegistryOffice, User
from mediation.models.cases import ACTIVE_SESSION

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


def booking_slots(*, case: Case, days: int = 14) -> list[BookingSlot]:
    """Free session start times in the coming days, inside the published duty at the case's
    office of the counsellors assigned to it. Continuity of care: the counsellors the couple has
    already seen come first."""
    now = timezone.now()
    today = timezone.localdate()
    assigned = _assigned(case)
    seen = set(case.sessions.filter(ACTIVE_SESSION).values_list("lead_counselor", flat=True))
    duties = (
        Duty.objects.published()
        .filter(
            office=case.office,
            counselor__user__in=assigned,
            day__gte=today,
            day__lte=today + timedelta(days=days),
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
    room: str,
    booked_by: User,
    party: Party | None = None,
    duration_minutes: int = SESSION_MINUTES,
    request: HttpRequest | None = None,
) -> CounselingSession:
    """Book a session with a counsellor who is on duty at the case's office for all of it.

    Refused outside published duty ("outside_duty"). The session itself is made by mediation's
    `book_session` (consent, safety screen, assignment, audit); its conditional unique
    constraints make double booking impossible even when several people book the same slot at
    the same moment: all but one are told the slot is taken ("slot_taken").
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
            room=room,
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
