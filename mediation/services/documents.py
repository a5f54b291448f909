"""Case documents printed as PDFs: the consent form, the MZ/T 084 record form, a referral letter
and a one-page case summary. Each opens only what its reader may see (through sealed_reads, so
every opening is recorded), is rendered in Chinese by mediation/pdf.py, and each print is a
`document.print` event. May import models, access, audit, pdf and the sealed-reading services."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import audit, pdf
from ..access import Action, can
from ..models import (
    Case,
    Category,
    CounsellingResult,
    Party,
    Referral,
    Satisfaction,
    SessionNote,
    User,
)
from ..models.notes import NOTE_SECTION_LABELS, NOTE_SECTIONS
from .agreements import agreed_purposes, agreements_in_force
from .consent import consent_states
from .sealed_reads import Opened, OpenedNote, read_note, read_party_identity, read_referral_reason

CONSENT_FORM = "consent_form"
RECORD_FORM = "record_form"
REFERRAL_LETTER = "referral_letter"
CASE_SUMMARY = "case_summary"


@dataclass(frozen=True)
class Document:
    """A printed document: what it is, the file name it is served under, the PDF."""

    kind: str
    filename: str
    pdf: bytes
    pages: int


def require_work(user: User, case: Case) -> None:
    """Documents carry names and notes: only the case's counsellors print them (code
    not_assigned); views reach the case through the door first, so this is the second lock."""
    if not can(user, Action.WORK, case):
        raise ValidationError(
            _("Only the counsellors of this case may print its documents."), code="not_assigned"
        )


@transaction.atomic
def identities(
    *,
    user: User,
    parties: Iterable[Party],
    fields: tuple[str, ...],
    request: HttpRequest | None = None,
) -> dict[int, Opened]:
    """The parties' sealed identity fields a document prints, each opening recorded; one
    transaction so the document's reads commit together."""
    return {
        party.pk: read_party_identity(user=user, party=party, request=request, fields=fields)
        for party in parties
    }


def render(
    *,
    kind: str,
    case: Case,
    user: User,
    template: str,
    context: dict[str, Any],
    request: HttpRequest | None = None,
    obj: Model | None = None,
) -> Document:
    """Render the document in Chinese (the registry's paper forms are Chinese whatever the
    reader's language), then record the print; nothing is recorded when rendering fails."""
    with translation.override("zh-hans"):
        html = render_to_string(
            template,
            {
                **context,
                "case": case,
                "printed_at": timezone.localtime(),
                "printed_by": user,
                "font_family": pdf.FONT_FAMILY,
            },
        )
    rendered = pdf.render_pdf(html)
    audit.record(
        actor=user,
        action="document.print",
        obj=obj or case,
        office=case.office,
        request=request,
        details={"document": kind, "pages": rendered.pages},
    )
    return Document(kind, f"{case.number}-{kind}.pdf", rendered.pdf, rendered.pages)


def consent_form(*, case: Case, user: User, request: HttpRequest | None = None) -> Document:
    """The printable consent form: the agreements with their versions and full text, the
    parties, each purpose with the answers recorded so far, and signature lines for a wet
    signature (书面同意)."""
    require_work(user, case)
    parties = list(case.parties.all())
    names = identities(user=user, parties=parties, fields=("name",), request=request)
    states = {party.pk: consent_states(party) for party in parties}
    purposes = [
        (state.purpose, [(party, states[party.pk][index]) for party in parties])
        for index, state in enumerate(states[parties[0].pk])
    ]
    return render(
        kind=CONSENT_FORM,
        case=case,
        user=user,
        request=request,
        template="mediation/documents/consent_form.html",
        context={
            "agreements": agreements_in_force(),
            "parties": [(party, names[party.pk]) for party in parties],
            "purposes": purposes,
        },
    )


def referral_sharing(referral: Referral) -> list[Party]:
    """The parties whose details a referral letter may carry: those the referral concerns who
    consented to sharing with a referral service (PIPL art. 23)."""
    concerned = [referral.party] if referral.party else list(referral.case.parties.all())
    return [party for party in concerned if party.consent_referral]


def _assigned_names(case: Case) -> list[str]:
    return [
        assignment.counselor.display_name
        for assignment in case.assignments.filter(ended_at__isnull=True).select_related("counselor")
    ]


@transaction.atomic
def _signed_notes(*, user: User, case: Case, request: HttpRequest | None) -> list[dict[str, Any]]:
    """Signed notes of held sessions, oldest first, each opened (and its reading recorded);
    drafts are not the record and are not printed."""
    notes = (
        SessionNote.objects.filter(session__case=case, status=SessionNote.Status.SIGNED)
        .select_related("session__party", "author")
        .order_by("session__starts_at", "created_at")
    )
    printed = []
    for note in notes:
        note.session.case = case
        opened = read_note(user=user, note=note, request=request)
        printed.append({"note": note, "opened": opened, "sections": note_sections(opened)})
    return printed


def note_sections(opened: OpenedNote) -> list[tuple[str, str]]:
    """(label, text) of a note's filled sections, in the record form's order."""
    if not opened.ok:
        return []
    return [
        (str(NOTE_SECTION_LABELS[name]), opened.values[name] or "")
        for name in NOTE_SECTIONS
        if opened.values.get(name)
    ]


def record_form(*, case: Case, user: User, request: HttpRequest | None = None) -> Document:
    """The MZ/T 084 婚姻家庭辅导记录表 as the registry's paper form lays it out: counsellor; per
    party name, sex, marital status, years married, education, ID number, occupation, phone;
    the category; the interview notes and assessment (signed notes); the counselling result and
    the satisfaction."""
    require_work(user, case)
    parties = list(case.parties.all())
    opened = identities(
        user=user, parties=parties, fields=("name", "id_number", "phone"), request=request
    )
    with translation.override("zh-hans"):
        notes = _signed_notes(user=user, case=case, request=request)
    return render(
        kind=RECORD_FORM,
        case=case,
        user=user,
        request=request,
        template="mediation/documents/record_form.html",
        context={
            "parties": [(party, opened[party.pk]) for party in parties],
            "counselors": _assigned_names(case),
            "categories": Category.choices,
            "results": CounsellingResult.choices,
            "ratings": Satisfaction.Rating.choices,
            "satisfaction": case.satisfaction.select_related("party"),
            "notes": notes,
        },
    )


def referral_letter(
    *, referral: Referral, user: User, request: HttpRequest | None = None
) -> Document:
    """A referral letter (转介函) to the service a case was referred to, carrying only what the
    party consented to share (PIPL art. 23): name, sex, year of birth and phone of each party
    who agreed to sharing with a referral service, and the reason only when every party it
    concerns agreed to sharing and to sensitive information; otherwise the letter asks the
    service to contact the mediation room."""
    case = referral.case
    require_work(user, case)
    concerned = [referral.party] if referral.party else list(case.parties.all())
    sharing = referral_sharing(referral)
    opened = identities(user=user, parties=sharing, fields=("name", "phone"), request=request)
    reason = None
    if concerned and all(p.consent_referral and p.consent_sensitive for p in concerned):
        reason = read_referral_reason(user=user, referral=referral, request=request)
    return render(
        kind=REFERRAL_LETTER,
        case=case,
        user=user,
        request=request,
        obj=referral,
        template="mediation/documents/referral_letter.html",
        context={
            "referral": referral,
            "concerned": concerned,
            "sharing": [(party, opened[party.pk]) for party in sharing],
            "withheld": [party for party in concerned if party not in sharing],
            "reason": reason,
            "counselors": _assigned_names(case),
        },
    )


def case_summary(*, case: Case, user: User, request: HttpRequest | None = None) -> Document:
    """A one-page summary for the counsellor: deadlines, parties and their consents, screens'
    results, sessions, the result and outcomes, referrals and follow-ups — never note text,
    screening answers or referral reasons."""
    require_work(user, case)
    parties = list(case.parties.prefetch_related("screens"))
    names = identities(user=user, parties=parties, fields=("name",), request=request)
    return render(
        kind=CASE_SUMMARY,
        case=case,
        user=user,
        request=request,
        template="mediation/documents/case_summary.html",
        context={
            "parties": [
                (party, names[party.pk], agreed_purposes(party), list(party.screens.all()))
                for party in parties
            ],
            "counselors": _assigned_names(case),
            "sessions": case.sessions.select_related("party").order_by("starts_at"),
            "signed_notes": SessionNote.objects.filter(
                session__case=case, status=SessionNote.Status.SIGNED
            ).count(),
            "outcomes": case.outcomes.select_related("recorded_by", "voided_by"),
            "referrals": case.referrals.select_related("party"),
            "follow_ups": case.follow_ups.select_related("party"),
        },
    )
