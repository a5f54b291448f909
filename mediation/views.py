"""Views of the core app: thin — reach, form, service, response."""

from calendar import Calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from . import access, audit, services
from .forms import (
    AddendumForm,
    AssignForm,
    AuditFilterForm,
    CalendarYearForm,
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    FollowUpForm,
    NoteForm,
    OutcomeForm,
    PartyForm,
    ReferralForm,
    ResultForm,
    SatisfactionForm,
    ScreenForm,
    SessionBookForm,
    SessionHoldForm,
)
from .models import (
    AuditEvent,
    Case,
    CaseAssignment,
    CounselingSession,
    FollowUp,
    OfficeMembership,
    OfficialCalendarDay,
    OfficialCalendarYear,
    Outcome,
    Port,
    Purpose,
    SessionNote,
    User,
)


def home(request):
    if request.user.has_perm("mediation.work_cases"):
        return redirect("mediation:today")
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


# Case work


def _form_errors_from(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where it names one the form has,
    else at the top. Nothing the user typed is lost (the form is re-rendered with its data)."""
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _render_case_form(
    request,
    case,
    form,
    *,
    title,
    intro="",
    submit=None,
    template="mediation/case_form.html",
    **extra,
):
    context = {
        "case": case,
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit or _("Save"),
    }
    context.update(extra)
    context.update(_deadline_context(case))
    return render(request, template, context)


def _deadline_context(case) -> dict:
    today = timezone.localdate()
    return {
        "today": today,
        "cooling_days_left": services.days_until(case.cooling_off_ends_on, today),
        "window_days_left": services.days_until(case.certificate_window_ends_on, today),
    }


def _party(case, position: int):
    return get_object_or_404(case.parties, position=position)


def _next_deadline(case, today: date) -> date | None:
    if case.cooling_off_ends_on and case.cooling_off_ends_on >= today:
        return case.cooling_off_ends_on
    return case.certificate_window_ends_on


def today(request):
    """The counsellor's day: sessions today, open cases by nearest deadline, cooling-off ending
    within 7 days, follow-ups due."""
    access.require(request.user, "mediation.work_cases")
    user, day = request.user, timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    sessions = (
        CounselingSession.objects.filter(
            Q(lead_counselor=user) | Q(co_counselors=user),
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
            case__in=Case.objects.visible_to(user),
        )
        .exclude(status=CounselingSession.Status.CANCELLED)
        .select_related("case", "party")
        .distinct()
        .order_by("starts_at")
    )
    cases = list(Case.objects.visible_to(user).open().select_related("office"))
    far = date.max
    cases.sort(key=lambda case: (_next_deadline(case, day) or far, case.number))
    for case in cases:
        case.next_deadline = _next_deadline(case, day)
        case.cooling_days_left = services.days_until(case.cooling_off_ends_on, day)
    ending_soon = [
        c for c in cases if c.cooling_days_left is not None and 0 <= c.cooling_days_left <= 7
    ]
    follow_ups = (
        FollowUp.objects.filter(
            case__in=Case.objects.visible_to(user),
            status=FollowUp.Status.DUE,
            due_on__lte=day + timedelta(days=14),
        )
        .select_related("case", "party")
        .order_by("due_on")
    )
    return render(
        request,
        "mediation/today.html",
        {
            "sessions": sessions,
            "cases": cases,
            "ending_soon": ending_soon,
            "follow_ups": follow_ups,
            "today": day,
        },
    )


def _filtered_cases(request, queryset, *, counselors=None):
    form = CaseFilterForm(request.GET or None, counselors=counselors)
    day = timezone.localdate()
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("counselor"):
            queryset = queryset.filter(
                assignments__counselor=data["counselor"], assignments__ended_at__isnull=True
            )
        if data.get("port"):
            queryset = queryset.filter(port=data["port"])
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        deadline = data.get("deadline")
        if deadline in ("7", "30"):
            queryset = queryset.filter(
                cooling_off_ends_on__gte=day,
                cooling_off_ends_on__lte=day + timedelta(days=int(deadline)),
            )
        elif deadline == "window":
            queryset = queryset.filter(
                cooling_off_ends_on__lt=day, certificate_window_ends_on__gte=day
            )
        elif deadline == "provisional":
            queryset = queryset.filter(deadlines_provisional=True)
    active = CaseAssignment.objects.filter(ended_at__isnull=True).select_related("counselor")
    queryset = (
        queryset.select_related("office", "outcome")
        .prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_assignments"))
        .order_by("-status", "cooling_off_ends_on", "-opened_at")
        .distinct()
    )
    return form, queryset


def case_list(request):
    """My cases (a counsellor's assigned cases)."""
    access.require(request.user, "mediation.work_cases")
    form, cases = _filtered_cases(request, Case.objects.visible_to(request.user))
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/case_list.html",
        {"form": form, "page": page, "title": _("My cases"), "today": timezone.localdate()},
    )


def office_cases(request):
    """Every case of the supervisor's offices, with filters and assignment."""
    access.require(request.user, "mediation.supervise_office")
    offices = access.offices_for(request.user)
    counselors = User.objects.counselors_of(offices)
    form, cases = _filtered_cases(
        request, Case.objects.visible_to(request.user), counselors=counselors
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/case_list.html",
        {
            "form": form,
            "page": page,
            "title": _("Office cases"),
            "supervising": True,
            "today": timezone.localdate(),
        },
    )


@sensitive_post_parameters()
def case_open(request):
    user = request.user
    if not (user.has_perm("mediation.work_cases") or user.has_perm("mediation.supervise_office")):
        raise Http404
    form = CaseOpenForm(request.POST or None, offices=access.offices_for(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                office=data["office"],
                port=data["port"],
                category=data["category"],
                received_on=data["received_on"] if data["port"] == Port.DIVORCE else None,
                party_count=data["party_count"],
                opened_by=user,
                request=request,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            warning = services.rest_day_warning(case.received_on)
            if warning:
                messages.warning(request, warning)
            messages.success(
                request,
                _("Case %(number)s is open. Record each party's consent next.")
                % {"number": case.number},
            )
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render(request, "mediation/case_open.html", {"form": form})


@never_cache
def case_detail(request, case_uuid):
    case = access.case_for(request.user, case_uuid, request=request)
    parties = list(case.parties.prefetch_related("screens"))
    may_identify = access.can(request.user, access.Action.READ_IDENTITY, case)
    for party in parties:
        party.identity = (
            services.read_party_identity(
                user=request.user, party=party, request=request, fields=("name",)
            )
            if may_identify and party.has_sealed("name")
            else None
        )
        party.earlier_cases = services.earlier_cases_for(party)
        party.screened = bool(party.screens.all())
    sessions = case.sessions_with_note_metadata()
    outcome = Outcome.objects.filter(case=case).select_related("recorded_by").first()
    assignments = case.assignments.filter(ended_at__isnull=True).select_related("counselor")
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            "parties": parties,
            "sessions": sessions,
            "outcome": outcome,
            "assignments": assignments,
            "referrals": case.referrals.select_related("party"),
            "follow_ups": case.follow_ups.select_related("party"),
            "satisfaction": case.satisfaction.select_related("party"),
            "may_work": access.can(request.user, access.Action.WORK, case),
            "may_manage": access.can(request.user, access.Action.MANAGE, case),
            "may_close": access.can(request.user, access.Action.CLOSE, case),
            **_deadline_context(case),
        },
    )


def case_edit(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    form = CaseEditForm(
        request.POST or None, initial={"category": case.category, "received_on": case.received_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_case(
                case=case, updated_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            warning = services.rest_day_warning(form.cleaned_data["received_on"])
            if warning:
                messages.warning(request, warning)
            messages.success(request, _("The case is updated; its deadlines are recomputed."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(request, case, form, title=_("Edit the case"))


@never_cache
@sensitive_post_parameters()
def party_edit(request, case_uuid, position: int):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = _party(case, position)
    if not party.consent_counselling:
        messages.warning(
            request, _("Record this party's consent to counselling before their details.")
        )
        return redirect("mediation:party-consent", case_uuid=case.uuid, position=position)
    opened = services.read_party_identity(user=request.user, party=party, request=request)
    initial = {
        "sex": party.sex,
        "birth_year": party.birth_year,
        "education": party.education,
        "occupation": party.occupation,
        "marital_status": party.marital_status,
        "years_married": party.years_married,
        **(opened.values if opened.ok else {}),
    }
    form = PartyForm(request.POST or None, initial=initial)
    if not opened.ok:
        for field_name in form.fields:
            form.fields[field_name].disabled = True
        messages.error(request, opened.error)
    elif request.method == "POST" and form.is_valid():
        try:
            services.update_party(
                party=party, updated_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("%(party)s is saved.") % {"party": party.label})
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(
        request,
        case,
        form,
        title=_("%(party)s: record form") % {"party": party.label},
        intro=_("Names, ID numbers, phones and addresses are stored encrypted."),
        disabled=not opened.ok,
    )


def party_consent(request, case_uuid, position: int):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = _party(case, position)
    if request.method == "POST":
        purpose, action = request.POST.get("purpose", ""), request.POST.get("action", "")
        try:
            services.record_consent(
                case=case,
                party=party,
                purpose=purpose,
                given=action == "give",
                recorded_by=request.user,
                request=request,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if action == "give":
                messages.success(request, _("Consent is recorded."))
            else:
                messages.success(
                    request, _("The withdrawal is recorded; what it covered has stopped.")
                )
        return redirect("mediation:party-consent", case_uuid=case.uuid, position=position)
    party.refresh_from_db()
    purposes = [
        {
            "value": purpose.value,
            "label": purpose.label,
            "given": getattr(party, services.CONSENT_FLAGS[purpose]),
            "text": services.consent_text_for(purpose),
        }
        for purpose in Purpose
    ]
    history = party.consents.select_related("text", "recorded_by").order_by("-recorded_at")
    return render(
        request,
        "mediation/party_consent.html",
        {
            "case": case,
            "party": party,
            "purposes": purposes,
            "history": history,
            **_deadline_context(case),
        },
    )


@sensitive_post_parameters()
def party_screen(request, case_uuid, position: int):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = _party(case, position)
    form = ScreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screen = services.screen_party(
                party=party, answers=form.answers(), screened_by=request.user, request=request
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            if screen.positive:
                messages.warning(
                    request,
                    _(
                        "The screen is positive. Joint sessions are now blocked and no contact "
                        "will be made that could reveal the service to the other party. "
                        "Consider a referral."
                    ),
                )
                return redirect("mediation:referral-new", case_uuid=case.uuid)
            messages.success(request, _("The screen is recorded (negative)."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(
        request,
        case,
        form,
        title=_("%(party)s: safety screen") % {"party": party.label},
        intro=_("Ask these questions with this party alone, never in front of the other party."),
    )


def session_book(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    counselors = User.objects.filter(
        case_assignments__case=case, case_assignments__ended_at__isnull=True
    )
    form = SessionBookForm(
        request.POST or None,
        case=case,
        counselors=counselors,
        initial={
            "kind": CounselingSession.Kind.JOINT
            if not case.joint_sessions_blocked
            else CounselingSession.Kind.INDIVIDUAL,
            "lead_counselor": request.user,
            "day": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party = case.parties.filter(position=data["party"]).first() if data.get("party") else None
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["time"]))
        try:
            session = services.record_past_session(
                case=case,
                kind=data["kind"],
                party=party,
                starts_at=starts_at,
                duration_minutes=data["duration_minutes"],
                room=data["room"],
                lead_counselor=data["lead_counselor"],
                booked_by=request.user,
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
                codes = {each.code for each in error.error_dict["starts_at"]}
                field = "day" if codes == {"future"} else "time"
                error = ValidationError({field: error.error_dict["starts_at"]})
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The session is recorded."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    intro = (
        _("Joint sessions are blocked in this case after a positive safety screen.")
        if case.joint_sessions_blocked
        else ""
    )
    intro = intro or _(
        "For a session that took place outside a booked duty slot (for example a walk-in). "
        "Sessions to come are booked into the duty roster."
    )
    return _render_case_form(request, case, form, title=_("Record a past session"), intro=intro)


@never_cache
def session_detail(request, case_uuid, session_uuid):
    case = access.case_for(request.user, case_uuid, request=request)
    session = get_object_or_404(
        case.sessions.select_related("lead_counselor", "party"), uuid=session_uuid
    )
    may_work = access.can(request.user, access.Action.WORK, case)
    notes = []
    # One transaction for the page's reads: their audit events commit together, once.
    with transaction.atomic():
        for note in session.notes.select_related("author").order_by("created_at"):
            note.opened = (
                services.read_note(user=request.user, note=note, request=request)
                if access.can(request.user, access.Action.READ_NOTE, case)
                else None
            )
            notes.append(note)
    hold_form = SessionHoldForm(
        initial={"services": session.services, "duration_minutes": session.duration_minutes}
    )
    return render(
        request,
        "mediation/session_detail.html",
        {
            "case": case,
            "session": session,
            "notes": notes,
            "may_work": may_work,
            "hold_form": hold_form,
            "my_note": next((n for n in notes if n.author_id == request.user.pk), None),
            "addendum_form": AddendumForm(),
            **_deadline_context(case),
        },
    )


def session_hold(request, case_uuid, session_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    form = SessionHoldForm(
        request.POST or None, initial={"duration_minutes": session.duration_minutes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hold_session(
                session=session,
                services=form.cleaned_data["services"],
                held_by=request.user,
                duration_minutes=form.cleaned_data["duration_minutes"],
                request=request,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The session is recorded as held."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return _render_case_form(request, case, form, title=_("Record the session as held"))


@require_POST
def session_cancel(request, case_uuid, session_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    try:
        services.cancel_session(
            session=session,
            cancelled_by=request.user,
            no_show=request.POST.get("no_show") == "1",
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)


@never_cache
@sensitive_post_parameters()
@sensitive_variables("opened")
def note_edit(request, case_uuid, session_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = session.notes.filter(author=request.user).first()
    if note is not None and note.status == SessionNote.Status.SIGNED:
        return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)
    initial, disabled = {"version": note.version if note else 0}, False
    if note is not None:
        opened = services.read_note(user=request.user, note=note, request=request)
        if opened.ok:
            initial.update(body=opened.values["body"], assessment=opened.values["assessment"])
        else:
            disabled = True
            messages.error(request, opened.error)
    form = NoteForm(request.POST or None, initial=initial)
    if disabled:
        for field_name in form.fields:
            form.fields[field_name].disabled = True
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_note(
                session=session,
                author=request.user,
                body=data["body"],
                assessment=data["assessment"],
                expected_version=data["version"] if data["version"] is not None else None,
                request=request,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The note is saved (draft). Sign it when it is complete."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return _render_case_form(
        request,
        case,
        form,
        title=_("Session note"),
        disabled=disabled,
        intro=_(
            "Notes are encrypted and only the counsellors of this case can read them. "
            "A signed note is locked."
        ),
    )


@require_POST
def note_sign(request, case_uuid, session_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = get_object_or_404(session.notes, author=request.user)
    try:
        services.sign_note(note=note, signed_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The note is signed and locked."))
    return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)


@require_POST
@sensitive_post_parameters()
def note_addendum(request, case_uuid, session_uuid, note_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = get_object_or_404(session.notes, uuid=note_uuid)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.add_addendum(
                note=note, author=request.user, body=form.cleaned_data["body"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The addendum is added."))
    else:
        messages.error(request, _("The addendum is empty."))
    return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)


def case_result(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    form = ResultForm(
        request.POST or None,
        initial={"result": case.result, "result_on": case.result_on or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_result(
                case=case, recorded_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The counselling result is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(
        request,
        case,
        form,
        title=_("Counselling result"),
        intro=_(
            "The counsellor's record at the end of counselling (MZ/T 084). "
            "It is not the registry outcome."
        ),
    )


def case_outcome(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    form = OutcomeForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.close_case(
                case=case, recorded_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The registry outcome is recorded and the case is closed."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(
        request,
        case,
        form,
        title=_("Registry outcome"),
        intro=_(
            "What happened to the application. 'Lapsed' (not coming for the certificate) "
            "is not a reconciliation."
        ),
    )


@require_POST
def case_finish(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    try:
        services.finish_case(case=case, closed_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is closed."))
    return redirect("mediation:case-detail", case_uuid=case.uuid)


@sensitive_post_parameters()
def referral_new(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    form = ReferralForm(
        request.POST or None, case=case, initial={"referred_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party = case.parties.filter(position=data["party"]).first() if data.get("party") else None
        try:
            services.refer(
                case=case,
                party=party,
                destination=data["destination"],
                reason=data["reason"],
                referred_on=data["referred_on"],
                referred_by=request.user,
                request=request,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The referral is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(
        request,
        case,
        form,
        title=_("Referral"),
        template="mediation/referral_form.html",
    )


def follow_up_record(request, case_uuid, follow_up_id: int):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    follow_up = get_object_or_404(case.follow_ups.select_related("party"), pk=follow_up_id)
    form = FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_follow_up(
                follow_up=follow_up, recorded_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(
        request,
        case,
        form,
        title=_("Follow-up %(months)s months after the reconciliation")
        % {"months": follow_up.months},
    )


def satisfaction_new(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    form = SatisfactionForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party = case.parties.filter(position=data["party"]).first() if data.get("party") else None
        try:
            services.record_satisfaction(
                case=case,
                party=party,
                rating=data["rating"],
                anonymous=data["anonymous"],
                recorded_by=request.user,
                request=request,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Thank you: the satisfaction answer is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return _render_case_form(request, case, form, title=_("Satisfaction"))


def case_assign(request, case_uuid):
    case = access.case_for(request.user, case_uuid, action=access.Action.MANAGE, request=request)
    form = AssignForm(request.POST or None, counselors=User.objects.counselors_of(case.office))
    if request.method == "POST":
        if request.POST.get("unassign"):
            counselor = get_object_or_404(User, pk=request.POST["unassign"])
            try:
                services.unassign_counselor(
                    case=case, counselor=counselor, unassigned_by=request.user, request=request
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("%(name)s no longer has this case.") % {"name": counselor.display_name},
                )
            return redirect("mediation:case-assign", case_uuid=case.uuid)
        if form.is_valid():
            try:
                services.assign_counselor(
                    case=case,
                    counselor=form.cleaned_data["counselor"],
                    assigned_by=request.user,
                    request=request,
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, _("The counsellor is assigned."))
                return redirect("mediation:case-assign", case_uuid=case.uuid)
    assignments = case.assignments.filter(ended_at__isnull=True).select_related("counselor")
    return _render_case_form(
        request,
        case,
        form,
        title=_("Counsellors of this case"),
        submit=_("Assign"),
        template="mediation/case_assign.html",
        assignments=assignments,
    )


# Audit trail


def audit_list(request):
    access.require(request.user, "mediation.view_audit_trail")
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["username"]:
            events = events.filter(actor_username=data["username"])
        if data["office"]:
            events = events.filter(office_code=data["office"].upper())
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["day"]:
            start = timezone.make_aware(datetime.combine(data["day"], time.min))
            events = events.filter(at__gte=start, at__lt=start + timedelta(days=1))
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    verification = audit.verify() if request.GET.get("verify") else None
    return render(
        request,
        "mediation/audit_list.html",
        {"form": form, "page": page, "verification": verification},
    )
