"""Views of the core app: thin — reach, form, service, response."""

from calendar import Calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, services
from .forms import CalendarYearForm
from .models import OfficeMembership, OfficialCalendarDay, OfficialCalendarYear


def home(request):
    offices = access.offices_for(request.user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=OfficeMembership.objects.select_related("user").order_by("user__username"),
        )
    )
    return render(request, "mediation/home.html", {"offices": offices})


def office_detail(request, code: str):
    office = access.office_for(request.user, code)
    members = (
        OfficeMembership.objects.filter(office=office)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("user__full_name", "user__username")
    )
    return render(request, "mediation/office_detail.html", {"office": office, "members": members})


# Official calendar


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


def _months(year: int, days: list[OfficialCalendarDay]) -> list[dict]:
    """Twelve month grids (Monday first) whose cells say rest, make-up working day or weekend."""
    marked = {day.date: day for day in days}
    grid = Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in grid.monthdatescalendar(year, month):
            cells = []
            for day in week:
                official = marked.get(day)
                if day.month != month:
                    kind = "outside"
                elif official is not None:
                    kind = official.kind
                else:
                    kind = "weekend" if day.weekday() >= 5 else "workday"
                cells.append({"date": day, "kind": kind, "name": official.name if official else ""})
            weeks.append(cells)
        months.append({"first": date(year, month, 1), "weeks": weeks})
    return months


def calendar_list(request):
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


def calendar_year(request, year: int):
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


def calendar_enter(request):
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
