"""The day and week calendars of a counsellor and of a room: duty and booked sessions, printable."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.http import AuthenticatedHttpRequest
from mediation.models import Case, CounselingSession, RegistryOffice

from .. import access, planner, selectors
from ..models import Duty


def _calendar_days(request: AuthenticatedHttpRequest) -> tuple[str, date, list[date]]:
    view = "day" if request.GET.get("view") == "day" else "week"
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    if view == "day":
        return view, day, [day]
    monday = planner.week_start(day)
    return view, day, [monday + timedelta(days=i) for i in range(7)]


def _calendar(
    request: AuthenticatedHttpRequest,
    *,
    title: str,
    office: RegistryOffice | None,
    duties: QuerySet[Duty],
    sessions: list[CounselingSession],
    subject: str,
    **context: object,
) -> HttpResponse:
    view, day, days = _calendar_days(request)
    visible = set(
        Case.objects.visible_to(request.user)
        .filter(pk__in={session.case_id for session in sessions})
        .values_list("pk", flat=True)
    )
    calendar = selectors.calendar_grid(
        days, duties, sessions, visible_cases=visible, with_office=subject == "counselor"
    )
    step = timedelta(days=1 if view == "day" else 7)
    return render(
        request,
        "counselors/calendar.html",
        {
            "title": title,
            "office": office,
            "view": view,
            "day": day,
            "days": days,
            "calendar": calendar,
            "previous": day - step,
            "next": day + step,
            "subject": subject,
            "today": timezone.localdate(),
            **context,
        },
    )


def counselor_calendar(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """A counsellor's duty and sessions, by day or week, printable."""
    profile = access.profile_for_calendar(request.user, user_id)
    _view, _day, days = _calendar_days(request)
    duties = selectors.with_people(
        Duty.objects.published().filter(counselor=profile, day__gte=days[0], day__lte=days[-1])
    )
    sessions = selectors.sessions_between(days[0], days[-1], lead_counselor=profile.user)
    return _calendar(
        request,
        title=_("Calendar of %(name)s") % {"name": profile.display_name},
        office=profile.home_office,
        duties=duties,
        sessions=sessions,
        subject="counselor",
        profile=profile,
    )


def room_calendar(request: AuthenticatedHttpRequest, room_id: int) -> HttpResponse:
    """A room's booked sessions and the office's duty, by day or week, printable for the wall."""
    room = access.room_for(request.user, room_id)
    _view, _day, days = _calendar_days(request)
    duties = selectors.with_people(
        Duty.objects.published().filter(office=room.office, day__gte=days[0], day__lte=days[-1])
    )
    sessions = selectors.sessions_between(days[0], days[-1], booked_room=room)
    return _calendar(
        request,
        title=_("Calendar of %(room)s, %(office)s")
        % {"room": room.name, "office": room.office.display_name},
        office=room.office,
        duties=duties,
        sessions=sessions,
        subject="room",
        room=room,
    )
