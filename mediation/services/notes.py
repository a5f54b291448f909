"""Session notes in the sections of the MZ/T 084 record form: writing and editing a sealed draft
(with stale-save detection and sealed revisions, at most 20,000 characters a section), signing
it, and addenda to signed notes. May import models, audit, access, sealing and consent."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..access import Action, can
from ..models import (
    CounselingSession,
    NoteAddendum,
    NoteDraft,
    NoteRevision,
    Party,
    Purpose,
    SessionNote,
    User,
)
from ..models.notes import NOTE_MAX_CHARS, NOTE_SECTIONS
from .consent import require_consent
from .errors import field_error, require_openable


class StaleNote(ValidationError):
    """Someone saved the note after the form was opened (code "stale")."""


def too_long_message(length: int) -> str:
    return _(
        "At most %(limit)s characters here; this has %(count)s. Shorten it, or write the rest "
        "as an addendum after signing."
    ) % {"limit": NOTE_MAX_CHARS, "count": length}


def check_lengths(sections: dict[str, str]) -> None:
    """Every section within NOTE_MAX_CHARS, or one ValidationError naming each long section
    (code too_long)."""
    errors = {
        name: ValidationError(too_long_message(len(text)), code="too_long")
        for name, text in sections.items()
        if len(text) > NOTE_MAX_CHARS
    }
    if errors:
        raise ValidationError(errors)


def _note_parties(session: CounselingSession) -> list[Party]:
    if session.party is not None:
        return [session.party]
    return list(session.case.parties.all())


def require_note_allowed(session: CounselingSession, author: User) -> None:
    """Only the case's counsellors write notes (SECURITY.md, 'Access'), and only about parties
    who consented to sensitive information being recorded (PIPL art. 29)."""
    if not can(author, Action.WORK, session.case):
        raise ValidationError(
            _("Only the counsellors of this case may write its notes."), code="not_assigned"
        )
    for party in _note_parties(session):
        require_consent(
            party,
            Purpose.SENSITIVE,
            _(
                "%(party)s has not consented to sensitive information being recorded, so no note "
                "can be kept."
            )
            % {"party": party.label},
            "no_sensitive_consent",
        )


def _keep_revision(note: SessionNote, author: User) -> None:
    """The text before this save, sealed as a revision."""
    require_openable(note)
    revision = NoteRevision(
        note=note, version=note.version, saved_by=author, saved_at=note.updated_at
    )
    sealing.seal(revision, **sealing.open_fields(note, *NOTE_SECTIONS))
    revision.save()


@transaction.atomic
def save_note(
    *,
    session: CounselingSession,
    author: User,
    body: str,
    assessment: str = "",
    problem: str = "",
    approach: str = "",
    statement: str = "",
    plan: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> SessionNote:
    """Write or edit the author's draft note of a session, in the record form's sections
    (主要问题 problem, 辅导方式 approach, 辅导内容与过程 body, 当事人表示 statement, 评估
    assessment, 后续计划 plan). The body is required (code empty); each section holds at most
    20,000 characters (too_long). A stale save (someone saved since the form was opened) raises
    StaleNote instead of overwriting (SECURITY.md, 'Integrity under concurrency'); the previous
    text is kept as a sealed revision. Signed notes are locked (code "signed"): use
    add_addendum. The author's autosaved draft is discarded once the note is saved."""
    require_note_allowed(session, author)
    sections = {
        "problem": problem,
        "approach": approach,
        "body": body,
        "statement": statement,
        "assessment": assessment,
        "plan": plan,
    }
    check_lengths(sections)
    if not body.strip():
        raise field_error("body", _("The note is empty."), "empty")
    now = timezone.now()
    note = SessionNote.objects.select_for_update().filter(session=session, author=author).first()
    if note is None:
        if expected_version not in (None, 0):
            raise StaleNote(_("This note was deleted or moved meanwhile."), code="stale")
        note = SessionNote(
            session=session, author=author, version=1, created_at=now, updated_at=now
        )
        sealing.seal(note, **sections)
        note.save()
        NoteDraft.objects.filter(session=session, author=author).delete()
        audit.record(actor=author, action="note.create", obj=note, request=request)
        return note
    if note.status == SessionNote.Status.SIGNED:
        raise ValidationError(
            _("This note is signed and locked. Add an addendum instead."), code="signed"
        )
    if expected_version is not None and expected_version != note.version:
        raise StaleNote(
            _(
                "Someone saved this note after you opened it. Your text is still in the form: "
                "compare it with the saved note before saving again."
            ),
            code="stale",
        )
    _keep_revision(note, author)
    sealing.seal(note, **sections)
    note.version += 1
    note.updated_at = now
    note.save()
    NoteDraft.objects.filter(session=session, author=author).delete()
    audit.record(
        actor=author,
        action="note.update",
        obj=note,
        request=request,
        details={"version": note.version},
    )
    return note


@transaction.atomic
def sign_note(
    *, note: SessionNote, signed_by: User, request: HttpRequest | None = None
) -> SessionNote:
    """The author signs: the note is locked from then on (codes not_author, signed)."""
    note = SessionNote.objects.select_for_update().get(pk=note.pk)
    if note.author_id != signed_by.pk:
        raise ValidationError(_("Only the author can sign a note."), code="not_author")
    if note.status == SessionNote.Status.SIGNED:
        raise ValidationError(_("This note is already signed."), code="signed")
    note.status = SessionNote.Status.SIGNED
    note.signed_at = timezone.now()
    note.save(update_fields=["status", "signed_at"])
    audit.record(actor=signed_by, action="note.sign", obj=note, request=request)
    return note


@transaction.atomic
def add_addendum(
    *, note: SessionNote, author: User, body: str, request: HttpRequest | None = None
) -> NoteAddendum:
    """Later words on a signed note, sealed, with their own time and author; only the case's
    counsellors may add them (codes not_signed, not_assigned, empty)."""
    note = SessionNote.objects.select_for_update().select_related("session__case").get(pk=note.pk)
    if note.status != SessionNote.Status.SIGNED:
        raise ValidationError(
            _("Edit the draft instead: addenda are for signed notes."), code="not_signed"
        )
    if not can(author, Action.WORK, note.session.case):
        raise ValidationError(
            _("Only the counsellors of this case may add to its notes."), code="not_assigned"
        )
    if not body.strip():
        raise field_error("body", _("The addendum is empty."), "empty")
    check_lengths({"body": body})
    addendum = NoteAddendum(note=note, author=author, created_at=timezone.now())
    sealing.seal(addendum, body=body)
    addendum.save()
    audit.record(actor=author, action="note.addendum", obj=note, request=request)
    return addendum
