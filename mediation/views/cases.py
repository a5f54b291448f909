"""Case pages: the counsellor's day, case lists, opening, the case page, editing, assigning.
May import access, clock, forms, models and services; every case is reached through access."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import access, clock, services
from ..forms import AssignForm, CaseEditForm, CaseFilterForm, CaseOpenForm, UnassignForm
from ..models import Case, CaseAssignment, CounselingSession, FollowUp, Outcome, User
from ..models.cases import CaseQuerySet
from .common import days_until, deadline_context, form_errors_from, render_case_form


def today(request: HttpRequest) -> HttpResponse:
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
    for case in cases:
        case.next_deadline = clock.next_deadline(
            day, case.cooling_off_ends_on, case.certificate_window_ends_on
        )
        case.cooling_days_left = days_until(case.cooling_off_ends_on, day)
    cases.sort(key=lambda case: (case.next_deadline or date.max, case.number))
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
            "drafts": services.waiting_drafts(user),
            "today": day,
        },
    )


def _by_deadline(queryset: CaseQuerySet, deadline: str, day: date) -> CaseQuerySet:
    if deadline in ("7", "30"):
        return queryset.filter(
            cooling_off_ends_on__gte=day,
            cooling_off_ends_on__lte=day + timedelta(days=int(deadline)),
        )
    if deadline == "window":
        return queryset.filter(cooling_off_ends_on__lt=day, certificate_window_ends_on__gte=day)
    if deadline == "provisional":
        return queryset.filter(deadlines_provisional=True)
    return queryset


def _filtered_cases(
    request: HttpRequest, queryset: CaseQuerySet, *, counselors=None
) -> tuple[CaseFilterForm, CaseQuerySet]:
    form = CaseFilterForm(request.GET or None, counselors=counselors)
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
        queryset = _by_deadline(queryset, data.get("deadline") or "", timezone.localdate())
    active = CaseAssignment.objects.filter(ended_at__isnull=True).select_related("counselor")
    queryset = (
        queryset.select_related("office")
        .prefetch_related(
            Prefetch("assignments", queryset=active, to_attr="active_assignments"),
            Prefetch("outcomes", queryset=Outcome.objects.in_force(), to_attr="outcomes_in_force"),
        )
        .order_by("-status", "cooling_off_ends_on", "-opened_at")
        .distinct()
    )
    return form, queryset


def case_list(request: HttpRequest) -> HttpResponse:
    """My cases (a counsellor's assigned cases)."""
    access.require(request.user, "mediation.work_cases")
    form, cases = _filtered_cases(request, Case.objects.visible_to(request.user))
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/case_list.html",
        {"form": form, "page": page, "title": _("My cases"), "today": timezone.localdate()},
    )


def office_cases(request: HttpRequest) -> HttpResponse:
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
            "to_review": services.outcomes_to_review(Case.objects.visible_to(request.user)),
            "today": timezone.localdate(),
        },
    )


@sensitive_post_parameters()
def case_open(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "mediation.work_cases", "mediation.supervise_office")
    form = CaseOpenForm(
        request.POST or None,
        offices=access.offices_for(request.user),
        initial={"office": access.own_office(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(opened_by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
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
def case_detail(request: HttpRequest, case_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, request=request)
    parties = list(case.parties.prefetch_related("screens"))
    names = services.read_party_names(
        user=request.user, case=case, parties=parties, request=request
    )
    for party in parties:
        party.identity = names.get(party.pk)
        party.earlier_cases = services.earlier_cases_for(party)
        party.screened = bool(party.screens.all())
    outcomes = list(case.outcomes.select_related("recorded_by", "voided_by"))
    assignments = case.assignments.filter(ended_at__isnull=True).select_related("counselor")
    referrals = case.referrals.select_related("party")
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            "parties": parties,
            "sessions": case.sessions_with_note_metadata(),
            "outcomes": outcomes,
            "outcome": next((each for each in outcomes if not each.is_voided), None),
            "assignments": assignments,
            "referrals": referrals,
            "follow_ups": case.follow_ups.select_related("party"),
            "satisfaction": case.satisfaction.select_related("party"),
            "may_work": access.can(request.user, access.Action.WORK, case),
            "may_read_identity": access.can(request.user, access.Action.READ_IDENTITY, case),
            "attachments": services.attachments_of(case),
            "timeline": services.case_timeline(case),
            "may_manage": access.can(request.user, access.Action.MANAGE, case),
            "may_close": access.can(request.user, access.Action.CLOSE, case),
            "has_sealed_answers": any(p.screened for p in parties) or bool(referrals),
            **deadline_context(case),
        },
    )


def case_edit(request: HttpRequest, case_uuid) -> HttpResponse:
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
            form_errors_from(form, error)
        else:
            warning = services.rest_day_warning(form.cleaned_data["received_on"])
            if warning:
                messages.warning(request, warning)
            messages.success(request, _("The case is updated; its deadlines are recomputed."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(request, case, form, title=_("Edit the case"))


def _unassign(request: HttpRequest, case: Case) -> HttpResponse:
    form = UnassignForm(request.POST, assigned=User.objects.assigned_to(case))
    if not form.is_valid():
        for message in form.errors.get("unassign", []):
            messages.error(request, message)
        return redirect("mediation:case-assign", case_uuid=case.uuid)
    counselor = form.cleaned_data["unassign"]
    try:
        services.unassign_counselor(
            case=case, counselor=counselor, unassigned_by=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s no longer has this case.") % {"name": counselor.display_name}
        )
    return redirect("mediation:case-assign", case_uuid=case.uuid)


def case_assign(request: HttpRequest, case_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.MANAGE, request=request)
    if request.method == "POST" and request.POST.get("unassign"):
        return _unassign(request, case)
    form = AssignForm(request.POST or None, counselors=User.objects.counselors_of(case.office))
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_counselor(
                case=case,
                counselor=form.cleaned_data["counselor"],
                assigned_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The counsellor is assigned."))
            return redirect("mediation:case-assign", case_uuid=case.uuid)
    assignments = case.assignments.filter(ended_at__isnull=True).select_related("counselor")
    return render_case_form(
        request,
        case,
        form,
        title=_("Counsellors of this case"),
        submit=_("Assign"),
        template="mediation/case_assign.html",
        assignments=assignments,
    )
