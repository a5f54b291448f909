"""Writing session notes: the form in the record form's sections, with its autosaved draft
(restored after an idle sign-out), signing, and addenda. May import access, forms, models and
services."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms.notes import AddendumForm, NoteForm
from ..http import AuthenticatedHttpRequest
from ..models import CounselingSession, SessionNote
from ..models.notes import NOTE_SECTIONS
from .common import deadline_context, form_errors_from
from .sessions import session_page


@sensitive_variables("initial", "opened", "restored")
def _note_form(
    request: AuthenticatedHttpRequest, session: CounselingSession, note: SessionNote | None
) -> tuple[NoteForm, bool]:
    """The note form, filled with the author's note, or with their autosaved draft when that is
    newer (said in a message); disabled (with the reason said) when the sealed text does not
    open, so nothing is saved over it."""
    initial: dict[str, object] = {"version": note.version if note else 0}
    disabled = False
    if note is not None:
        opened = services.read_note(user=request.user, note=note, request=request)
        if opened.ok:
            initial.update(opened.values)
        else:
            disabled = True
            messages.error(request, opened.error)
    draft = services.draft_for(session, request.user)
    newer = draft is not None and (note is None or draft.saved_at >= note.updated_at)
    if request.method == "GET" and not disabled and draft is not None and newer:
        restored = services.read_draft(user=request.user, draft=draft, request=request)
        if restored.ok:
            initial.update(restored.values)
            initial["version"] = draft.base_version
            messages.info(
                request,
                _("The text saved automatically at %(time)s is back in the form.")
                % {"time": time_format(timezone.localtime(draft.saved_at), "H:i")},
            )
    form = NoteForm(request.POST or None, initial=initial)
    if disabled:
        for field_name in form.fields:
            form.fields[field_name].disabled = True
    return form, disabled


@never_cache
@sensitive_post_parameters()
def note_edit(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = session.notes.filter(author=request.user).first()
    if note is not None and note.status == SessionNote.Status.SIGNED:
        return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)
    form, disabled = _note_form(request, session, note)
    if not disabled and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_note(
                session=session,
                author=request.user,
                expected_version=data["version"],
                request=request,
                **{name: data[name] for name in NOTE_SECTIONS},
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The note is saved (draft). Sign it when it is complete."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return render(
        request,
        "mediation/note_form.html",
        {
            "case": case,
            "session": session,
            "form": form,
            "disabled": disabled,
            "max_request_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            **deadline_context(case),
        },
    )


@never_cache
@require_POST
@sensitive_post_parameters()
def note_autosave(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
    """The autosave (htmx, every 30 seconds and on leaving a field, only when something
    changed): keeps the typed sections as a sealed draft and answers with the status line."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    try:
        base_version = int(request.POST.get("version") or 0)
    except ValueError:
        base_version = 0
    try:
        draft = services.save_draft(
            session=session,
            author=request.user,
            sections={name: request.POST.get(name, "") for name in NOTE_SECTIONS},
            base_version=base_version,
            request=request,
        )
    except ValidationError as error:
        status = _("Not saved automatically: %(reason)s") % {"reason": " ".join(error.messages)}
        return render(request, "mediation/_autosave_status.html", {"status": status, "ok": False})
    status = (
        _("Saved automatically %(time)s")
        % {"time": time_format(timezone.localtime(draft.saved_at), "H:i")}
        if draft is not None
        else ""
    )
    return render(request, "mediation/_autosave_status.html", {"status": status, "ok": True})


@require_POST
def note_sign(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = get_object_or_404(session.notes, author=request.user)
    try:
        services.sign_note(note=note, signed_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The note is signed and locked."))
    return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)


@require_POST
@sensitive_post_parameters()
def note_addendum(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID, note_uuid: UUID
) -> HttpResponse:
    """An addendum to a signed note; refused ones come back on the session page with the text."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(
        case.sessions.select_related("lead_counselor", "party", "cancelled_by"), uuid=session_uuid
    )
    note = get_object_or_404(session.notes, uuid=note_uuid)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.add_addendum(
                note=note, author=request.user, body=form.cleaned_data["body"], request=request
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The addendum is added."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return session_page(request, case, session, addendum_form=form, addendum_for=note)
