"""Finger signatures on the consent page: checked to be a small PNG, sealed with the row's own
data key, and opened only for those who may read the case, each view an audit event. May import
models, access, audit, sealing, agreements and sealed_reads."""

import base64
import binascii

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..access import Action, can
from ..filetypes import PNG, sniff
from ..models import ConsentSignature, Party, User
from .agreements import agreed_purposes, consent_text_for
from .sealed_reads import Opened, denied, open_sealed

DATA_URL_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_BYTES = 300 * 1024


def signature_png(image: str) -> bytes:
    """The PNG inside a canvas's data URL, or ValidationError (code "signature")."""
    refused = ValidationError(
        _("The signature could not be read. Please ask the party to sign again."),
        code="signature",
    )
    if not image.startswith(DATA_URL_PREFIX):
        raise refused
    try:
        png = base64.b64decode(image.removeprefix(DATA_URL_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise refused from None
    if sniff(png) != PNG or len(png) > SIGNATURE_MAX_BYTES:
        raise refused
    return png


@transaction.atomic
def record_signature(
    *, party: Party, image: str, recorded_by: User, request: HttpRequest | None = None
) -> ConsentSignature:
    """Keep a party's finger signature under the agreements in force, with the purposes they had
    agreed to when they signed. Sealed (SECURITY.md): the image never sits in the database in
    the clear. Codes: signature (not a small PNG), no_counselling_consent (nothing was agreed)."""
    png = signature_png(image)
    party = Party.objects.select_for_update().get(pk=party.pk)
    agreed = agreed_purposes(party)
    if not agreed:
        raise ValidationError(
            _("A signature confirms an agreement: record at least the consent to counselling."),
            code="no_counselling_consent",
        )
    texts = sorted({consent_text_for(purpose).version for purpose in agreed})
    signature = ConsentSignature(
        party=party,
        texts=",".join(texts),
        purposes=",".join(agreed),
        signed_at=timezone.now(),
        recorded_by=recorded_by,
    )
    sealing.seal(signature, image=base64.b64encode(png).decode("ascii"))
    signature.save()
    audit.record(
        actor=recorded_by,
        action="consent.sign",
        obj=party,
        request=request,
        details={"texts": texts, "purposes": agreed},
    )
    return signature


@transaction.atomic
def read_signature(
    *, user: User, signature: ConsentSignature, request: HttpRequest | None = None
) -> tuple[Opened, bytes]:
    """The PNG of a signature, for those who may see the party's identity (the case's
    counsellors and the office's supervisor); every view and every refusal is a
    `signature.read` event."""
    case = signature.party.case
    if not can(user, Action.READ_IDENTITY, case):
        denied(user=user, action="signature.read", obj=signature, request=request)
        return Opened(error=_("You may not see this signature.")), b""
    opened = open_sealed(
        user=user, obj=signature, fields=("image",), action="signature.read", request=request
    )
    if not opened.ok or not opened.values.get("image"):
        return opened, b""
    return opened, base64.b64decode(opened.values["image"] or "")
