"""Opening sealed values (identities, notes, screening answers, referral reasons): the door,
then decryption, then one audit event for what the request opened. May import models, access,
audit, crypto, sealing."""

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .. import audit, crypto, sealing
from ..access import Action, can
from ..models import (
    Case,
    CounselingSession,
    NoteAddendum,
    Party,
    Referral,
    SafetyScreen,
    SealedModel,
    SessionNote,
    User,
)
from .errors import integrity_failed_message, key_unavailable_message

log = logging.getLogger("tongxin.sealed")


@dataclass
class Opened:
    """What a read of sealed fields gave: the values, or a message saying why not."""

    values: dict[str, str | None] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class OpenedNote(Opened):
    """A note's body and assessment, and its addenda, each opened on its own."""

    addenda: list[tuple[NoteAddendum, Opened]] = field(default_factory=list)


@dataclass
class OpenedScreen(Opened):
    """A safety screen's answers (question → yes), when they were kept."""

    @property
    def kept(self) -> bool:
        """Answers are kept only with sensitive-information consent (screening.screen_party)."""
        return self.ok and self.values.get("answers") is not None

    @property
    def answers(self) -> dict[str, bool]:
        text = self.values.get("answers")
        return {str(q): bool(a) for q, a in json.loads(text).items()} if text else {}


@dataclass
class _Read:
    action: str
    obj: SealedModel
    fields: tuple[str, ...]
    outcome: str = "ok"
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadLog:
    """The sealed values one request opens (or may not), recorded together once they are open:
    one audit event per action and outcome, whose details list the records and fields opened
    (type, UUID, field names; never a name or a text). One read is an event about its record;
    several are one event about the page's record (the session, the case), so a page of ten
    notes adds one link to the chain, not ten (issue 16, 'The audit write path')."""

    user: User
    request: HttpRequest | None
    parent: Model
    reads: list[_Read] = field(default_factory=list)

    def record(self) -> None:
        groups: dict[tuple[str, str], list[_Read]] = {}
        for read in self.reads:
            groups.setdefault((read.action, read.outcome), []).append(read)
        for (action, outcome), reads in groups.items():
            obj: Model
            details: dict[str, Any]
            if len(reads) == 1:
                obj, details = reads[0].obj, reads[0].details
            else:
                obj, details = self.parent, {"records": [_listed(read) for read in reads]}
            audit.record(
                actor=self.user,
                action=action,
                obj=obj,
                outcome=outcome,
                request=self.request,
                details=details,
            )
        self.reads.clear()


def _listed(read: _Read) -> dict[str, Any]:
    return {
        "type": read.obj._meta.model_name,
        "uuid": str(read.obj.uuid),
        "fields": list(read.fields),
        **read.details,
    }


@contextmanager
def _reads(
    user: User, request: HttpRequest | None, parent: Model, log: ReadLog | None
) -> Iterator[ReadLog]:
    """The caller's log, or a log of this read alone that is recorded when it is done."""
    if log is not None:
        yield log
        return
    own = ReadLog(user=user, request=request, parent=parent)
    yield own
    own.record()


def _open_sealed(*, obj: SealedModel, fields: Sequence[str], action: str, reads: ReadLog) -> Opened:
    """Decrypt, and log the read for the request's audit event. A missing key or a failed tag
    gives a clear message and a `failed` read, never bytes of the blob, and writes nothing else
    (SECURITY.md table)."""
    try:
        values = sealing.open_fields(obj, *fields)
    except crypto.KeyUnavailable as error:
        reads.reads.append(
            _Read(
                action,
                obj,
                tuple(fields),
                "failed",
                {"reason": "key_unavailable", "key_id": error.key_id},
            )
        )
        return Opened(error=key_unavailable_message())
    except (crypto.IntegrityFailure, crypto.UnsupportedFormat) as error:
        log.error(
            "integrity failure opening %s %s: %s",
            obj._meta.model_name,
            obj.uuid,
            type(error).__name__,
        )
        reads.reads.append(_Read(action, obj, tuple(fields), "failed", {"reason": "integrity"}))
        return Opened(error=integrity_failed_message())
    reads.reads.append(_Read(action, obj, tuple(fields)))
    return Opened(values=values)


def _denied(*, reads: ReadLog, action: str, obj: SealedModel) -> None:
    reads.reads.append(_Read(action, obj, (), "denied"))


def open_sealed(
    *,
    user: User,
    obj: SealedModel,
    fields: Sequence[str],
    action: str,
    request: HttpRequest | None = None,
) -> Opened:
    """Open one record's sealed fields and record the read as its own event (signatures,
    attachments, drafts: records that are read one at a time)."""
    with _reads(user, request, obj, None) as batch:
        return _open_sealed(obj=obj, fields=fields, action=action, reads=batch)


def denied(*, user: User, action: str, obj: SealedModel, request: HttpRequest | None) -> None:
    """Record a refused read of one record."""
    audit.record(actor=user, action=action, obj=obj, outcome="denied", request=request)


def read_party_identity(
    *,
    user: User,
    party: Party,
    request: HttpRequest | None = None,
    fields: Sequence[str] = Party.SEALED_FIELDS,
    reads: ReadLog | None = None,
) -> Opened:
    """Names, ID numbers, phones and addresses: the assigned counsellor and the office's
    supervisor may open them (SECURITY.md, 'Access'); every opening is an audit event
    (`party.identity.read`), and so is every refusal."""
    with _reads(user, request, party, reads) as batch:
        if not can(user, Action.READ_IDENTITY, party.case):
            _denied(reads=batch, action="party.identity.read", obj=party)
            return Opened(error=_("You may not see this person's identity."))
        return _open_sealed(obj=party, fields=fields, action="party.identity.read", reads=batch)


@transaction.atomic
def read_party_names(
    *, user: User, case: Case, parties: Iterable[Party], request: HttpRequest | None = None
) -> dict[int, Opened]:
    """The names on the case page, by party id: opened only for those who may open identities
    and only where a name was recorded; one audit event for the page."""
    if not can(user, Action.READ_IDENTITY, case):
        return {}
    reads = ReadLog(user=user, request=request, parent=case)
    names = {
        party.pk: read_party_identity(
            user=user, party=party, request=request, fields=("name",), reads=reads
        )
        for party in parties
        if party.has_sealed("name")
    }
    reads.record()
    return names


def read_note(
    *,
    user: User,
    note: SessionNote,
    request: HttpRequest | None = None,
    reads: ReadLog | None = None,
) -> OpenedNote:
    """Note text and its addenda: only counsellors assigned to the case, never the supervisor
    (SECURITY.md, 'Access'). The note and its addenda are one `note.read` event."""
    with _reads(user, request, note, reads) as batch:
        if not can(user, Action.READ_NOTE, note.session.case):
            _denied(reads=batch, action="note.read", obj=note)
            return OpenedNote(error=_("Only the counsellors of this case may read its notes."))
        opened = _open_sealed(obj=note, fields=note.SEALED_FIELDS, action="note.read", reads=batch)
        result = OpenedNote(values=opened.values, error=opened.error)
        if result.ok:
            result.addenda = [
                (
                    addendum,
                    _open_sealed(obj=addendum, fields=("body",), action="note.read", reads=batch),
                )
                for addendum in note.addenda.all()
            ]
        return result


@transaction.atomic
def read_session_notes(
    *, user: User, session: CounselingSession, request: HttpRequest | None = None
) -> list[tuple[SessionNote, OpenedNote | None]]:
    """Every note of a session, oldest first, with its text for those who may read it (None for
    the others, who see author, status and times only). One audit event for the page's reads."""
    notes = list(session.notes.select_related("author").order_by("created_at"))
    for note in notes:
        note.session = session  # one case object, so the door is asked once for the page
    if not can(user, Action.READ_NOTE, session.case):
        return [(note, None) for note in notes]
    reads = ReadLog(user=user, request=request, parent=session)
    opened: list[tuple[SessionNote, OpenedNote | None]] = [
        (note, read_note(user=user, note=note, request=request, reads=reads)) for note in notes
    ]
    reads.record()
    return opened


def read_screen(
    *,
    user: User,
    screen: SafetyScreen,
    request: HttpRequest | None = None,
    reads: ReadLog | None = None,
) -> OpenedScreen:
    """Domestic-violence screening answers: as private as note text, so only the counsellors
    assigned to the case (SECURITY.md, 'Access'). Each opening is a `screen.read` event."""
    with _reads(user, request, screen, reads) as batch:
        if not can(user, Action.READ_NOTE, screen.party.case):
            _denied(reads=batch, action="screen.read", obj=screen)
            return OpenedScreen(
                error=_("Only the counsellors of this case may read screening answers.")
            )
        opened = _open_sealed(obj=screen, fields=("answers",), action="screen.read", reads=batch)
        return OpenedScreen(values=opened.values, error=opened.error)


def read_referral_reason(
    *,
    user: User,
    referral: Referral,
    request: HttpRequest | None = None,
    reads: ReadLog | None = None,
) -> Opened:
    """Why a case was referred: everyone who may see the case (its counsellors and the office's
    supervisor, who follows referrals up). Each opening is a `referral.read` event."""
    with _reads(user, request, referral, reads) as batch:
        if not can(user, Action.VIEW, referral.case):
            _denied(reads=batch, action="referral.read", obj=referral)
            return Opened(error=_("You may not see this referral."))
        return _open_sealed(obj=referral, fields=("reason",), action="referral.read", reads=batch)


@dataclass
class SealedAnswers:
    """What the sealed-answers page shows: each screen with its answers (None where they were
    not kept or the user may not read them) and each referral with its reason."""

    may_read_screens: bool
    screens: list[tuple[SafetyScreen, OpenedScreen | None]]
    referrals: list[tuple[Referral, Opened]]


@transaction.atomic
def read_sealed_answers(
    *, user: User, case: Case, request: HttpRequest | None = None
) -> SealedAnswers:
    """Open a case's screening answers (assigned counsellors only) and referral reasons, in one
    transaction, with one `screen.read` and one `referral.read` event for the page. Screens
    whose answers were not kept are listed without a read."""
    screens = SafetyScreen.objects.filter(party__case=case).select_related("party", "screened_by")
    may_read_screens = can(user, Action.READ_NOTE, case)
    referrals = case.referrals.select_related("party", "referred_by")
    reads = ReadLog(user=user, request=request, parent=case)
    answers = SealedAnswers(
        may_read_screens=may_read_screens,
        screens=[
            (
                screen,
                read_screen(user=user, screen=screen, request=request, reads=reads)
                if may_read_screens and screen.has_sealed("answers")
                else None,
            )
            for screen in screens.order_by("party__position", "screened_at")
        ],
        referrals=[
            (
                referral,
                read_referral_reason(user=user, referral=referral, request=request, reads=reads),
            )
            for referral in referrals
        ],
    )
    reads.record()
    return answers
