"""A party's SMS contact preferences, recorded by the counsellor: the safe number a party with a
positive safety screen gave for messages, and an opt-out. May import models, audit, sealing,
consent, reminders and sealed_reads (to open the safe number with its read recorded)."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..models import ContactPreference, Party, Purpose, User
from ..sms.phones import normalise_mobile
from .consent import require_consent
from .errors import field_error, require_openable
from .reminders import cancel_for_party, opt_out
from .sealed_reads import Opened, open_sealed


def _other_numbers(party: Party) -> set[str]:
    numbers: set[str] = set()
    for other in Party.objects.filter(case_id=party.case_id).exclude(pk=party.pk):
        numbers |= {
            number
            for number in (normalise_mobile(sealing.open_fields(other, "phone")["phone"]),)
            if number
        }
        contact = ContactPreference.objects.filter(party=other).first()
        if contact is not None:
            safe = normalise_mobile(sealing.open_fields(contact, "safe_phone")["safe_phone"])
            if safe:
                numbers.add(safe)
    return numbers


@transaction.atomic
def set_contact_preferences(
    *,
    party: Party,
    updated_by: User,
    safe_phone: str = "",
    opted_out: bool = False,
    request: HttpRequest | None = None,
) -> ContactPreference:
    """Record the party's safe number (sealed) and whether they want messages at all. A safe
    number is a mainland mobile number (code phone) that the other spouse does not also use
    (code shared_number: a message there could reveal the service). Recording it needs the
    party's counselling consent (no_counselling_consent). Opting out cancels every scheduled
    message; opting in again is the party's own choice, recorded by the counsellor."""
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    require_consent(
        party,
        Purpose.COUNSELLING,
        _("Without this party's consent to counselling nothing about them may be recorded."),
        "no_counselling_consent",
    )
    contact = ContactPreference.objects.filter(party=party).first() or ContactPreference(
        party=party, updated_at=timezone.now()
    )
    require_openable(contact)
    number = ""
    if safe_phone.strip():
        number = normalise_mobile(safe_phone) or ""
        if not number:
            raise field_error("safe_phone", _("Enter an 11-digit mainland mobile number."), "phone")
        if number in _other_numbers(party):
            raise field_error(
                "safe_phone",
                _("The other spouse uses this number too; it is not safe."),
                "shared_number",
            )
    sealing.seal(contact, safe_phone=number)
    contact.updated_by, contact.updated_at = updated_by, timezone.now()
    if opted_out and contact.opted_out_at is None:
        contact.save()
        opt_out(party=party, source=ContactPreference.OptOutSource.COUNSELOR, by=updated_by)
        contact.refresh_from_db()
    elif not opted_out:
        contact.opted_out_at, contact.opted_out_source = None, ""
        contact.save()
    else:
        contact.save()
        cancel_for_party(party, "opted_out")
    audit.record(
        actor=updated_by,
        action="contact.update",
        obj=party,
        request=request,
        details={"safe_number": bool(number), "opted_out": opted_out},
    )
    return contact


def read_safe_phone(*, user: User, party: Party, request: HttpRequest | None = None) -> Opened:
    """The safe number for the counsellor's form, opened with the read recorded."""
    contact = ContactPreference.objects.filter(party=party).first()
    if contact is None or not contact.has_sealed("safe_phone"):
        return Opened({"safe_phone": None})
    return open_sealed(
        user=user, obj=contact, fields=["safe_phone"], action="party.contact.read", request=request
    )
