"""After the sessions: the counselling result, the registry outcome, closing a case, referrals,
follow-up calls and satisfaction. May import access, forms, models and services."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import access, clock, services
from ..forms import FollowUpForm, OutcomeForm, ReferralForm, ResultForm, SatisfactionForm
from ..forms.outcomes import VoidOutcomeForm
from ..http import AuthenticatedHttpRequest
from ..models import Case, OutcomeKind
from .common import deadline_context, form_errors_from, render_case_form


def case_result(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
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
            form_errors_from(form, error)
        else:
            messages.success(request, _("The counselling result is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Counselling result"),
        intro=_(
            "The counsellor's record at the end of counselling (MZ/T 084). "
            "It is not the registry outcome."
        ),
    )


def case_outcome(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """The registry outcome in two steps: the form, then a confirmation page saying what closing
    will do; nothing is saved before the confirmation."""
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    form = OutcomeForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        data = form.cleaned_data
        try:
            if request.POST.get("confirmed") == "1":
                services.close_case(
                    case=case,
                    recorded_by=request.user,
                    provisional_confirmed=True,
                    request=request,
                    **data,
                )
            else:
                services.check_outcome(case=case, **data)
                return _confirm_outcome(request, case, form)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The registry outcome is recorded and the case is closed."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Registry outcome"),
        submit=_("Next step"),
        intro=_(
            "What happened to the application. 'Lapsed' (not coming for the certificate) is "
            "recorded by the clock once the certificate window is over; it is not a "
            "reconciliation."
        ),
    )


def _confirm_outcome(
    request: AuthenticatedHttpRequest, case: Case, form: OutcomeForm
) -> HttpResponse:
    data = form.cleaned_data
    deadlines = services.deadlines_of(case)
    return render(
        request,
        "mediation/outcome_confirm.html",
        {
            "case": case,
            "kind_label": OutcomeKind(data["kind"]).label,
            "kind": data["kind"],
            "decided_on": data["decided_on"],
            "window": clock.window_for(data["kind"], deadlines) if deadlines else None,
            "effects": services.closing_effects(case=case, **data),
            **deadline_context(case),
        },
    )


def outcome_void(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """A supervisor voids the outcome in force, with a reason; the case reopens."""
    case = access.case_for(request.user, case_uuid, action=access.Action.MANAGE, request=request)
    outcome = case.outcome
    if outcome is None:
        raise Http404
    form = VoidOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.void_outcome(
                outcome=outcome,
                reason=form.cleaned_data["reason"],
                voided_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("The outcome is voided and the case is open again. Record the right outcome."),
            )
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Void the registry outcome"),
        submit=_("Void the outcome"),
        template="mediation/outcome_void.html",
        outcome=outcome,
    )


@require_POST
def case_finish(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    try:
        services.finish_case(case=case, closed_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is closed."))
    return redirect("mediation:case-detail", case_uuid=case.uuid)


@sensitive_post_parameters()
def referral_new(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    screened = request.GET.get("party", "")
    form = ReferralForm(
        request.POST or None,
        case=case,
        initial={
            "referred_on": timezone.localdate(),
            # After a positive screen the referral is for the party who was screened.
            "party": screened if screened in {str(p.position) for p in case.parties.all()} else "",
        },
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
            form_errors_from(form, error)
        else:
            messages.success(request, _("The referral is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Referral"),
        template="mediation/referral_form.html",
    )


def follow_up_record(
    request: AuthenticatedHttpRequest, case_uuid: UUID, follow_up_id: int
) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    follow_up = get_object_or_404(case.follow_ups.select_related("party"), pk=follow_up_id)
    form = FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    contact = None
    if request.method == "GET" and services.may_contact(follow_up.party):
        contact = services.read_party_identity(
            user=request.user, party=follow_up.party, request=request, fields=("name", "phone")
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_follow_up(
                follow_up=follow_up, recorded_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Follow-up %(months)s months after the reconciliation")
        % {"months": follow_up.months},
        template="mediation/follow_up_form.html",
        follow_up=follow_up,
        contact=contact,
        may_contact=services.may_contact(follow_up.party),
    )


def satisfaction_new(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
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
            form_errors_from(form, error)
        else:
            messages.success(request, _("Thank you: the satisfaction answer is recorded."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(request, case, form, title=_("Satisfaction"))
