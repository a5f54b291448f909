"""The privacy pages: a supervisor handles a person's requests and legal holds; the security
administrator sees the retention periods and keeps the register and the impact assessment.
Thin: reach, form, service, response. May import access, forms, models and services."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms.privacy import (
    CorrectionForm,
    DeletionForm,
    HoldForm,
    PersonFindForm,
    PrivacyDocumentForm,
)
from ..http import AuthenticatedHttpRequest
from ..models import Party, PrivacyDocument
from ..services import erasure, person_requests, retention
from ..services import privacy_register as register
from .common import form_errors_from, render_case_form


@never_cache
@sensitive_post_parameters("id_number")
def person_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find a person by ID number across the supervisor's offices; the number is posted."""
    access.require(request.user, "mediation.supervise_office")
    form = PersonFindForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = person_requests.find_person(
                user=request.user, id_number=form.cleaned_data["id_number"], request=request
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            form = PersonFindForm()  # the number is not echoed back into the page
    return render(request, "mediation/privacy/person_find.html", {"form": form, "found": found})


def _person_page(request: AuthenticatedHttpRequest, party: Party, **forms: object) -> HttpResponse:
    identity = None
    if not party.is_erased:
        identity = services.read_party_identity(
            user=request.user, party=party, request=request, fields=("name",)
        )
    return render(
        request,
        "mediation/privacy/person_detail.html",
        {
            "party": party,
            "case": party.case,
            "identity": identity,
            "hold": erasure.hold_in_force(party.case),
            "requests": party.requests.select_related("handled_by"),
            "corrections": party.corrections.select_related("corrected_by"),
            "correction_form": forms.get("correction_form") or CorrectionForm(),
            "deletion_form": forms.get("deletion_form") or DeletionForm(),
        },
    )


@never_cache
def person_detail(request: AuthenticatedHttpRequest, party_uuid: UUID) -> HttpResponse:
    party = person_requests.party_for(request.user, party_uuid)
    return _person_page(request, party)


@never_cache
@require_POST
def person_copy(request: AuthenticatedHttpRequest, party_uuid: UUID) -> HttpResponse:
    """The person's copy as a download (JSON or PDF), never kept by a cache."""
    party = person_requests.party_for(request.user, party_uuid)
    fmt = "json" if request.POST.get("format") == "json" else "pdf"
    try:
        name, content = person_requests.person_copy(
            party=party, user=request.user, fmt=fmt, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mediation:person-detail", party_uuid=party.uuid)
    content_type = "application/json" if fmt == "json" else "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@sensitive_post_parameters("value")
@require_POST
def person_correct(request: AuthenticatedHttpRequest, party_uuid: UUID) -> HttpResponse:
    party = person_requests.party_for(request.user, party_uuid)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            person_requests.correct_identity(
                party=party, corrected_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The identity is corrected; the old value is kept sealed."))
            return redirect("mediation:person-detail", party_uuid=party.uuid)
    return _person_page(request, party, correction_form=form)


@never_cache
@require_POST
def person_delete(request: AuthenticatedHttpRequest, party_uuid: UUID) -> HttpResponse:
    party = person_requests.party_for(request.user, party_uuid)
    form = DeletionForm(request.POST)
    if form.is_valid():
        try:
            handled = person_requests.handle_deletion_request(
                party=party, handled_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if handled.status == handled.Status.DONE:
                messages.success(request, _("The person's personal data is deleted."))
            else:
                messages.warning(
                    request,
                    _("The deletion request is recorded and waits: %(why)s")
                    % {"why": handled.get_deferral_display()},
                )
            return redirect("mediation:person-detail", party_uuid=party.uuid)
    return _person_page(request, party, deletion_form=form)


def case_hold(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """Set or lift the legal hold of a case (its office's supervisor)."""
    case = access.case_for(request.user, case_uuid, action=access.Action.MANAGE, request=request)
    hold = erasure.hold_in_force(case)
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if hold is None:
                erasure.set_legal_hold(
                    case=case,
                    reason=form.cleaned_data["reason"],
                    set_by=request.user,
                    request=request,
                )
            else:
                erasure.lift_legal_hold(
                    case=case,
                    reason=form.cleaned_data["reason"],
                    lifted_by=request.user,
                    request=request,
                )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("The legal hold is set.") if hold is None else _("The legal hold is lifted."),
            )
            return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Set a legal hold") if hold is None else _("Lift the legal hold"),
        intro=_(
            "A case under a legal hold is skipped by the retention purge and by deletion "
            "requests until the hold is lifted."
        ),
        submit=_("Set the hold") if hold is None else _("Lift the hold"),
        template="mediation/privacy/case_hold.html",
        hold=hold,
    )


def privacy_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The security administrator's page: retention periods, the register and the assessment."""
    access.require(request.user, "mediation.keep_privacy_register")
    documents = []
    for kind, label in PrivacyDocument.Kind.choices:
        document = register.current(kind)
        documents.append({"kind": kind, "label": label, "document": document})
    days = retention.retention_days()
    return render(
        request,
        "mediation/privacy/register.html",
        {
            "documents": documents,
            "retention": [
                (label, days[name], settings.RETENTION_DEFAULT_DAYS[name])
                for name, label in retention.RECORD_CLASSES.items()
            ],
            "grace_days": settings.TONGXIN_ERASURE_GRACE_DAYS,
        },
    )


def privacy_document_edit(request: AuthenticatedHttpRequest, document: str) -> HttpResponse:
    access.require(request.user, "mediation.keep_privacy_register")
    kind = document
    if kind not in PrivacyDocument.Kind.values:
        raise Http404
    current = register.current(kind)
    initial = current.body if current else register.draft(kind)
    form = PrivacyDocumentForm(request.POST or None, initial={"body": initial})
    if request.method == "POST" and form.is_valid():
        try:
            register.save_privacy_document(
                kind=kind, body=form.cleaned_data["body"], saved_by=request.user, request=request
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("A new version is saved."))
            return redirect("mediation:privacy-register")
    return render(
        request,
        "mediation/privacy/document_form.html",
        {"form": form, "label": PrivacyDocument.Kind(kind).label, "document": current},
    )
