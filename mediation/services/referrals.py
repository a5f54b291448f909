"""Referrals: sending a couple or one party to another service (legal aid, anti-domestic-violence
help, mental-health care), the reason sealed. May import models, audit and sealing."""

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..models import Case, Party, Referral, User
from .errors import field_error


@transaction.atomic
def refer(
    *,
    case: Case,
    destination: str,
    reason: str,
    referred_on: date,
    referred_by: User,
    party: Party | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Record a referral (DOMAIN.md, 'Outcomes': referred, with the referral recorded); the
    free-text reason is sealed (SECURITY.md). Codes: party_not_in_case, future."""
    if party is not None and party.case_id != case.pk:
        raise field_error(
            "party", _("This person is not a party to this case."), "party_not_in_case"
        )
    if referred_on > timezone.localdate():
        raise field_error("referred_on", _("The date cannot be in the future."), "future")
    referral = Referral(
        case=case,
        party=party,
        destination=destination,
        referred_on=referred_on,
        referred_by=referred_by,
    )
    referral.full_clean(exclude=["case", "party", "referred_by"])
    sealing.seal(referral, reason=reason.strip())
    referral.save()
    audit.record(
        actor=referred_by,
        action="referral.create",
        obj=referral,
        request=request,
        details={"destination": destination},
    )
    return referral
