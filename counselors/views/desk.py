"""The office's pages: the supervisor's desk (caseloads, unassigned and overdue cases, who is on
duty), the office's month roster and the request for more duty. Thin: reach (access.py),
selectors, a service, response.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mediation import access as core_access
from mediation import selectors as core_selectors
from mediation import services as core_services
from mediation.calendar import next_month, previous_month
from mediation.http import AuthenticatedHttpRequest
from mediation.models import Case, OfficialCalendarYear, RegistryOffice, Room, User

from .. import access, planner, selectors
from ..forms import parse_month
from ..models import Duty
from ..services import extra_duty

DESK_ROWS = 10


def _desk_office(
    request: AuthenticatedHttpRequest,
) -> tuple[RegistryOffice, list[RegistryOffice]]:
    core_access.require(request.user, access.SUPERVISE)
    offices = list(core_access.offices_for(request.user))
    if not offices:
        raise Http404
    code = request.GET.get("office")
    office = core_access.office_for(request.user, code) if code else offices[0]
    return office, offices


@never_cache
def desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's landing page: the office's caseloads, unassigned and overdue cases,
    who is on duty today and this week, with the way to the roster, calendars and rooms."""
    office, offices = _desk_office(request)
    today = timezone.localdate()
    cases = Case.objects.visible_to(request.user).filter(office=office)
    counselors = User.objects.counselors_of(office)
    loads = core_selectors.caseloads(counselors, cases, today)
    duties = selectors.next_duties([load.counselor for load in loads], office, today)
    unassigned = core_selectors.unassigned_cases(cases)
    unassigned_rows = list(unassigned[:DESK_ROWS])
    overdue, overdue_total = core_selectors.overdue_rows(cases, today, DESK_ROWS)
    names = core_services.read_masked_names(
        user=request.user,
        cases=unassigned_rows + [row.case for row in overdue],
        request=request,
    )
    for row in overdue:
        row.names = names.get(row.case.pk, "")
    monday = planner.week_start(today)
    week = selectors.office_week(office, monday, monday + timedelta(days=6))
    # Counsellors still holding cases here who no longer serve the office.
    former = (
        User.objects.filter(
            case_assignments__ended_at__isnull=True, case_assignments__case__office=office
        )
        .exclude(pk__in=[load.counselor.pk for load in loads])
        .distinct()
        .order_by("full_name", "username")
    )
    return render(
        request,
        "counselors/desk.html",
        {
            "office": office,
            "offices": offices,
            "today": today,
            "caseloads": [(load, duties.get(load.counselor.pk, [])) for load in loads],
            "former": former,
            "unassigned": unassigned_rows,
            "names": names,
            "unassigned_total": unassigned.count(),
            "overdue": overdue,
            "overdue_total": overdue_total,
            "week": week,
            "today_row": next((row for row in week.rows if row.day == today), None),
            "rooms": Room.objects.filter(office=office).order_by("-active", "name"),
        },
    )


@never_cache
def desk_overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything overdue at the office, a page at a time."""
    office, _offices = _desk_office(request)
    today = timezone.localdate()
    cases = Case.objects.visible_to(request.user).filter(office=office)
    rows, total = core_selectors.overdue_rows(cases, today, None)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    names = core_services.read_masked_names(
        user=request.user, cases=[row.case for row in page], request=request
    )
    for row in page:
        row.names = names.get(row.case.pk, "")
    return render(
        request,
        "counselors/desk_overdue.html",
        {"office": office, "page": page, "total": total, "today": today},
    )


def office_roster(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An office's month roster for the people who work there (its supervisor and counsellors)
    and for the planners: who is on duty each half-day and what cover lacks."""
    office = access.office_for_roster(request.user, code)
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), today)
    calendar = OfficialCalendarYear.objects.calendar(years=[month.year])
    duties = selectors.with_people(
        Duty.objects.published().filter(office=office, day__year=month.year, day__month=month.month)
    )
    rows = selectors.month_grid(
        duties, [office], month, calendar, selectors.coverage_rules([office])
    )
    return render(
        request,
        "counselors/office_roster.html",
        {
            "office": office,
            "month": month,
            "rows": rows,
            "halves": planner.HALVES,
            "published": selectors.published_for(office, month),
            "previous_month": previous_month(month),
            "next_month": next_month(month),
            "calendar_known": calendar.knows(month.year),
            "rooms": Room.objects.filter(office=office, active=True),
        },
    )


@require_POST
def ask_extra_duty(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The booking page's "ask for more duty": the civil-affairs administrators are told."""
    office = access.office_for_roster(request.user, code)
    month = parse_month(request.POST.get("month"), timezone.localdate())
    try:
        extra_duty.ask_for_extra_duty(
            office=office, month=month, asked_by=request.user, request=request
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The civil-affairs administrator is told that more duty is needed.")
        )
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("counselors:office-roster", code=office.code)
