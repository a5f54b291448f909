"""Consent pages: both parties on one page (agreements first, a yes or no per purpose, finger
signatures), withdrawal behind a confirmation, a signature's image, the printable consent form.
May import access, forms, models and services."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import access, services
from ..forms.consent import ConsentPageForm, decision_field, signature_field
from ..http import AuthenticatedHttpRequest
from ..models import ConsentRecord, ConsentSignature, Purpose
from .common import deadline_context, form_errors_from, party_of
from .documents import pdf_response


def _say_what_was_recorded(request: AuthenticatedHttpRequest, page: services.ConsentPage) -> None:
    if page.recorded:
        messages.success(request, _("Consent is recorded."))
    if page.repeats:
        first = min(record.recorded_at for record in page.repeats)
        messages.info(
            request,
            ngettext(
                "%(count)s answer had already been recorded at %(time)s: it is kept as it was, "
                "not recorded twice.",
                "%(count)s answers had already been recorded at %(time)s: they are kept as they "
                "were, not recorded twice.",
                len(page.repeats),
            )
            % {
                "count": len(page.repeats),
                "time": time_format(timezone.localtime(first), "H:i"),
            },
        )
    if page.signed:
        messages.success(request, _("The signature is kept, encrypted."))


@never_cache
@sensitive_post_parameters()
def case_consent(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """Consent for both parties on one page: the agreements first, then a yes or no for each
    purpose and party, then each party's finger signature."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    parties = list(case.parties.all())
    states = {party.pk: services.consent_states(party) for party in parties}
    form = ConsentPageForm(request.POST if request.method == "POST" else None, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.record_consents(
                case=case,
                decisions=form.decisions(),
                signatures=form.signatures(),
                recorded_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            _say_what_was_recorded(request, page)
            return redirect("mediation:case-consent", case_uuid=case.uuid)
    rows = [
        {
            "purpose": purpose,
            "cells": [
                {
                    "party": party,
                    "state": states[party.pk][index],
                    "field": form[decision_field(party, purpose)],
                }
                for party in parties
            ],
        }
        for index, purpose in enumerate(Purpose)
    ]
    history = (
        ConsentRecord.objects.filter(party__case=case)
        .select_related("party", "text", "recorded_by")
        .order_by("-recorded_at", "-pk")
    )
    return render(
        request,
        "mediation/case_consent.html",
        {
            "case": case,
            "form": form,
            "agreements": services.agreements_in_force(),
            "rows": rows,
            "signing": [
                {
                    "party": party,
                    "field": form[signature_field(party)],
                    "signatures": list(party.signatures.order_by("-signed_at")[:3]),
                }
                for party in parties
            ],
            "history": history,
            **deadline_context(case),
        },
    )


def consent_withdraw(
    request: AuthenticatedHttpRequest, case_uuid: UUID, position: int, purpose: str
) -> HttpResponse:
    """Withdrawing a consent, behind a page that lists everything it will stop."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    party = party_of(case, position)
    if purpose not in Purpose.values:
        raise Http404
    if request.method == "POST":
        try:
            record = services.record_consent(
                case=case,
                party=party,
                purpose=purpose,
                given=False,
                recorded_by=request.user,
                keep_data=request.POST.get("keep_data") == "1",
                request=request,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if record.repeat:
                messages.info(request, _("This consent had already been withdrawn."))
            else:
                messages.success(
                    request, _("The withdrawal is recorded; what it covered has stopped.")
                )
        return redirect("mediation:case-consent", case_uuid=case.uuid)
    return render(
        request,
        "mediation/consent_withdraw.html",
        {
            "case": case,
            "party": party,
            "purpose": Purpose(purpose),
            "given": getattr(party, services.CONSENT_FLAGS[purpose]),
            "effects": services.withdrawal_effects(party=party, purpose=purpose),
            "erasure_due_on": services.erasure_due(timezone.now()),
            **deadline_context(case),
        },
    )


@never_cache
def signature_image(
    request: AuthenticatedHttpRequest, case_uuid: UUID, signature_uuid: UUID
) -> HttpResponse:
    """A finger signature's image, for those who may see the party's identity; each view is an
    audit event, and nothing is cached."""
    case = access.case_for(
        request.user, case_uuid, action=access.Action.READ_IDENTITY, request=request
    )
    signature = get_object_or_404(
        ConsentSignature.objects.select_related("party__case"),
        uuid=signature_uuid,
        party__case=case,
    )
    opened, png = services.read_signature(user=request.user, signature=signature, request=request)
    if not opened.ok:
        return HttpResponse(opened.error, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def consent_print(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """The consent form as a PDF, to print and sign by hand."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    return pdf_response(services.consent_form(case=case, user=request.user, request=request))
