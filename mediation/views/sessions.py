"""Session pages: recording a past session, the session page with its notes, holding and
cancelling, writing, signing and adding to notes. May import access, forms, models, services."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import AddendumForm, NoteForm, SessionBookForm, SessionCancelForm, SessionHoldForm
from ..models import CounselingSession, SessionNote, User
from .common import deadline_context, form_errors_from, render_case_form


def _on_the_form(error: ValidationError) -> ValidationError:
    """The service speaks of `starts_at`; the form has a day and a time."""
    if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
        codes = {each.code for each in error.error_dict["starts_at"]}
        field = "day" if codes == {"future"} else "time"
        return ValidationError({field: error.error_dict["starts_at"]})
    return error


def session_book(request: HttpRequest, case_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    form = SessionBookForm(
        request.POST or None,
        case=case,
        counselors=User.objects.assigned_to(case),
        initial={
            "kind": CounselingSession.Kind.JOINT
            if not case.joint_sessions_blocked
            else CounselingSession.Kind.INDIVIDUAL,
            "lead_counselor": request.user,
            "day": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party = case.parties.filter(position=data["party"]).first() if data.get("party") else None
        try:
            session = services.record_past_session(
                case=case,
                kind=data["kind"],
                party=party,
                starts_at=timezone.make_aware(datetime.combine(data["day"], data["time"])),
                duration_minutes=data["duration_minutes"],
                room=data["room"],
                lead_counselor=data["lead_counselor"],
                booked_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, _on_the_form(error))
        else:
            messages.success(request, _("The session is recorded."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    intro = (
        _("Joint sessions are blocked in this case after a positive safety screen.")
        if case.joint_sessions_blocked
        else ""
    )
    intro = intro or _(
        "For a session that took place outside a booked duty slot (for example a walk-in). "
        "Sessions to come are booked into the duty roster."
    )
    return render_case_form(request, case, form, title=_("Record a past session"), intro=intro)


@never_cache
def session_detail(request: HttpRequest, case_uuid, session_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, request=request)
    session = get_object_or_404(
        case.sessions.select_related("lead_counselor", "party"), uuid=session_uuid
    )
    notes = services.read_session_notes(user=request.user, session=session, request=request)
    hold_form = SessionHoldForm(
        initial={"services": session.services, "duration_minutes": session.duration_minutes}
    )
    return render(
        request,
        "mediation/session_detail.html",
        {
            "case": case,
            "session": session,
            "notes": notes,
            "may_work": access.can(request.user, access.Action.WORK, case),
            "hold_form": hold_form,
            "my_note": next((n for n, _opened in notes if n.author_id == request.user.pk), None),
            "addendum_form": AddendumForm(),
            **deadline_context(case),
        },
    )


def session_hold(request: HttpRequest, case_uuid, session_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    form = SessionHoldForm(
        request.POST or None, initial={"duration_minutes": session.duration_minutes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hold_session(
                session=session,
                services=form.cleaned_data["services"],
                held_by=request.user,
                duration_minutes=form.cleaned_data["duration_minutes"],
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The session is recorded as held."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return render_case_form(request, case, form, title=_("Record the session as held"))


@require_POST
def session_cancel(request: HttpRequest, case_uuid, session_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    form = SessionCancelForm(request.POST)
    form.is_valid()
    try:
        services.cancel_session(
            session=session,
            cancelled_by=request.user,
            no_show=form.cleaned_data.get("no_show", False),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)


@sensitive_variables("initial", "opened")
def _note_form(request: HttpRequest, note: SessionNote | None) -> tuple[NoteForm, bool]:
    """The note form, filled with the author's draft; disabled (with the reason said) when the
    draft's sealed text does not open, so nothing is saved over it."""
    initial, disabled = {"version": note.version if note else 0}, False
    if note is not None:
        opened = services.read_note(user=request.user, note=note, request=request)
        if opened.ok:
            initial.update(body=opened.values["body"], assessment=opened.values["assessment"])
        else:
            disabled = True
            messages.error(request, opened.error)
    form = NoteForm(request.POST or None, initial=initial)
    if disabled:
        for field_name in form.fields:
            form.fields[field_name].disabled = True
    return form, disabled


@never_cache
@sensitive_post_parameters()
def note_edit(request: HttpRequest, case_uuid, session_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = session.notes.filter(author=request.user).first()
    if note is not None and note.status == SessionNote.Status.SIGNED:
        return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)
    form, disabled = _note_form(request, note)
    if not disabled and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_note(
                session=session,
                author=request.user,
                body=data["body"],
                assessment=data["assessment"],
                expected_version=data["version"],
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The note is saved (draft). Sign it when it is complete."))
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return render_case_form(
        request,
        case,
        form,
        title=_("Session note"),
        disabled=disabled,
        intro=_(
            "Notes are encrypted and only the counsellors of this case can read them. "
            "A signed note is locked."
        ),
    )


@require_POST
def note_sign(request: HttpRequest, case_uuid, session_uuid) -> HttpResponse:
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
def note_addendum(request: HttpRequest, case_uuid, session_uuid, note_uuid) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions, uuid=session_uuid)
    note = get_object_or_404(session.notes, uuid=note_uuid)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.add_addendum(
                note=note, author=request.user, body=form.cleaned_data["body"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The addendum is added."))
    else:
        messages.error(request, _("The addendum is empty."))
    return redirect("mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid)
