"""The registry's events in the mediation room: a supervisor uploads the registry's file (a
preview first), settles what waits on their list; the counsellor on duty works the walk-in
queue. May import access, forms, models and services; every office is reached through access."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import access
from ..forms_registry import RegistryUploadForm, ResolveEventForm, WalkInForm
from ..http import AuthenticatedHttpRequest
from ..models import RegistryApplication, RegistryEvent, RegistryUpload, WalkInAnswer
from ..services import registry_uploads, walk_ins
from ..services.registry_messages import reason_message
from ..services.registry_review import resolve_event
from .common import form_errors_from

SUPERVISE = "mediation.supervise_office"
WORK = "mediation.work_cases"


@never_cache
def registry_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload the registry's file; the preview lists every row with what it will do."""
    access.require(request.user, SUPERVISE)
    offices = access.offices_for(request.user)
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = registry_uploads.preview_upload(
            filename=upload.name,
            content=upload.read(),
            offices=offices,
            uploaded_by=request.user,
            request=request,
        )
        if preview.file_error:
            form.add_error("file", preview.file_error)
            preview = None
    return render(
        request,
        "mediation/registry_upload.html",
        {"form": form, "preview": preview, "offices": offices},
    )


def _own_upload(request: AuthenticatedHttpRequest, upload_uuid: UUID) -> RegistryUpload:
    upload = RegistryUpload.objects.filter(uuid=upload_uuid, uploaded_by=request.user).first()
    if upload is None:
        raise Http404
    return upload


@require_POST
def registry_import(request: AuthenticatedHttpRequest, upload_uuid: UUID) -> HttpResponse:
    access.require(request.user, SUPERVISE)
    upload = _own_upload(request, upload_uuid)
    try:
        summary = registry_uploads.import_upload(
            upload=upload,
            offices=access.offices_for(request.user),
            imported_by=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mediation:registry-upload")
    return render(
        request, "mediation/registry_imported.html", {"summary": summary, "upload": upload}
    )


@require_POST
def registry_discard(request: AuthenticatedHttpRequest, upload_uuid: UUID) -> HttpResponse:
    access.require(request.user, SUPERVISE)
    upload = _own_upload(request, upload_uuid)
    try:
        registry_uploads.discard_upload(upload=upload, discarded_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The file was discarded; nothing of it was stored."))
    return redirect("mediation:registry-upload")


def registry_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's list: events held outside their window or at odds with a case."""
    access.require(request.user, SUPERVISE)
    offices = access.offices_for(request.user)
    events = (
        RegistryEvent.objects.filter(office__in=offices, status=RegistryEvent.Status.REVIEW)
        .select_related("application__case", "office")
        .order_by("created_at")
    )
    waiting = [(event, reason_message(event.reason, event.details)) for event in events]
    resolved = (
        RegistryEvent.objects.filter(office__in=offices, status=RegistryEvent.Status.RESOLVED)
        .select_related("application__case", "resolved_by")
        .order_by("-resolved_at")[:20]
    )
    return render(
        request,
        "mediation/registry_review.html",
        {"waiting": waiting, "resolved": resolved, "form": ResolveEventForm()},
    )


@require_POST
def registry_resolve(request: AuthenticatedHttpRequest, event_uuid: UUID) -> HttpResponse:
    access.require(request.user, SUPERVISE)
    event = RegistryEvent.objects.filter(
        uuid=event_uuid, office__in=access.offices_for(request.user)
    ).first()
    if event is None:
        raise Http404
    form = ResolveEventForm(request.POST)
    if form.is_valid():
        try:
            resolve_event(
                event=event, resolved_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Resolved."))
            return redirect("mediation:registry-review")
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("mediation:registry-review")


def walk_in_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today's and yesterday's applications at one of the user's offices, with the offer."""
    access.require(request.user, WORK, SUPERVISE)
    offices = list(access.offices_for(request.user).order_by("code"))
    if not offices:
        raise Http404
    code = request.GET.get("office") or next(
        (o.code for o in offices if walk_ins.walk_in_queue(o).exists()), offices[0].code
    )
    office = access.office_for(request.user, code)
    return render(
        request,
        "mediation/walk_ins.html",
        {
            "office": office,
            "offices": offices,
            "applications": walk_ins.walk_in_queue(office),
            "answers": WalkInAnswer,
            "today": timezone.localdate(),
        },
    )


@require_POST
def walk_in_record(request: AuthenticatedHttpRequest, application_uuid: UUID) -> HttpResponse:
    access.require(request.user, WORK, SUPERVISE)
    application = RegistryApplication.objects.filter(
        uuid=application_uuid, office__in=access.offices_for(request.user)
    ).first()
    if application is None:
        raise Http404
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an answer."))
    else:
        try:
            walk_ins.record_walk_in(
                application=application,
                answer=form.cleaned_data["answer"],
                recorded_by=request.user,
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if form.cleaned_data["answer"] == WalkInAnswer.ACCEPTED and access.can(
                request.user, access.Action.WORK, application.case
            ):
                messages.success(
                    request, _("Accepted. Record each party's consent before anything else.")
                )
                return redirect("mediation:case-consent", case_uuid=application.case.uuid)
            messages.success(request, _("Recorded."))
    return redirect(f"{reverse('mediation:walk-ins')}?office={application.office.code}")
