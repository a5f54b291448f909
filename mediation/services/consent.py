"""Consent: per party and per purpose, given or withdrawn against a versioned agreement, and
what a withdrawal stops. May import models and audit; the other services ask require_consent."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import (
    Case,
    ConsentRecord,
    ConsentText,
    CounselingSession,
    FollowUp,
    Party,
    Purpose,
    User,
)

CONSENT_FLAGS: dict[str, str] = {
    Purpose.COUNSELLING: "consent_counselling",
    Purpose.SENSITIVE: "consent_sensitive",
    Purpose.FOLLOW_UP: "consent_follow_up",
    Purpose.STATISTICS: "consent_statistics",
}


def consent_text_for(purpose: str) -> ConsentText:
    """The current version of the agreement a purpose is consented against (MZ/T 084):
    counselling under the confidentiality agreement, the rest under the privacy-protection
    agreement. Code "no_consent_text" when none is in force."""
    prefix = "BM-" if purpose == Purpose.COUNSELLING else "YS-"
    text = ConsentText.objects.filter(
        version__startswith=prefix, effective_from__lte=timezone.localdate()
    ).first()
    if text is None:
        raise ValidationError(_("No consent text is in force."), code="no_consent_text")
    return text


def require_consent(party: Party, purpose: str, message: str, code: str) -> None:
    """Refuse with `code` unless the party's consent for `purpose` is in force (DOMAIN.md:
    nothing happens without the party's consent)."""
    if not getattr(party, CONSENT_FLAGS[purpose]):
        raise ValidationError(message, code=code)


@dataclass(frozen=True)
class ConsentState:
    """One purpose on the consent page: whether it is given, and under which agreement."""

    purpose: Purpose
    given: bool
    text: ConsentText

    @property
    def value(self) -> str:
        return self.purpose.value

    @property
    def label(self) -> str:
        return str(self.purpose.label)


def consent_states(party: Party) -> list[ConsentState]:
    """The party's consent per purpose, in the order of Purpose, with the agreement in force."""
    return [
        ConsentState(
            purpose=purpose,
            given=getattr(party, CONSENT_FLAGS[purpose]),
            text=consent_text_for(purpose),
        )
        for purpose in Purpose
    ]


@transaction.atomic
def record_consent(
    *,
    case: Case,
    party: Party,
    purpose: str,
    given: bool,
    recorded_by: User,
    text: ConsentText | None = None,
    request: HttpRequest | None = None,
) -> ConsentRecord:
    """Consent per party and per purpose (PIPL art. 29: sensitive information apart), against a
    versioned text, with who and when. Every purpose rests on counselling consent (code
    counselling_consent_first). Withdrawing is as easy as giving and stops what it covers: no
    new sessions or details after counselling consent is withdrawn, no note text without
    sensitive-information consent, no follow-up calls without follow-up consent."""
    if party.case_id != case.pk:
        raise ValidationError(
            _("This person is not a party to this case."), code="party_not_in_case"
        )
    if purpose not in CONSENT_FLAGS:
        raise ValidationError(_("Unknown consent purpose."), code="purpose")
    party = Party.objects.select_for_update().get(pk=party.pk)
    if purpose != Purpose.COUNSELLING and given and not party.consent_counselling:
        raise ValidationError(
            _("Record the consent to counselling first."), code="counselling_consent_first"
        )
    text = text or consent_text_for(purpose)
    now = timezone.now()
    consent = ConsentRecord.objects.create(
        party=party,
        purpose=purpose,
        action=ConsentRecord.Action.GIVEN if given else ConsentRecord.Action.WITHDRAWN,
        text=text,
        recorded_by=recorded_by,
        recorded_at=now,
    )
    setattr(party, CONSENT_FLAGS[purpose], given)
    party.save(update_fields=[CONSENT_FLAGS[purpose]])
    if not given:
        _stop_what_consent_covered(party=party, purpose=purpose, now=now, by=recorded_by)
    audit.record(
        actor=recorded_by,
        action="consent.give" if given else "consent.withdraw",
        obj=party,
        request=request,
        details={"purpose": purpose, "text": text.version},
    )
    return consent


def _stop_what_consent_covered(*, party: Party, purpose: str, now: datetime, by: User) -> None:
    if purpose == Purpose.COUNSELLING:
        # Every purpose rests on counselling consent.
        for other, flag in CONSENT_FLAGS.items():
            if other != Purpose.COUNSELLING and getattr(party, flag):
                setattr(party, flag, False)
                ConsentRecord.objects.create(
                    party=party,
                    purpose=other,
                    action=ConsentRecord.Action.WITHDRAWN,
                    text=consent_text_for(other),
                    recorded_by=by,
                    recorded_at=now,
                )
        party.save()
        future = CounselingSession.objects.filter(
            case=party.case, status=CounselingSession.Status.BOOKED, starts_at__gte=now
        )
        future.filter(party=party).update(status=CounselingSession.Status.CANCELLED)
        future.filter(kind=CounselingSession.Kind.JOINT).update(
            status=CounselingSession.Status.CANCELLED
        )
    if purpose in (Purpose.COUNSELLING, Purpose.FOLLOW_UP):
        FollowUp.objects.filter(party=party, status=FollowUp.Status.DUE).update(
            status=FollowUp.Status.CANCELLED
        )
