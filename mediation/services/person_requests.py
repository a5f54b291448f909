"""Requests from the people in the cases (PIPL arts. 44-47), handled by a supervisor: find what
is held about a person by their ID number, give them a copy of their own data, correct their
identity, delete their data or record why the law lets it wait. Every step is an audit event.
May import models, access, audit, crypto, keyring, sealing, pdf and the other services."""

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import audit, crypto, keyring, pdf, sealing
from ..access import Action, can, cases_for, require
from ..identity import InvalidIdNumber, normalise_id_number
from ..models import (
    CounselingSession,
    IdentityCorrection,
    Party,
    PersonRequest,
    SafetyScreen,
    User,
)
from .erasure import erase_party, hold_in_force
from .errors import field_error, require_openable
from .sealed_reads import Opened, OpenedScreen, open_sealed

CORRECTABLE = ("name", "id_number", "phone", "address")
NOTE_MAX = 200


def require_supervisor(user: Any, party: Party) -> None:
    """Requests are handled by a supervisor of the party's office (code not_supervisor)."""
    if not can(user, Action.MANAGE, party.case):
        raise ValidationError(
            _("Only a supervisor of this office handles a person's requests."),
            code="not_supervisor",
        )


def parties_in_scope(user: Any) -> QuerySet[Party]:
    return Party.objects.filter(case__in=cases_for(user, Action.MANAGE))


@transaction.atomic
def find_person(*, user: Any, id_number: str, request: HttpRequest | None = None) -> list[Party]:
    """Every party, in the cases of the supervisor's offices, whose ID number is this one, found
    through the blind index (SECURITY.md: posted, never in a URL). The search is an event
    (`person.find`, with how many were found, never the number). Code id_number_invalid."""
    try:
        normalised = normalise_id_number(id_number)
    except InvalidIdNumber as error:
        raise field_error("id_number", error.message, "id_number_invalid") from None
    index = crypto.blind_index(keyring.ring().blind_index_key, normalised, keyring.suite().mac)
    found = list(
        parties_in_scope(user)
        .filter(id_index=index)
        .select_related("case__office")
        .order_by("case__opened_at")
    )
    audit.record(actor=user, action="person.find", request=request, details={"found": len(found)})
    return found


def party_for(user: Any, party_uuid: Any) -> Party:
    """The party if the user supervises its office; Http404 otherwise (the one door of the
    person pages: the permission, then the offices in scope)."""
    require(user, "mediation.supervise_office")
    party = parties_in_scope(user).select_related("case__office").filter(uuid=party_uuid).first()
    if party is None:
        raise Http404
    return party


def _note(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > NOTE_MAX:
        raise field_error(
            "note", _("Keep the remarks under %(count)s characters.") % {"count": NOTE_MAX}, "note"
        )
    return text


def _log_request(
    *, party: Party, kind: str, status: str, by: User, deferral: str = "", note: str = ""
) -> PersonRequest:
    return PersonRequest.objects.create(
        party=party,
        kind=kind,
        status=status,
        deferral=deferral,
        note=note,
        handled_by=by,
        handled_at=timezone.now(),
    )


# The copy (PIPL art. 45): the person's own data, nothing that is about the other spouse alone.


@dataclass
class PersonCopy:
    """A person's copy as plain data: what the JSON file holds and the PDF prints."""

    data: dict[str, Any]

    def json(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode()


def _opened(opened: Opened) -> dict[str, Any]:
    return opened.values if opened.ok else {"error": opened.error}


def _copy_data(*, user: Any, party: Party, request: HttpRequest | None) -> dict[str, Any]:
    case = party.case
    identity = open_sealed(
        user=user,
        obj=party,
        fields=Party.SEALED_FIELDS,
        action="party.identity.read",
        request=request,
    )
    screens = []
    for screen in SafetyScreen.objects.filter(party=party).order_by("screened_at"):
        answers: dict[str, Any] = {}
        if screen.has_sealed("answers"):
            opened = open_sealed(
                user=user, obj=screen, fields=("answers",), action="screen.read", request=request
            )
            answers = OpenedScreen(values=opened.values, error=opened.error).answers
        screens.append(
            {
                "screened_at": screen.screened_at,
                "positive": screen.positive,
                # Each question as the person was asked it, not the code it is stored under.
                "answers": [
                    {"question": str(text), "answer": bool(answers[code])}
                    for code, text in SafetyScreen.QUESTION_TEXTS.items()
                    if code in answers
                ],
            }
        )
    attended = CounselingSession.objects.filter(case=case, status=CounselingSession.Status.HELD)
    sessions = [
        {
            "starts_at": session.starts_at,
            "kind": session.get_kind_display(),
            "services": [str(label) for label in session.service_labels],
            "counselor": session.lead_counselor.display_name,
        }
        for session in attended.select_related("lead_counselor").order_by("starts_at")
        if session.kind == CounselingSession.Kind.JOINT or session.party_id == party.pk
    ]
    referrals = []
    for referral in case.referrals.filter(party=party).order_by("referred_on"):
        reason = open_sealed(
            user=user, obj=referral, fields=("reason",), action="referral.read", request=request
        )
        referrals.append(
            {
                "referred_on": referral.referred_on,
                "destination": referral.get_destination_display(),
                "reason": reason.values.get("reason") if reason.ok else reason.error,
            }
        )
    outcome = case.outcome
    return {
        "case": {
            "number": case.number,
            "office": case.office.name,
            "port": case.get_port_display(),
            "category": case.get_category_display(),
            "received_on": case.received_on,
            "opened_at": case.opened_at,
        },
        "identity": {
            **_opened(identity),
            "sex": party.get_sex_display(),
            "birth_year": party.birth_year,
            "education": party.get_education_display(),
            "occupation": party.occupation,
            "marital_status": party.get_marital_status_display(),
            "years_married": party.years_married,
        },
        "consents": [
            {
                "purpose": record.get_purpose_display(),
                "decision": record.get_action_display(),
                "recorded_at": record.recorded_at,
                "ended_at": record.ended_at,
                "agreement": f"{record.text.title} ({record.text.version})",
                "text": record.text.body,
            }
            for record in party.consents.select_related("text").order_by("recorded_at", "pk")
        ],
        "screening": screens,
        "sessions": sessions,
        "outcomes": {
            "counselling_result": case.get_result_display(),
            "registry_outcome": outcome.get_kind_display() if outcome else "",
            "registry_outcome_on": outcome.decided_on if outcome else None,
            "referrals": referrals,
            "follow_ups": [
                {
                    "due_on": follow_up.due_on,
                    "status": follow_up.get_status_display(),
                    "reconciliation_held": follow_up.reconciliation_held,
                }
                for follow_up in party.follow_ups.order_by("due_on")
            ],
            "satisfaction": [
                answer.get_rating_display()
                for answer in case.satisfaction.filter(party=party, anonymous=False)
            ],
        },
    }


@transaction.atomic
def person_copy(
    *, party: Party, user: Any, fmt: str, request: HttpRequest | None = None
) -> tuple[str, bytes]:
    """A copy of the person's own data (PIPL art. 45) as a Chinese PDF or a JSON file: their
    identity, consents with the agreements' texts, their screening answers, the sessions they
    attended (never note text, which is the counsellor's record and speaks of both spouses), the
    result, the outcome, their referrals and follow-ups. Nothing about the other spouse alone.
    Returns (file name, bytes); every opening is recorded, and the copy is a `person.copy`
    event. Codes: not_supervisor, erased (nothing left to copy)."""
    require_supervisor(user, party)
    if party.is_erased:
        raise ValidationError(_("This party's personal data is deleted."), code="erased")
    with translation.override("zh-hans"):
        data = _copy_data(user=user, party=party, request=request)
        data["made_at"] = timezone.localtime()
        copy = PersonCopy(data)
        stem = f"{party.case.number}-{party.position}"
        if fmt == "json":
            name, content = f"{stem}.json", copy.json()
        else:
            html = render_to_string(
                "mediation/documents/person_copy.html",
                {
                    **data,
                    "party": party,
                    "case": party.case,
                    "font_family": pdf.FONT_FAMILY,
                    "printed_at": data["made_at"],
                },
            )
            name, content = f"{stem}.pdf", pdf.render_pdf(html).pdf
    _log_request(party=party, kind=PersonRequest.Kind.COPY, status="done", by=user)
    audit.record(
        actor=user, action="person.copy", obj=party, request=request, details={"format": fmt}
    )
    return name, content


# Correction (PIPL art. 46): the old value is kept sealed in the history, with who and why.


@transaction.atomic
def correct_identity(
    *,
    party: Party,
    field: str,
    value: str,
    reason: str,
    corrected_by: User,
    request: HttpRequest | None = None,
) -> IdentityCorrection:
    """Correct one identity field at the person's request; the value before is kept sealed in
    an IdentityCorrection with who, when and why, and the blind index follows a corrected ID
    number. Codes: not_supervisor, field, reason, erased, id_number_invalid, key_unavailable,
    integrity."""
    require_supervisor(corrected_by, party)
    if field not in CORRECTABLE:
        raise field_error("field", _("This field cannot be corrected here."), "field")
    reason = " ".join((reason or "").split())
    if not reason:
        raise field_error("reason", _("Say why the identity is corrected."), "reason")
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    if party.is_erased:
        raise ValidationError(_("This party's personal data is deleted."), code="erased")
    require_openable(party)
    value = value.strip()
    if field == "id_number" and value:
        try:
            value = normalise_id_number(value)
        except InvalidIdNumber as error:
            raise field_error("value", error.message, "id_number_invalid") from None
    old = sealing.open_fields(party, field)[field] or ""
    correction = IdentityCorrection(
        party=party,
        field=field,
        reason=_note(reason),
        corrected_by=corrected_by,
        corrected_at=timezone.now(),
    )
    sealing.seal(correction, old_value=old)
    correction.save()
    sealing.seal(party, **{field: value})
    update = [f"{field}_sealed", "key_id", "wrapped_key"]
    if field == "id_number":
        party.id_index = crypto.blind_index(keyring.ring().blind_index_key, value) if value else ""
        if value:
            party.birth_year = int(value[6:10])
        update += ["id_index", "birth_year"]
    party.save(update_fields=update)
    _log_request(party=party, kind=PersonRequest.Kind.CORRECTION, status="done", by=corrected_by)
    audit.record(
        actor=corrected_by,
        action="party.identity.correct",
        obj=party,
        request=request,
        details={"field": field},
    )
    return correction


# Deletion (PIPL art. 47): carried out, or deferred with the legal reason.


@transaction.atomic
def handle_deletion_request(
    *,
    party: Party,
    handled_by: User,
    deferral: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> PersonRequest:
    """Record a person's deletion request and carry it out by crypto-shredding, or record why
    the law lets it wait (`deferral`, one of PersonRequest.Deferral). A case under a legal hold
    always defers (the hold is the reason). Events: `person.deletion.defer` or `party.erase`.
    Codes: not_supervisor, deferral, already_erased."""
    require_supervisor(handled_by, party)
    if deferral and deferral not in PersonRequest.Deferral.values:
        raise field_error("deferral", _("Choose a reason the law gives."), "deferral")
    note = _note(note)
    if hold_in_force(party.case) is not None:
        deferral = PersonRequest.Deferral.LEGAL_HOLD
    if deferral:
        logged = _log_request(
            party=party,
            kind=PersonRequest.Kind.DELETION,
            status=PersonRequest.Status.DEFERRED,
            deferral=deferral,
            note=note,
            by=handled_by,
        )
        audit.record(
            actor=handled_by,
            action="person.deletion.defer",
            obj=party,
            request=request,
            details={"deferral": deferral},
        )
        return logged
    erase_party(party=party, erased_by=handled_by, reason="person_request", request=request)
    return _log_request(
        party=party,
        kind=PersonRequest.Kind.DELETION,
        status=PersonRequest.Status.DONE,
        note=note,
        by=handled_by,
    )
