"""The planner's month roster of a city: the grid, planning and repairing a draft in the task
worker (never inside a request), its progress, publishing it; the offices' coverage rules and the
service hours they add up to."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access as core_access
from mediation.calendar import OfficialCalendar, next_month, previous_month
from mediation.http import AuthenticatedHttpRequest
from mediation.models import Notice, OfficialCalendarYear, RegistryOffice

from .. import access, selectors
from ..forms import (
    CoverageRuleForm,
    PlanForm,
    RepairForm,
    parse_month,
)
from ..models import (
    CoverageRule,
    Duty,
    Roster,
)
from ..services import (
    coverage_rules,
    planning,
    publishing,
    solving,
)
from .common import HALVES, add_error, month_url


def _grid(
    roster: Roster | None,
    offices: list[RegistryOffice],
    month: date,
    calendar: OfficialCalendar,
) -> list[selectors.GridRow]:
    """One row per day; per office and half-day the names on duty and what cover lacks."""
    duties = roster.duties.all() if roster is not None else []
    return selectors.month_grid(duties, offices, month, calendar, selectors.coverage_rules(offices))


def _with_rows(roster: Roster | None) -> Roster | None:
    if roster is None:
        return None
    return (
        Roster.objects.filter(pk=roster.pk)
        .prefetch_related(
            Prefetch("duties", queryset=selectors.with_people(Duty.objects.all())),
            Prefetch("gaps", queryset=roster.gaps.model.objects.select_related("office")),
        )
        .select_related("published_by")
        .get()
    )


def roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    cities = access.cities_for(request.user)
    city = access.city_for(request.user, request.GET.get("city"), cities)
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), today)
    offices = solving.city_offices(city)
    rosters = {
        r.status: r
        for r in Roster.objects.for_month(city, month)
        .exclude(status=Roster.Status.RETIRED)
        .select_related("published_by")
    }
    published, draft = rosters.get(Roster.Status.PUBLISHED), rosters.get(Roster.Status.DRAFT)
    show_draft = draft is not None and draft.usable and request.GET.get("show") != "published"
    shown = _with_rows(draft if show_draft else published)
    calendar = OfficialCalendarYear.objects.calendar(years=[month.year])
    changes = (
        publishing.roster_changes(draft, published)
        if show_draft and draft is not None and published is not None
        else []
    )
    touched = sorted({change.counselor.display_name for change in changes})
    return render(
        request,
        "counselors/roster_month.html",
        {
            "city": city,
            "cities": cities,
            "month": month,
            "previous_month": previous_month(month),
            "next_month": next_month(month),
            "offices": offices,
            "halves": HALVES,
            "published": published,
            "draft": draft,
            "shown": shown,
            "show_draft": show_draft,
            "rows": _grid(shown, offices, month, calendar),
            "calendar_known": calendar.knows(month.year),
            "changes": changes,
            "touched": touched,
            "plan_form": PlanForm(city=city),
            "notices": Notice.objects.filter(recipient=request.user)[:5],
            "repair_form": RepairForm(initial={"repair_from": max(today, month)}),
        },
    )


def roster_status(request: AuthenticatedHttpRequest, roster_id: int) -> HttpResponse:
    """The progress of a draft, polled by htmx; a finished draft reloads the page."""
    access.require_planner(request.user)
    draft = Roster.objects.filter(pk=roster_id).first()
    if draft is None or draft.city not in access.cities_for(request.user):
        raise Http404
    response = render(request, "counselors/_roster_status.html", {"draft": draft})
    if draft.finished:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def roster_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    city = access.city_for(request.user, request.POST.get("city"))
    month = parse_month(request.POST.get("month"), timezone.localdate())
    form = PlanForm(request.POST, city=city)
    if form.is_valid():
        codes = [office.code for office in form.cleaned_data["offices"]] or None
        _start_planning(request, city, month, office_codes=codes)
    return redirect(month_url("counselors:roster", city, month))


@require_POST
def roster_repair(request: AuthenticatedHttpRequest) -> HttpResponse:
    city = access.city_for(request.user, request.POST.get("city"))
    month = parse_month(request.POST.get("month"), timezone.localdate())
    form = RepairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day from which duties may change."))
    else:
        _start_planning(request, city, month, repair_from=form.cleaned_data["repair_from"])
    return redirect(month_url("counselors:roster", city, month))


def _start_planning(
    request: AuthenticatedHttpRequest,
    city: str,
    month: date,
    *,
    office_codes: list[str] | None = None,
    repair_from: date | None = None,
) -> None:
    """Start the planner (a plan or a repair) and say so, or say why it cannot start."""
    try:
        planning.start_planning(
            city=city,
            month=month,
            requested_by=request.user,
            office_codes=office_codes,
            repair_from=repair_from,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The planner is working on it; this page shows its progress."))


@require_POST
def roster_publish(request: AuthenticatedHttpRequest, roster_id: int) -> HttpResponse:
    access.require_planner(request.user)
    draft = Roster.objects.filter(pk=roster_id).first()
    if draft is None or draft.city not in access.cities_for(request.user):
        raise Http404
    try:
        publishing.publish_roster(roster=draft, published_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The roster is published and the counsellors are notified."))
    return redirect(month_url("counselors:roster", draft.city, draft.month))


def coverage(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_planner(request.user)
    offices = list(core_access.offices_for(request.user))
    rules = {rule.office_id: rule for rule in CoverageRule.objects.filter(office__in=offices)}
    forms = []
    for office in offices:
        rule = rules.get(office.pk) or CoverageRule(office=office, room_capacity=office.rooms * 2)
        bound = request.method == "POST" and request.POST.get("office") == office.code
        form = CoverageRuleForm(request.POST if bound else None, instance=rule, prefix=office.code)
        if bound and form.is_valid():
            try:
                coverage_rules.save_coverage_rule(
                    office=office, saved_by=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                add_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("counselors:coverage")
        forms.append((office, form))
    return render(request, "counselors/coverage_rules.html", {"forms": forms})


def service_hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_planner(request.user)
    month = parse_month(request.GET.get("month"), timezone.localdate())
    offices = core_access.offices_for(request.user)
    rows = selectors.service_hours(offices, month, month)
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(
            row.organisation,
            {"organisation": row.organisation, "half_days": 0, "hours": 0.0, "delivered": 0.0},
        )
        total["half_days"] += row.half_days
        total["hours"] += row.hours
        total["delivered"] += row.delivered_hours
    return render(
        request,
        "counselors/service_hours.html",
        {
            "month": month,
            "rows": rows,
            "totals": list(totals.values()),
            "previous_month": previous_month(month),
            "next_month": next_month(month),
        },
    )
