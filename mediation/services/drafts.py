"""Autosaved drafts of session notes: sealed like the note, saved every 30 seconds and on leaving
a field, offered back after an idle sign-out, discarded when the note is saved. May import
models, audit, sealing, notes and sealed_reads."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..models import CounselingSession, NoteDraft, SessionNote, User
from ..models.notes import NOTE_SECTIONS
from .errors import require_openable
from .notes import check_lengths, require_note_allowed
from .sealed_reads import Opened, open_sealed


@transaction.atomic
def save_draft(
    *,
    session: CounselingSession,
    author: User,
    sections: dict[str, str],
    base_version: int,
    request: HttpRequest | None = None,
) -> NoteDraft | None:
    """Keep what the author is typing, sealed (the autosave). Nothing is written when the text
    has not changed since the last autosave (returns the draft as it is) or when every section
    is empty (returns None). The note's own rules apply: its counsellors only, consent to
    sensitive information, not a signed note (code signed), each section at most 20,000
    characters (too_long)."""
    require_note_allowed(session, author)
    sections = {name: sections.get(name, "") for name in NOTE_SECTIONS}
    check_lengths(sections)
    note = SessionNote.objects.filter(session=session, author=author).first()
    if note is not None and note.status == SessionNote.Status.SIGNED:
        raise ValidationError(
            _("This note is signed and locked. Add an addendum instead."), code="signed"
        )
    draft = NoteDraft.objects.select_for_update().filter(session=session, author=author).first()
    if draft is None and not any(text.strip() for text in sections.values()):
        return None
    if draft is not None:
        require_openable(draft)
        if sealing.open_fields(draft, *NOTE_SECTIONS) == {
            name: text or None for name, text in sections.items()
        }:
            return draft
    else:
        draft = NoteDraft(session=session, author=author)
    draft.base_version, draft.saved_at = base_version, timezone.now()
    sealing.seal(draft, **sections)
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        # Two autosaves of one author at the same moment (two tabs): the other one is kept.
        return NoteDraft.objects.get(session=session, author=author)
    audit.record(
        actor=author,
        action="note.draft.save",
        obj=draft,
        office=session.office,
        request=request,
    )
    return draft


def draft_for(session: CounselingSession, author: User) -> NoteDraft | None:
    """The author's draft of this session's note, if one is waiting."""
    return NoteDraft.objects.filter(session=session, author=author).first()


def read_draft(*, user: User, draft: NoteDraft, request: HttpRequest | None = None) -> Opened:
    """A draft is opened for its author only; each opening is a `note.draft.read` event."""
    if draft.author_id != getattr(user, "pk", None):
        return Opened(error=_("Only the author can open a draft."))
    return open_sealed(
        user=user, obj=draft, fields=NOTE_SECTIONS, action="note.draft.read", request=request
    )
