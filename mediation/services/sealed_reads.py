"""Opening sealed values (identities, notes, screening answers, referral reasons): the door,
then an audit event, then decryption. May import models, access, audit, crypto, sealing."""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
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


def _open_sealed(
    *,
    user: Any,
    obj: SealedModel,
    fields: Sequence[str],
    action: str,
    request: HttpRequest | None = None,
) -> Opened:
    """Record the read, then decrypt. A missing key or a failed tag gives a clear message and an
    audit event, never bytes of the blob, and writes nothing else (SECURITY.md table)."""
    try:
        values = sealing.open_fields(obj, *fields)
    except crypto.KeyUnavailable as error:
        audit.record(
            actor=user,
            action=action,
            obj=obj,
            outcome="failed",
            request=request,
            details={"reason": "key_unavailable", "key_id": error.key_id},
        )
        return Opened(error=key_unavailable_message())
    except (crypto.IntegrityFailure, crypto.UnsupportedFormat) as error:
        log.error(
            "integrity failure opening %s %s: %s",
            obj._meta.model_name,
            obj.uuid,
            type(error).__name__,
        )
        audit.record(
            actor=user,
            action=action,
            obj=obj,
            outcome="failed",
            request=request,
            details={"reason": "integrity"},
        )
        return Opened(error=integrity_failed_message())
    audit.record(actor=user, action=action, obj=obj, request=request)
    return Opened(values=values)


def _denied(*, user: Any, action: str, obj: SealedModel, request: HttpRequest | None) -> None:
    audit.record(actor=user, action=action, obj=obj, outcome="denied", request=request)


def read_party_identity(
    *,
    user: Any,
    party: Party,
    request: HttpRequest | None = None,
    fields: Sequence[str] = Party.SEALED_FIELDS,
) -> Opened:
    """Names, ID numbers, phones and addresses: the assigned counsellor and the office's
    supervisor may open them (SECURITY.md, 'Access'); every opening is an audit event
    (`party.identity.read`), and so is every refusal."""
    if not can(user, Action.READ_IDENTITY, party.case):
        _denied(user=user, action="party.identity.read", obj=party, request=request)
        return Opened(error=_("You may not see this person's identity."))
    return _open_sealed(
        user=user, obj=party, fields=fields, action="party.identity.read", request=request
    )


@transaction.atomic
def read_party_names(
    *, user: Any, case: Case, parties: Iterable[Party], request: HttpRequest | None = None
) -> dict[int, Opened]:
    """The names on the case page, by party id: opened only for those who may open identities
    and only where a name was recorded, in one transaction so the page's reads commit once."""
    if not can(user, Action.READ_IDENTITY, case):
        return {}
    return {
        party.pk: read_party_identity(user=user, party=party, request=request, fields=("name",))
        for party in parties
        if party.has_sealed("name")
    }


def read_note(*, user: Any, note: SessionNote, request: HttpRequest | None = None) -> OpenedNote:
    """Note text and its addenda: only counsellors assigned to the case, never the supervisor
    (SECURITY.md, 'Access'). Each opening is a `note.read` event."""
    if not can(user, Action.READ_NOTE, note.session.case):
        _denied(user=user, action="note.read", obj=note, request=request)
        return OpenedNote(error=_("Only the counsellors of this case may read its notes."))
    opened = _open_sealed(
        user=user, obj=note, fields=note.SEALED_FIELDS, action="note.read", request=request
    )
    result = OpenedNote(values=opened.values, error=opened.error)
    if result.ok:
        result.addenda = [
            (
                addendum,
                _open_sealed(
                    user=user, obj=addendum, fields=("body",), action="note.read", request=request
                ),
            )
            for addendum in note.addenda.all()
        ]
    return result


@transaction.atomic
def read_session_notes(
    *, user: Any, session: CounselingSession, request: HttpRequest | None = None
) -> list[tuple[SessionNote, OpenedNote | None]]:
    """Every note of a session, oldest first, with its text for those who may read it (None for
    the others, who see author, status and times only). One transaction for the page's reads:
    their audit events commit together, once."""
    notes = list(session.notes.select_related("author").order_by("created_at"))
    for note in notes:
        note.session = session  # one case object, so the door is asked once for the page
    if not can(user, Action.READ_NOTE, session.case):
        return [(note, None) for note in notes]
    return [(note, read_note(user=user, note=note, request=request)) for note in notes]


def read_screen(
    *, user: Any, screen: SafetyScreen, request: HttpRequest | None = None
) -> OpenedScreen:
    """Domestic-violence screening answers: as private as note text, so only the counsellors
    assigned to the case (SECURITY.md, 'Access'). Each opening is a `screen.read` event."""
    if not can(user, Action.READ_NOTE, screen.party.case):
        _denied(user=user, action="screen.read", obj=screen, request=request)
        return OpenedScreen(
            error=_("Only the counsellors of this case may read screening answers.")
        )
    opened = _open_sealed(
        user=user, obj=screen, fields=("answers",), action="screen.read", request=request
    )
    return OpenedScreen(values=opened.values, error=opened.error)


def read_referral_reason(
    *, user: Any, referral: Referral, request: HttpRequest | None = None
) -> Opened:
    """Why a case was referred: everyone who may see the case (its counsellors and the office's
    supervisor, who follows referrals up). Each opening is a `referral.read` event."""
    if not can(user, Action.VIEW, referral.case):
        _denied(user=user, action="referral.read", obj=referral, request=request)
        return Opened(error=_("You may not see this referral."))
    return _open_sealed(
        user=user, obj=referral, fields=("reason",), action="referral.read", request=request
    )


@dataclass
class SealedAnswers:
    """What the sealed-answers page shows: each screen with its answers (None where they were
    not kept or the user may not read them) and each referral with its reason."""

    may_read_screens: bool
    screens: list[tuple[SafetyScreen, OpenedScreen | None]]
    referrals: list[tuple[Referral, Opened]]


@transaction.atomic
def read_sealed_answers(
    *, user: Any, case: Case, request: HttpRequest | None = None
) -> SealedAnswers:
    """Open a case's screening answers (assigned counsellors only) and referral reasons, in one
    transaction so the page's `screen.read` and `referral.read` events commit once. Screens
    whose answers were not kept are listed without a read."""
    screens = SafetyScreen.objects.filter(party__case=case).select_related("party", "screened_by")
    may_read_screens = can(user, Action.READ_NOTE, case)
    referrals = case.referrals.select_related("party", "referred_by")
    return SealedAnswers(
        may_read_screens=may_read_screens,
        screens=[
            (
                screen,
                read_screen(user=user, screen=screen, request=request)
                if may_read_screens and screen.has_sealed("answers")
                else None,
            )
            for screen in screens.order_by("party__position", "screened_at")
        ],
        referrals=[
            (referral, read_referral_reason(user=user, referral=referral, request=request))
            for referral in referrals
        ],
    )
