"""Session pages: recording a past session, the session page with its notes, holding and
cancelling; notes are written in views/notes.py. May import access, forms, models, services."""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import access, services
from ..forms import SessionBookForm, SessionCancelForm, SessionHoldForm
from ..forms.notes import AddendumForm, note_section_labels
from ..http import AuthenticatedHttpRequest
from ..models import Case, CounselingSession, SessionNote, User
from .common import deadline_context, form_errors_from, render_case_form


def _on_the_form(error: ValidationError) -> ValidationError:
    """The service speaks of `starts_at`; the form has a day and a time."""
    if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
        codes = {each.code for each in error.error_dict["starts_at"]}
        field = "day" if codes == {"future"} else "time"
        return ValidationError({field: error.error_dict["starts_at"]})
    return error


def session_book(request: AuthenticatedHttpRequest, case_uuid: UUID) -> HttpResponse:
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
    closed = case.status != Case.Status.OPEN
    if closed:
        intro = _("This case is closed: no session can be recorded for it.")
    elif case.joint_sessions_blocked:
        intro = _("Joint sessions are blocked in this case after a positive safety screen.")
    else:
        intro = _(
            "For a session that took place outside a booked duty slot (for example a walk-in). "
            "Sessions to come are booked into the duty roster."
        )
    return render_case_form(
        request, case, form, title=_("Record a past session"), intro=intro, disabled=closed
    )


@never_cache
def session_detail(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
    case = access.case_for(request.user, case_uuid, request=request)
    session = get_object_or_404(
        case.sessions.select_related("lead_counselor", "party", "cancelled_by"), uuid=session_uuid
    )
    return session_page(request, case, session)


def session_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    session: CounselingSession,
    *,
    addendum_form: AddendumForm | None = None,
    addendum_for: SessionNote | None = None,
) -> HttpResponse:
    """The session with its notes (text for those who may read it); an addendum form that was
    refused comes back here with what was typed, under its note."""
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
            "notes": [
                (
                    note,
                    opened,
                    [(label, opened.values.get(name)) for name, label in note_section_labels()]
                    if opened is not None and opened.ok
                    else [],
                )
                for note, opened in notes
            ],
            "max_request_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            "may_work": access.can(request.user, access.Action.WORK, case),
            "hold_form": hold_form,
            "my_note": next((n for n, _opened in notes if n.author_id == request.user.pk), None),
            "addendum_form": AddendumForm(),
            "refused_addendum": addendum_form,
            "refused_addendum_for": addendum_for.pk if addendum_for else None,
            **deadline_context(case),
        },
    )


def session_hold(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
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


def session_cancel(
    request: AuthenticatedHttpRequest, case_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
    """Cancel a booked session, or record that the party did not come (`no_show`), with the
    reason asked on this page."""
    case = access.case_for(request.user, case_uuid, action=access.Action.WORK, request=request)
    session = get_object_or_404(case.sessions.select_related("party"), uuid=session_uuid)
    no_show = (request.POST or request.GET).get("no_show") == "1"
    form = SessionCancelForm(request.POST or None, no_show=no_show)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_session(
                session=session,
                cancelled_by=request.user,
                reason=form.cleaned_data["reason"],
                no_show=no_show,
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("The session is recorded as not attended.")
                if no_show
                else _("The session is cancelled."),
            )
            return redirect(
                "mediation:session-detail", case_uuid=case.uuid, session_uuid=session.uuid
            )
    return render_case_form(
        request,
        case,
        form,
        title=_("The party did not come") if no_show else _("Cancel the session"),
        intro=_("%(when)s · %(kind)s · %(room)s")
        % {
            "when": date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT"),
            "kind": session.get_kind_display(),
            "room": session.room,
        },
        submit=_("Record") if no_show else _("Cancel the session"),
        template="mediation/session_cancel.html",
        no_show=no_show,
        session=session,
    )
