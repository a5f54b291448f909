"""Case documents printed as PDFs: the consent form, the MZ/T 084 record form, a referral letter
and a one-page case summary. Each opens only what its reader may see (through sealed_reads, so
every opening is recorded), is rendered in Chinese by mediation/pdf.py, and each print is a
`document.print` event. May import models, access, audit, pdf and the sealed-reading services."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import audit, pdf
from ..access import Action, can
from ..models import Case, Party, Referral
from .agreements import agreements_in_force
from .consent import consent_states
from .sealed_reads import Opened, read_party_identity

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


def require_work(user: Any, case: Case) -> None:
    """Documents carry names and notes: only the case's counsellors print them (code
    not_assigned); views reach the case through the door first, so this is the second lock."""
    if not can(user, Action.WORK, case):
        raise ValidationError(
            _("Only the counsellors of this case may print its documents."), code="not_assigned"
        )


@transaction.atomic
def identities(
    *,
    user: Any,
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
    user: Any,
    template: str,
    context: dict[str, Any],
    request: HttpRequest | None = None,
    obj: Any = None,
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


def consent_form(*, case: Case, user: Any, request: HttpRequest | None = None) -> Document:
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
