"""Views of the duty app: thin — reach (access.py), form, service, response.

Planning is enqueued to the task worker and never solved inside a request.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mediation import access as core_access
from mediation import formats
from mediation.calendar import month_start, next_month, previous_month
from mediation.models import Case, CounselingSession, Notice, OfficialCalendarYear
from mediation.services import notices

from . import access, ics, planner, selectors
from .forms import (
    CoverageRuleForm,
    DutyBookingForm,
    NewProfileForm,
    PlanForm,
    ProfileForm,
    QualificationForm,
    RepairForm,
    SwapApprovalForm,
    SwapForm,
    UnavailabilityForm,
    parse_month,
)
from .models import (
    CounselorProfile,
    CoverageRule,
    Duty,
    HalfDay,
    Qualification,
    Roster,
    SwapRequest,
    Unavailability,
)
from .services import (
    availability,
    booking,
    coverage_rules,
    digests,
    feed_tokens,
    planning,
    profiles,
    publishing,
    solving,
    swaps,
)

HALVES = [HalfDay.AM, HalfDay.PM]


def _month_url(name: str, city: str, month: date) -> str:
    return f"{reverse(name)}?city={city}&month={month:%Y-%m}"


def _add_error(form: BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: beside the field it names when the form has that field,
    above the form otherwise (nothing the user typed is lost)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- the month grid -----------------------------------------------------------------------------


def _grid(roster: Roster | None, offices, month: date, calendar) -> list[selectors.GridRow]:
    """One row per day; per office and half-day the names on duty and what cover lacks."""
    duties = roster.duties.all() if roster is not None else []
    return selectors.month_grid(
        duties, list(offices), month, calendar, selectors.coverage_rules(offices)
    )


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


def roster(request):
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
    changes = publishing.roster_changes(draft, published) if show_draft and published else []
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


def roster_status(request, roster_id: int):
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
def roster_plan(request):
    city = access.city_for(request.user, request.POST.get("city"))
    month = parse_month(request.POST.get("month"), timezone.localdate())
    form = PlanForm(request.POST, city=city)
    if form.is_valid():
        codes = [office.code for office in form.cleaned_data["offices"]] or None
        try:
            planning.start_planning(
                city=city,
                month=month,
                requested_by=request.user,
                office_codes=codes,
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("The planner is working on it; this page shows its progress."))
    return redirect(_month_url("counselors:roster", city, month))


@require_POST
def roster_repair(request):
    city = access.city_for(request.user, request.POST.get("city"))
    month = parse_month(request.POST.get("month"), timezone.localdate())
    form = RepairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day from which duties may change."))
    else:
        try:
            planning.start_planning(
                city=city,
                month=month,
                requested_by=request.user,
                repair_from=form.cleaned_data["repair_from"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("The planner is working on it; this page shows its progress."))
    return redirect(_month_url("counselors:roster", city, month))


@require_POST
def roster_publish(request, roster_id: int):
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
    return redirect(_month_url("counselors:roster", draft.city, draft.month))


# --- a counsellor's own duty -------------------------------------------------------------------


def my_duties(request):
    profile = access.own_profile(request.user)
    if profile is None and request.user.has_perm(access.SUPERVISE):
        # A supervisor takes no duty of their own: their duty page is their office's roster.
        office = core_access.offices_for(request.user).first()
        if office is not None:
            return redirect("counselors:office-roster", code=office.code)
    context = {"profile": profile}
    if profile is not None:
        today = timezone.localdate()
        context.update(
            duties=Duty.objects.published()
            .filter(counselor=profile, day__gte=month_start(today))
            .select_related("office")
            .prefetch_related(
                Prefetch(
                    "swap_requests",
                    queryset=SwapRequest.objects.filter(status__in=SwapRequest.OPEN),
                    to_attr="open_swaps",
                )
            ),
            today=today,
            feed_url=request.build_absolute_uri(
                reverse("counselors:duty-feed", args=[feed_tokens.feed_token(profile)])
            ),
            swaps=SwapRequest.objects.filter(requested_by=profile)
            .select_related("duty__office", "colleague__user", "exchange")
            .order_by("-created_at")[:20],
            offered=SwapRequest.objects.filter(colleague=profile)
            .select_related("duty__office", "requested_by__user", "exchange")
            .order_by("-created_at")[:20],
            unavailability=profile.unavailability.filter(end__gte=today),
            notices=Notice.objects.filter(recipient=request.user)[:10],
            unavailability_form=UnavailabilityForm(),
        )
    return render(request, "counselors/duty_mine.html", context)


@require_POST
def my_unavailability(request):
    profile = access.require_own_profile(request.user)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            availability.record_unavailability(
                counselor=profile, entered_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved. The next plan or repair will respect it."))
    else:
        messages.error(request, _("Please correct the dates."))
    return redirect("counselors:my-duties")


@require_POST
def unavailability_delete(request, row_id: int):
    row = Unavailability.objects.select_related("counselor").filter(pk=row_id).first()
    if row is None:
        raise Http404
    if request.user.has_perm(access.PLAN):
        access.profile_for_planner(request.user, row.counselor_id)
        target = reverse("counselors:profile-detail", args=[row.counselor_id])
    else:
        profile = access.require_own_profile(request.user)
        if row.counselor_id != profile.pk:
            raise Http404
        target = reverse("counselors:my-duties")
    availability.remove_unavailability(row=row, removed_by=request.user, request=request)
    messages.success(request, _("Removed."))
    return redirect(target)


@require_POST
def feed_reset(request):
    profile = access.require_own_profile(request.user)
    feed_tokens.reset_feed(profile=profile, request=request)
    messages.success(
        request, _("Your calendar address is new; the old one no longer works. Subscribe again.")
    )
    return redirect("counselors:my-duties")


@require_POST
def notices_read(request):
    access.require_own_profile(request.user)
    notices.mark_notices_read(user=request.user)
    return redirect("counselors:my-duties")


@require_POST
def duty_digest(request):
    profile = access.require_own_profile(request.user)
    try:
        digests.set_duty_digest(
            profile=profile, enabled=bool(request.POST.get("enabled")), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("counselors:my-duties")


def swap_create(request, duty_id: int):
    profile = access.require_own_profile(request.user)
    duty = access.own_duty(profile, duty_id)
    form = SwapForm(request.POST or None, duty=duty)
    if form.is_valid():
        try:
            swaps.request_swap(
                duty=duty, requested_by=profile, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your colleague is asked; you will see their answer here."))
            return redirect("counselors:my-duties")
    return render(request, "counselors/swap_form.html", {"duty": duty, "form": form})


@require_POST
def swap_answer(request, swap_id: int):
    profile = access.require_own_profile(request.user)
    swap = access.swap_for_counselor(profile, swap_id)
    try:
        swaps.answer_swap(
            swap=swap, colleague=profile, accept=request.POST.get("accept") == "1", request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("counselors:my-duties")


@require_POST
def swap_withdraw(request, swap_id: int):
    profile = access.require_own_profile(request.user)
    swap = access.swap_for_counselor(profile, swap_id)
    try:
        swaps.withdraw_swap(swap=swap, requested_by=profile, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("counselors:my-duties")


# --- the calendar feed -------------------------------------------------------------------------


@login_not_required
@never_cache
def duty_feed(request, token: str):
    """A counsellor's published duties as an iCalendar feed; the URL's secret is the key."""
    profile = feed_tokens.profile_for_feed_token(token)
    if profile is None:
        raise Http404
    since = timezone.localdate() - timedelta(days=62)
    duties = (
        Duty.objects.published()
        .filter(counselor=profile, day__gte=since)
        .select_related("office")
        .order_by("day", "half_day")
    )
    body = ics.duty_calendar(
        name=_("Duty of %(name)s") % {"name": profile.display_name},
        duties=[
            ics.FeedDuty(
                uid=f"duty-{duty.pk}@tongxin",
                starts_at=duty.starts_at(),
                ends_at=duty.ends_at(),
                summary=_("Duty at %(office)s") % {"office": duty.office.display_name},
                location=duty.office.address or duty.office.display_name,
            )
            for duty in duties
        ],
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="duty.ics"'
    return response


# --- the administrator's pages ------------------------------------------------------------------


def profile_list(request):
    access.require_planner(request.user)
    offices = core_access.offices_for(request.user)
    profiles = (
        CounselorProfile.objects.filter(offices__in=offices)
        .distinct()
        .select_related("user", "organisation", "home_office")
        .prefetch_related("offices", "qualifications")
    )
    return render(request, "counselors/profile_list.html", {"profiles": profiles})


def profile_create(request):
    access.require_planner(request.user)
    offices = core_access.offices_for(request.user)
    form = NewProfileForm(request.POST or None, offices=offices)
    if form.is_valid():
        try:
            profile = profiles.create_profile(
                created_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The counsellor is added to the rotation."))
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    return render(request, "counselors/profile_form.html", {"form": form})


def _say_unavailability_saved(request, row: Unavailability) -> None:
    """An absence asks for a roster repair; other unavailability is simply saved."""
    if row.kind == Unavailability.Kind.ABSENCE:
        messages.warning(
            request,
            _("Saved. Repair the roster from %(day)s so someone covers the absence.")
            % {"day": formats.long_date(row.start)},
        )
    else:
        messages.success(request, _("Saved."))


def profile_detail(request, profile_id: int):
    profile = access.profile_for_planner(request.user, profile_id)
    offices = core_access.offices_for(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = ProfileForm(
        request.POST if action == "profile" else None, instance=profile, offices=offices
    )
    qualification_form = QualificationForm(request.POST if action == "qualification" else None)
    unavailability_form = UnavailabilityForm(
        request.POST if action == "unavailability" else None, administrator=True
    )
    if action == "profile" and form.is_valid():
        try:
            profiles.update_profile(
                profile=profile, changed_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    if action == "qualification" and qualification_form.is_valid():
        try:
            profiles.add_qualification(
                counselor=profile,
                added_by=request.user,
                request=request,
                **qualification_form.cleaned_data,
            )
        except ValidationError as error:
            _add_error(qualification_form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    if action == "unavailability" and unavailability_form.is_valid():
        try:
            row = availability.record_unavailability(
                counselor=profile,
                entered_by=request.user,
                request=request,
                **unavailability_form.cleaned_data,
            )
        except ValidationError as error:
            _add_error(unavailability_form, error)
        else:
            _say_unavailability_saved(request, row)
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    return render(
        request,
        "counselors/profile_detail.html",
        {
            "profile": profile,
            "form": form,
            "qualification_form": qualification_form,
            "unavailability_form": unavailability_form,
            "qualifications": profile.qualifications.all(),
            "unavailability": profile.unavailability.filter(
                end__gte=timezone.localdate() - timedelta(days=31)
            ).select_related("entered_by"),
            "today": timezone.localdate(),
        },
    )


@require_POST
def qualification_delete(request, qualification_id: int):
    qualification = Qualification.objects.filter(pk=qualification_id).first()
    if qualification is None:
        raise Http404
    profile = access.profile_for_planner(request.user, qualification.counselor_id)
    profiles.remove_qualification(
        qualification=qualification, removed_by=request.user, request=request
    )
    messages.success(request, _("Removed."))
    return redirect("counselors:profile-detail", profile_id=profile.pk)


def coverage(request):
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
                _add_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("counselors:coverage")
        forms.append((office, form))
    return render(request, "counselors/coverage_rules.html", {"forms": forms})


def swap_list(request):
    access.require_planner(request.user)
    offices = core_access.offices_for(request.user)
    swap_requests = (
        SwapRequest.objects.filter(duty__office__in=offices)
        .select_related(
            "duty__office",
            "exchange__office",
            "requested_by__user",
            "colleague__user",
            "decided_by",
        )
        .order_by("-created_at")[:100]
    )
    return render(request, "counselors/swap_list.html", {"swaps": swap_requests})


@require_POST
def swap_decide(request, swap_id: int):
    """Reject from the list; approving goes through the review page, which shows the cover."""
    swap = access.swap_for_planner(request.user, swap_id)
    if request.POST.get("approve") == "1":
        return redirect("counselors:swap-review", swap_id=swap.pk)
    try:
        swaps.decide_swap(swap=swap, decided_by=request.user, approve=False, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decided; both counsellors are notified."))
    return redirect("counselors:swap-list")


def swap_review(request, swap_id: int):
    """What approving the swap does to the offices' cover, and the approval itself: with an
    explicit override and its reason when it would leave a half-day worse covered."""
    swap = access.swap_for_planner(request.user, swap_id)
    swap = SwapRequest.objects.select_related(
        "duty__office",
        "duty__roster",
        "exchange__office",
        "requested_by__user",
        "colleague__user",
    ).get(pk=swap.pk)
    waiting = swap.status == SwapRequest.Status.ACCEPTED
    warnings = swaps.swap_coverage(swap) if waiting else []
    form = SwapApprovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and waiting and form.is_valid():
        try:
            swaps.decide_swap(
                swap=swap,
                decided_by=request.user,
                approve=True,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Approved; both counsellors are notified."))
            return redirect("counselors:swap-list")
    return render(
        request,
        "counselors/swap_review.html",
        {"swap": swap, "warnings": warnings, "form": form, "waiting": waiting},
    )


def service_hours(request):
    access.require_planner(request.user)
    month = parse_month(request.GET.get("month"), timezone.localdate())
    offices = core_access.offices_for(request.user)
    rows = selectors.service_hours(offices, month, month)
    totals: dict[str, dict] = {}
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


# --- booking a session into a duty slot ------------------------------------------------------


def _booking_monday(value: str | None, today: date) -> date:
    """The Monday of the week asked for (ISO date), never before this week."""
    this_week = planner.week_start(today)
    try:
        asked = planner.week_start(date.fromisoformat(value or ""))
    except ValueError:
        return this_week
    return max(asked, this_week)


def case_book(request, case_uuid):
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
        lead = case.assignments.filter(counselor_id=user_id, ended_at=None).first()
        party = case.parties.filter(position=data["party"]).first() if data["party"] else None
        try:
            if lead is None:
                raise ValidationError(
                    _("The counsellor must be assigned to this case."), code="not_assigned"
                )
            session = booking.book_into_duty(
                case=case,
                lead_counselor=lead.counselor,
                starts_at=starts_at,
                kind=data["kind"],
                room=data["room"],
                party=party,
                booked_by=request.user,
                request=request,
            )
        except ValidationError as error:
            _add_error(form, error)
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
            "rooms": form.fields["room"].queryset,
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
