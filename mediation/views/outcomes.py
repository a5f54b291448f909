"""After the sessions: the counselling result, the registry outcome, closing a case, referrals,
follow-up calls and satisfaction. May import access, forms, models and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import FollowUpForm, OutcomeForm, ReferralForm, ResultForm, SatisfactionForm
from .common import form_errors_from, render_case_form


def case_result(request: HttpRequest, case_uuid) -> HttpResponse:
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


def case_outcome(request: HttpRequest, case_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    form = OutcomeForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.close_case(
                case=case, recorded_by=request.user, request=request, **form.cleaned_data
            )
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
        intro=_(
            "What happened to the application. 'Lapsed' (not coming for the certificate) "
            "is not a reconciliation."
        ),
    )


@require_POST
def case_finish(request: HttpRequest, case_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.CLOSE, request=request)
    try:
        services.finish_case(case=case, closed_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is closed."))
    return redirect("mediation:case-detail", case_uuid=case.uuid)


@sensitive_post_parameters()
def referral_new(request: HttpRequest, case_uuid) -> HttpResponse:
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


def follow_up_record(request: HttpRequest, case_uuid, follow_up_id: int) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    follow_up = get_object_or_404(case.follow_ups.select_related("party"), pk=follow_up_id)
    form = FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
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
    )


def satisfaction_new(request: HttpRequest, case_uuid) -> HttpResponse:
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
