"""Printed case documents, served as PDFs that no cache keeps. May import access and services."""

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from .. import access, services
from ..http import AuthenticatedHttpRequest
from ..services.documents import Document


def pdf_response(document: Document) -> HttpResponse:
    """The PDF inline (the browser's viewer prints it), never stored by a cache."""
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, document.filename) or "inline"
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def record_form_print(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """The MZ/T 084 record form of the case."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    return pdf_response(services.record_form(case=case, user=request.user, request=request))


@never_cache
def case_summary_print(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """The one-page summary for the counsellor."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    return pdf_response(services.case_summary(case=case, user=request.user, request=request))


@never_cache
def referral_letter_print(
    request: AuthenticatedHttpRequest, case_uuid: UUID, referral_id: int
) -> HttpResponse:
    """The referral letter of one referral, with only what the party agreed to share."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    referral = get_object_or_404(case.referrals.select_related("party", "case"), pk=referral_id)
    referral.case = case
    return pdf_response(
        services.referral_letter(referral=referral, user=request.user, request=request)
    )
