"""Party pages: the record form, the safety screen, and the sealed answers (screening answers
and referral reasons); consent has its own page (views/consent.py). May import access, forms,
models and services."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import access, services
from ..forms import PartyForm, ScreenForm
from ..http import AuthenticatedHttpRequest
from .common import deadline_context, form_errors_from, party_of, render_case_form


@never_cache
@sensitive_post_parameters()
def party_edit(request: AuthenticatedHttpRequest, case_uuid: UUID, position: int) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = party_of(case, position)
    if not party.consent_counselling:
        messages.warning(
            request, _("Record this party's consent to counselling before their details.")
        )
        return redirect("mediation:case-consent", case_uuid=case.uuid)
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
            form_errors_from(form, error)
        else:
            messages.success(request, _("%(party)s is saved.") % {"party": party.label})
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("%(party)s: record form") % {"party": party.label},
        intro=_("Names, ID numbers, phones and addresses are stored encrypted."),
        disabled=not opened.ok,
    )


@sensitive_post_parameters()
def party_screen(request: AuthenticatedHttpRequest, case_uuid: UUID, position: int) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = party_of(case, position)
    form = ScreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screen = services.screen_party(
                party=party, answers=form.answers(), screened_by=request.user, request=request
            )
        except ValidationError as error:
            form_errors_from(form, error)
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
                url = reverse("mediation:referral-new", kwargs={"case_uuid": case.uuid})
                return redirect(f"{url}?party={party.position}")
            messages.success(request, _("The screen is recorded (negative)."))
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("%(party)s: safety screen") % {"party": party.label},
        intro=_("Ask these questions with this party alone, never in front of the other party."),
    )


@never_cache
def sealed_answers(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """The screening answers (the case's counsellors only) and referral reasons, opened on
    request: each opening is an audit event."""
    case = access.case_for(request.user, case_uuid, request=request)
    opened = services.read_sealed_answers(user=request.user, case=case, request=request)
    labels = ScreenForm.question_labels()
    screens = [
        {
            "screen": screen,
            "opened": answers,
            "answers": [
                (label, answers.answers[q]) for q, label in labels.items() if q in answers.answers
            ]
            if answers is not None and answers.kept
            else [],
        }
        for screen, answers in opened.screens
    ]
    return render(
        request,
        "mediation/sealed_answers.html",
        {
            "case": case,
            "may_read_screens": opened.may_read_screens,
            "screens": screens,
            "referrals": opened.referrals,
            **deadline_context(case),
        },
    )
