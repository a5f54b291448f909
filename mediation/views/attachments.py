"""Attachments of a case: attaching a scan (kept in memory, never on disk in the clear) and
downloading it (no cache keeps it; each download is recorded). May import access, forms,
models, services and uploads."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .. import access, services
from ..filetypes import EXTENSIONS
from ..forms.attachments import AttachmentForm
from ..http import AuthenticatedHttpRequest
from ..models import Attachment
from ..services.attachments import MAX_BYTES, too_large_message
from ..uploads import SealedUploadHandler
from .common import form_errors_from, render_case_form

# The file plus the form's few fields and the multipart boundaries.
REQUEST_ALLOWANCE = 64 * 1024


@csrf_exempt
def attachment_new(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
    """The upload handler must be in place before anything reads the body, and the CSRF check
    reads it: so the check is made inside (Django's documented pattern for upload handlers)."""
    handler = SealedUploadHandler(request, limit=MAX_BYTES)
    request.upload_handlers = [handler]
    return _attachment_new(request, case_uuid, handler)


@csrf_protect
def _attachment_new(
    request: AuthenticatedHttpRequest, case_uuid: UUID, handler: SealedUploadHandler
) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        case=case,
    )
    if request.method == "POST":
        if handler.too_big or int(request.META.get("CONTENT_LENGTH") or 0) > (
            MAX_BYTES + REQUEST_ALLOWANCE
        ):
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", too_large_message())
        elif form.is_valid():
            data = form.cleaned_data
            party = case.parties.filter(position=data["party"]).first() if data["party"] else None
            upload = data["file"]
            try:
                services.attach_file(
                    case=case,
                    data=upload.read(),
                    filename=upload.name or "",
                    kind=data["kind"],
                    party=party,
                    uploaded_by=request.user,
                    request=request,
                )
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("The document is attached, encrypted."))
                return redirect("mediation:case-detail", case_uuid=case.uuid)
    return render_case_form(
        request,
        case,
        form,
        title=_("Attach a document"),
        intro=_(
            "A scan of a signed paper form or a reply to a referral. Only the people who may "
            "see this case can open it, and every opening is recorded."
        ),
        submit=_("Attach"),
        multipart=True,
    )


@never_cache
def attachment_download(
    request: AuthenticatedHttpRequest, case_uuid: UUID, attachment_uuid: UUID
) -> HttpResponse:
    case = access.case_for(
        request.user, case_uuid, action=access.Action.READ_IDENTITY, request=request
    )
    attachment = get_object_or_404(
        Attachment.objects.select_related("case"), uuid=attachment_uuid, case=case
    )
    opened, data = services.read_attachment(
        user=request.user, attachment=attachment, request=request
    )
    if not opened.ok:
        return HttpResponse(opened.error, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=attachment.content_type)
    filename = f"{case.number}-{attachment.kind}.{EXTENSIONS[attachment.content_type]}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
