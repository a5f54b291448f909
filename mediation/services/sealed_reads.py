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
from ..access import Action, can, cases_for
from ..identity import mask_name
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


def open_sealed(
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


def denied(*, user: Any, action: str, obj: SealedModel, request: HttpRequest | None) -> None:
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
        denied(user=user, action="party.identity.read", obj=party, request=request)
        return Opened(error=_("You may not see this person's identity."))
    return open_sealed(
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
        denied(user=user, action="note.read", obj=note, request=request)
        return OpenedNote(error=_("Only the counsellors of this case may read its notes."))
    opened = open_sealed(
        user=user, obj=note, fields=note.SEALED_FIELDS, action="note.read", request=request
    )
    result = OpenedNote(values=opened.values, error=opened.error)
    if result.ok:
        result.addenda = [
            (
                addendum,
                open_sealed(
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
        denied(user=user, action="screen.read", obj=screen, request=request)
        return OpenedScreen(
            error=_("Only the counsellors of this case may read screening answers.")
        )
    opened = open_sealed(
        user=user, obj=screen, fields=("answers",), action="screen.read", request=request
    )
    return OpenedScreen(values=opened.values, error=opened.error)


def read_referral_reason(
    *, user: Any, referral: Referral, request: HttpRequest | None = None
) -> Opened:
    """Why a case was referred: everyone who may see the case (its counsellors and the office's
    supervisor, who follows referrals up). Each opening is a `referral.read` event."""
    if not can(user, Action.VIEW, referral.case):
        denied(user=user, action="referral.read", obj=referral, request=request)
        return Opened(error=_("You may not see this referral."))
    return open_sealed(
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


# Shown for a party whose name did not open (the key is not loaded, the tag failed).
UNREADABLE = "？"


@transaction.atomic
def read_masked_names(
    *, user: Any, cases: Iterable[Case], request: HttpRequest | None = None
) -> dict[int, str]:
    """The parties' names as lists show them (陈*杰 / 杨*), by case id, for the cases among
    `cases` whose identities the user may open (the others get none). Names are masked here,
    before they leave the service, so a list page never holds a full name. Every opening is
    one `party.identity.read` event for the whole page, listing the records and the field read
    (never one event per row); a name that does not open is shown as ？ and recorded as a
    failed read, with an integrity failure logged as well (SECURITY.md table)."""
    wanted = {case.pk for case in cases}
    if not wanted:
        return {}
    parties = list(
        Party.objects.filter(
            case__in=cases_for(user, Action.READ_IDENTITY).filter(pk__in=wanted),
            name_sealed__isnull=False,
        )
        .select_related("case__office")
        .order_by("case_id", "position")
    )
    names: dict[int, list[str]] = {}
    opened: list[Party] = []
    failed: dict[str, list[Party]] = {}
    for party in parties:
        try:
            name = sealing.open_fields(party, "name")["name"] or ""
        except crypto.KeyUnavailable:
            failed.setdefault("key_unavailable", []).append(party)
            name = UNREADABLE
        except (crypto.IntegrityFailure, crypto.UnsupportedFormat) as error:
            log.error("integrity failure opening party %s: %s", party.uuid, type(error).__name__)
            failed.setdefault("integrity", []).append(party)
            name = UNREADABLE
        else:
            opened.append(party)
            name = mask_name(name)
        names.setdefault(party.case_id, []).append(name)
    for outcome, reason, read in [("ok", "", opened)] + [
        ("failed", reason, rows) for reason, rows in failed.items()
    ]:
        if read:
            _record_list_read(
                user=user, parties=read, outcome=outcome, reason=reason, request=request
            )
    return {case_id: " / ".join(each) for case_id, each in names.items()}


def _record_list_read(
    *, user: Any, parties: list[Party], outcome: str, reason: str, request: HttpRequest | None
) -> None:
    offices = {party.case.office for party in parties}
    details: dict[str, Any] = {
        "records": [
            {"type": "party", "uuid": str(party.uuid), "fields": ["name"]} for party in parties
        ],
        "masked": True,
    }
    if reason:
        details["reason"] = reason
    audit.record(
        actor=user,
        action="party.identity.read",
        outcome=outcome,
        office=offices.pop() if len(offices) == 1 else None,
        request=request,
        details=details,
    )
