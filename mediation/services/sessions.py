"""Sessions: booking an individual or joint session, recording a past one, holding and
cancelling. May import models, audit, access, consent and reminders (a booking schedules its SMS
reminders); counselors books through book_session."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Required, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..access import Action, can
from ..models import Case, CounselingSession, Party, Purpose, Room, Service, User
from ..models.cases import CANCEL_REASONS, NO_SHOW_REASONS
from .consent import require_consent
from .errors import field_error
from .reminders import schedule_session_reminders

SESSION_MINUTES = (10, 240)


def _parties_of(case: Case, kind: str, party: Party | None) -> list[Party]:
    """Who takes part: both parties in a joint session, which a positive safety screen forbids
    (DOMAIN.md, 'Safety comes before reconciliation'); the chosen party otherwise."""
    if kind == CounselingSession.Kind.JOINT:
        if case.joint_sessions_blocked:
            raise ValidationError(
                _(
                    "A safety screen in this case was positive, so no joint session can be booked. "
                    "Book individual sessions and consider a referral."
                ),
                code="joint_blocked",
            )
        return list(case.parties.all())
    if party is None or party.case_id != case.pk:
        raise field_error("party", _("Choose a party of this case."), "party_not_in_case")
    return [party]


def _double_booking(starts_at: datetime, lead_counselor: User) -> ValidationError:
    """Which of the two double-booking constraints refused the session."""
    busy = CounselingSession.objects.filter(
        starts_at=starts_at, status__in=CounselingSession.ACTIVE_STATUSES
    )
    if busy.filter(lead_counselor=lead_counselor).exists():
        return field_error(
            "starts_at", _("The counsellor already has a session at this time."), "counselor_busy"
        )
    return field_error("room", _("This room is already booked at this time."), "room_busy")


def _check_room(room: Room, *, case: Case, kind: str, people: int) -> None:
    """A booked room is one of the case's office's rooms in use (room_elsewhere), suitable for
    a joint session when the session is one (room_not_joint), with a seat for everyone in it
    (room_too_small)."""
    if room.office_id != case.office_id or not room.active:
        raise field_error("room", _("Choose one of this office's rooms."), "room_elsewhere")
    if kind == CounselingSession.Kind.JOINT and not room.joint_sessions:
        raise field_error(
            "room",
            _("%(room)s is not suitable for joint sessions.") % {"room": room.name},
            "room_not_joint",
        )
    if room.capacity < people:
        raise field_error(
            "room",
            _("%(room)s seats %(capacity)s; this session needs %(people)s places.")
            % {"room": room.name, "capacity": room.capacity, "people": people},
            "room_too_small",
        )


@transaction.atomic
def book_session(
    *,
    case: Case,
    kind: str,
    starts_at: datetime,
    lead_counselor: User,
    booked_by: User,
    party: Party | None = None,
    duration_minutes: int = 50,
    co_counselors: Iterable[User] = (),
    room: str = "",
    booked_room: Room | None = None,
    request: HttpRequest | None = None,
) -> CounselingSession:
    """Book an individual or joint session, in one of the office's rooms (`booked_room`, whose
    name it keeps) or, for a session recorded afterwards, a room named by hand (`room`).
    A joint session is refused after a positive safety screen (code joint_blocked); every party
    in it needs counselling consent (no_counselling_consent); the lead counsellor is assigned
    to the case (not_assigned); a counsellor or a room is never booked twice for the same time
    (conditional unique constraints, so this holds under concurrency: counselor_busy,
    room_busy); a booked room must be the office's, fit the session and seat everyone
    (see _check_room)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed."), code="closed")
    parties = _parties_of(case, kind, party)
    for each in parties:
        require_consent(
            each,
            Purpose.COUNSELLING,
            _("%(party)s has not consented to counselling.") % {"party": each.label},
            "no_counselling_consent",
        )
    if not SESSION_MINUTES[0] <= duration_minutes <= SESSION_MINUTES[1]:
        raise field_error("duration_minutes", _("A session lasts 10 to 240 minutes."), "duration")
    if not can(lead_counselor, Action.WORK, case):
        raise field_error(
            "lead_counselor", _("The counsellor must be assigned to this case."), "not_assigned"
        )
    co_counselors = [c for c in co_counselors if c.pk != lead_counselor.pk]
    if booked_room is not None:
        _check_room(booked_room, case=case, kind=kind, people=len(parties) + 1 + len(co_counselors))
        room = booked_room.name
    session = CounselingSession(
        case=case,
        office=case.office,
        kind=kind,
        party=None if kind == CounselingSession.Kind.JOINT else party,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room.strip(),
        booked_room=booked_room,
        lead_counselor=lead_counselor,
        booked_by=booked_by,
        booked_at=timezone.now(),
    )
    session.full_clean(
        exclude=["case", "office", "lead_counselor", "booked_by", "party", "booked_room"]
    )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise _double_booking(starts_at, lead_counselor) from None
    session.co_counselors.set(co_counselors)
    audit.record(
        actor=booked_by, action="session.book", obj=session, request=request, details={"kind": kind}
    )
    schedule_session_reminders(session=session)
    return session


class PastBooking(TypedDict, total=False):
    """book_session's other arguments, as record_past_session passes them on."""

    kind: Required[str]
    lead_counselor: Required[User]
    booked_by: Required[User]
    party: Party | None
    duration_minutes: int
    co_counselors: Iterable[User]
    room: str
    booked_room: Room | None
    request: HttpRequest | None


def record_past_session(
    *, case: Case, starts_at: datetime, **booking: Unpack[PastBooking]
) -> CounselingSession:
    """Record a session that already took place outside a duty slot (a walk-in, a late entry).
    Sessions to come are booked into the duty roster, which the core cannot see, so this refuses
    them (code "future"); everything else follows book_session's rules."""
    if starts_at > timezone.now():
        raise field_error(
            "starts_at",
            _(
                "Sessions to come are booked into a counsellor's duty slot. "
                "This form records a session that has already taken place."
            ),
            "future",
        )
    return book_session(case=case, starts_at=starts_at, **booking)


@transaction.atomic
def hold_session(
    *,
    session: CounselingSession,
    services: Sequence[str],
    held_by: User,
    duration_minutes: int | None = None,
    request: HttpRequest | None = None,
) -> CounselingSession:
    """Record that a booked session took place, and which of the room's free services it
    delivered (DOMAIN.md). Not a cancelled session (code cancelled), not before it starts
    (future), not without a service (services)."""
    session = CounselingSession.objects.select_for_update().get(pk=session.pk)
    if session.status not in CounselingSession.ACTIVE_STATUSES:
        raise ValidationError(
            _("A cancelled session cannot be recorded as held."), code="cancelled"
        )
    if session.starts_at > timezone.now():
        raise ValidationError(
            _("A session cannot be recorded as held before it starts."), code="future"
        )
    unknown = set(services) - set(Service.values)
    if unknown or not services:
        raise field_error("services", _("Choose the services delivered."), "services")
    session.status = CounselingSession.Status.HELD
    session.set_services(services)
    if duration_minutes:
        session.duration_minutes = duration_minutes
    session.save()
    audit.record(actor=held_by, action="session.hold", obj=session, request=request)
    return session


@transaction.atomic
def cancel_session(
    *,
    session: CounselingSession,
    cancelled_by: User,
    reason: str,
    no_show: bool = False,
    request: HttpRequest | None = None,
) -> CounselingSession:
    """Cancel a booked session, or record that the party did not come, with the reason and who
    recorded it. Codes: not_booked (no longer booked), reason (not one of the reasons offered
    for a cancellation or a no-show), no_show_future (nobody can fail to come to a session that
    has not started)."""
    session = CounselingSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CounselingSession.Status.BOOKED:
        raise ValidationError(_("Only a booked session can be cancelled."), code="not_booked")
    if reason not in (NO_SHOW_REASONS if no_show else CANCEL_REASONS):
        raise field_error("reason", _("Choose the reason."), "reason")
    if no_show and session.starts_at > timezone.now():
        raise ValidationError(
            _("A session that has not started cannot be recorded as not attended."),
            code="no_show_future",
        )
    session.status = (
        CounselingSession.Status.NO_SHOW if no_show else CounselingSession.Status.CANCELLED
    )
    session.cancelled_by, session.cancelled_at = cancelled_by, timezone.now()
    session.cancel_reason = reason
    session.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    audit.record(
        actor=cancelled_by,
        action="session.cancel",
        obj=session,
        request=request,
        details={"no_show": no_show, "reason": reason},
    )
    return session
