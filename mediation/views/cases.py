"""Case pages: case lists, opening, the case page, editing, assigning.
May import access, forms, models, selectors and services; every case is reached through access."""

from datetime import date, timedelta
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from .. import access, selectors, services
from ..forms import (
    AssignForm,
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    CaseSearchForm,
    UnassignForm,
)
from ..http import AuthenticatedHttpRequest
from ..models import Case, CaseAssignment, Outcome, User
from ..models.cases import CaseQuerySet
from .common import deadline_context, form_errors_from, render_case_form

CASES_PER_PAGE = 25


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
    request: AuthenticatedHttpRequest,
    queryset: CaseQuerySet,
    *,
    counselors: QuerySet[User] | None = None,
) -> tuple[CaseFilterForm, CaseQuerySet | selectors.OpenFirst]:
    """The list's filters, from its URL: open cases unless another status is asked for."""
    day = timezone.localdate()
    # A page link carries only the filters in the address: no status there means open cases.
    asked = request.GET.copy()
    asked.setdefault("status", Case.Status.OPEN)
    form = CaseFilterForm(asked, counselors=counselors)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status") in Case.Status.values:
            queryset = queryset.filter(status=data["status"])
        if data.get("counselor"):
            # A subquery, not a join: no duplicate rows, so no DISTINCT over every column.
            queryset = queryset.filter(
                pk__in=CaseAssignment.objects.filter(
                    counselor=data["counselor"], ended_at__isnull=True
                ).values("case_id")
            )
        if data.get("port"):
            queryset = queryset.filter(port=data["port"])
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        queryset = _by_deadline(queryset, data.get("deadline") or "", day)
    active = CaseAssignment.objects.filter(ended_at__isnull=True).select_related("counselor")
    queryset = queryset.select_related("office").prefetch_related(
        Prefetch("assignments", queryset=active, to_attr="active_assignments"),
        Prefetch("outcomes", queryset=Outcome.objects.in_force(), to_attr="outcomes_in_force"),
    )
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    return form, selectors.in_list_order(queryset, day, status or "")


def _case_page(
    request: AuthenticatedHttpRequest,
    cases: CaseQuerySet | selectors.OpenFirst,
    form: CaseFilterForm,
    **context: object,
) -> HttpResponse:
    """A numbered page of a case list, with the parties' masked names (one audited read)."""
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    names = services.read_masked_names(user=request.user, cases=list(page), request=request)
    return render(
        request,
        "mediation/case_list.html",
        {
            "form": form,
            "page": page,
            "names": names,
            "search_form": CaseSearchForm(),
            "today": timezone.localdate(),
            **context,
        },
    )


@never_cache
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My cases (a counsellor's assigned cases)."""
    access.require(request.user, "mediation.work_cases")
    form, cases = _filtered_cases(request, Case.objects.visible_to(request.user))
    return _case_page(request, cases, form, title=_("My cases"))


@never_cache
def office_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every case of the supervisor's offices, with filters and assignment."""
    access.require(request.user, "mediation.supervise_office")
    offices = access.offices_for(request.user)
    counselors = User.objects.counselors_of(offices)
    # visible_to decides; naming the offices as values as well lets PostgreSQL read one
    # office's cases in list order from case_office_list_idx (it cannot through a subquery).
    office_ids = list(offices.values_list("pk", flat=True))
    form, cases = _filtered_cases(
        request,
        Case.objects.visible_to(request.user).filter(office__in=office_ids),
        counselors=counselors,
    )
    return _case_page(
        request,
        cases,
        form,
        title=_("Office cases"),
        supervising=True,
        to_review=services.outcomes_to_review(Case.objects.visible_to(request.user)),
    )


@never_cache
@sensitive_variables("form")
@sensitive_post_parameters("q")
def case_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find a case by number, party name or ID number among the cases the user may see. The
    words are posted and the answer rendered in place (never redirected), so they stay out of
    URLs, logs and Location headers."""
    access.require(request.user, "mediation.work_cases", "mediation.supervise_office")
    form = CaseSearchForm(request.POST if request.method == "POST" else None)
    result = None
    names: dict[int, str] = {}
    if form.is_valid():
        result = services.search_cases(
            user=request.user, text=form.cleaned_data["q"], request=request
        )
        names = services.read_masked_names(user=request.user, cases=result.cases, request=request)
    return render(
        request,
        "mediation/case_search.html",
        {"search_form": form, "result": result, "names": names, "today": timezone.localdate()},
    )


@sensitive_post_parameters()
def case_open(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def case_detail(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, request=request)
    parties = list(case.parties.prefetch_related("screens"))
    names = services.read_party_names(
        user=request.user, case=case, parties=parties, request=request
    )
    party_rows = [
        (party, names.get(party.pk), services.earlier_cases_for(party), bool(party.screens.all()))
        for party in parties
    ]
    outcomes = list(case.outcomes.select_related("recorded_by", "voided_by"))
    assignments = case.assignments.filter(ended_at__isnull=True).select_related("counselor")
    referrals = case.referrals.select_related("party")
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            "party_rows": party_rows,
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
            "has_sealed_answers": any(row[3] for row in party_rows) or bool(referrals),
            "hold": services.hold_in_force(case),
            **deadline_context(case),
        },
    )


def case_edit(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
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


def _unassign(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    form = UnassignForm(request.POST, assigned=User.objects.assigned_to(case))
    if not form.is_valid():
        for message in form.errors.get("unassign", []):
            messages.error(request, str(message))
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


def case_assign(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.MANAGE, request=request)
    if request.method == "POST" and request.POST.get("unassign"):
        return _unassign(request, case)
    counselors = selectors.with_open_cases(User.objects.counselors_of(case.office), case.office)
    form = AssignForm(request.POST or None, counselors=counselors)
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
        counselors=counselors,
    )
