"""Booking a session of a case into a published duty slot at its office."""

from datetime import date, timedelta
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as core_access
from mediation.calendar import month_start
from mediation.http import AuthenticatedHttpRequest
from mediation.models import Case, CounselingSession, User

from .. import planner, selectors
from ..forms import (
    DutyBookingForm,
)
from ..services import (
    booking,
)
from .common import add_error


def _booking_monday(value: str | None, today: date) -> date:
    """The Monday of the week asked for (ISO date), never before this week."""
    this_week = planner.week_start(today)
    try:
        asked = planner.week_start(date.fromisoformat(value or ""))
    except ValueError:
        return this_week
    return max(asked, this_week)


def case_book(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """Book a session of a case into a published duty slot at its office, on a week grid of the
    half-days with free places, in one of the office's rooms."""
    case = core_access.case_for(request.user, case_uuid, action="view", request=request)
    if not (
        core_access.can(request.user, "work", case) or core_access.can(request.user, "manage", case)
    ):
        raise Http404
    if case.status != Case.Status.OPEN:
        return render(request, "counselors/session_book_closed.html", {"case": case})
    today = timezone.localdate()
    monday = _booking_monday(request.POST.get("week") or request.GET.get("week"), today)
    week = booking.booking_week(case=case, monday=monday)
    kinds = CounselingSession.Kind.choices
    if case.joint_sessions_blocked:
        kinds = [(k, label) for k, label in kinds if k != CounselingSession.Kind.JOINT]
    form = DutyBookingForm(
        request.POST or None,
        slots=[offered.slot for offered in week.slots],
        taken=booking.taken_slots(case=case) if request.method == "POST" else set(),
        case=case,
        kinds=kinds,
        initial={"kind": kinds[-1][0] if len(kinds) > 1 else kinds[0][0]},
    )
    if form.is_valid():
        data = form.cleaned_data
        user_id, starts_at = data["slot"]
        # One of the offered slots: the services refuse a counsellor no longer on duty there or
        # no longer assigned to the case.
        lead = User.objects.get(pk=user_id)
        party = case.parties.filter(position=data["party"]).first() if data["party"] else None
        try:
            session = booking.book_into_duty(
                case=case,
                lead_counselor=lead,
                starts_at=starts_at,
                kind=data["kind"],
                room=data["room"],
                party=party,
                booked_by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The session is booked."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    month = month_start(monday + timedelta(days=6))
    published = selectors.published_for(case.office, month)
    return render(
        request,
        "counselors/session_book.html",
        {
            "case": case,
            "form": form,
            "week": week,
            "chosen": form["slot"].value(),
            "rooms": form.rooms,
            "previous_week": monday - timedelta(days=7)
            if monday > planner.week_start(today)
            else None,
            "next_week": monday + timedelta(days=7),
            "month": month,
            "published": published,
            "publication_due": selectors.publication_due(month),
            "today": today,
        },
    )
