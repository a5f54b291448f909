"""The official calendar's pages: the loaded years, one year's holidays and month grids, and
entering a new year. May import access, forms, models and services."""

from calendar import Calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import CalendarYearForm
from ..http import AuthenticatedHttpRequest
from ..models import OfficialCalendarDay, OfficialCalendarYear


@dataclass(frozen=True)
class HolidayBlock:
    name: str
    first: date
    last: date
    length: int


def _holiday_blocks(days: list[OfficialCalendarDay]) -> list[HolidayBlock]:
    """Consecutive rest days of one name, as the State Council's notice lists them."""
    blocks: list[HolidayBlock] = []
    for day in days:
        if day.kind != OfficialCalendarDay.Kind.REST:
            continue
        last = blocks[-1] if blocks else None
        if last and last.name == day.name and last.last + timedelta(days=1) == day.date:
            blocks[-1] = HolidayBlock(last.name, last.first, day.date, last.length + 1)
        else:
            blocks.append(HolidayBlock(day.name, day.date, day.date, 1))
    return blocks


def _cell(day: date, month: int, official: OfficialCalendarDay | None) -> dict[str, Any]:
    if day.month != month:
        kind = "outside"
    elif official is not None:
        kind = official.kind
    else:
        kind = "weekend" if day.weekday() >= 5 else "workday"
    return {"date": day, "kind": kind, "name": official.name if official else ""}


def _months(year: int, days: list[OfficialCalendarDay]) -> list[dict[str, Any]]:
    """Twelve month grids (Monday first) whose cells say rest, make-up working day or weekend."""
    marked = {day.date: day for day in days}
    grid = Calendar(firstweekday=0)
    return [
        {
            "first": date(year, month, 1),
            "weeks": [
                [_cell(day, month, marked.get(day)) for day in week]
                for week in grid.monthdatescalendar(year, month)
            ],
        }
        for month in range(1, 13)
    ]


def calendar_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, "mediation.manage_calendar")
    years = (
        OfficialCalendarYear.objects.select_related("entered_by")
        .order_by("-year")
        .annotate(
            rest_count=Count("days", filter=Q(days__kind=OfficialCalendarDay.Kind.REST)),
            work_count=Count("days", filter=Q(days__kind=OfficialCalendarDay.Kind.WORK)),
        )
    )
    loaded = {row.year for row in years}
    this_year = timezone.localdate().year
    missing = [year for year in (this_year, this_year + 1) if year not in loaded]
    return render(
        request,
        "mediation/calendar_list.html",
        {"years": years, "missing_years": missing},
    )


def calendar_year(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    access.require(request.user, "mediation.manage_calendar")
    loaded_year = get_object_or_404(
        OfficialCalendarYear.objects.select_related("entered_by"), year=year
    )
    days = list(loaded_year.days.all())
    return render(
        request,
        "mediation/calendar_year.html",
        {
            "calendar_year": loaded_year,
            "holidays": _holiday_blocks(days),
            "makeup_days": [day for day in days if day.kind == OfficialCalendarDay.Kind.WORK],
            "months": _months(year, days),
        },
    )


def calendar_enter(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, "mediation.manage_calendar")
    initial = {"year": request.GET.get("year") or timezone.localdate().year + 1}
    form = CalendarYearForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            entered = services.enter_calendar_year(entered_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The official calendar of %(year)s is saved; deadlines in it are now final.")
                % {"year": entered.year},
            )
            return redirect("mediation:calendar-year", year=entered.year)
    return render(request, "mediation/calendar_enter.html", {"form": form})
