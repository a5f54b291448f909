"""The agreements consent is given under, and which party flag each purpose sets. May import
models only; consent and signatures share it."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ConsentText, Party, Purpose

CONSENT_FLAGS: dict[str, str] = {
    Purpose.COUNSELLING: "consent_counselling",
    Purpose.SENSITIVE: "consent_sensitive",
    Purpose.FOLLOW_UP: "consent_follow_up",
    Purpose.STATISTICS: "consent_statistics",
    Purpose.REFERRAL: "consent_referral",
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


def agreements_in_force() -> list[ConsentText]:
    """The agreements the consent page shows first, confidentiality before privacy."""
    texts = {text.version: text for text in map(consent_text_for, Purpose)}
    return sorted(texts.values(), key=lambda text: not text.version.startswith("BM-"))


def agreed_purposes(party: Party) -> list[Purpose]:
    """The purposes a party's consent is in force for, in the order of Purpose."""
    return [purpose for purpose in Purpose if getattr(party, CONSENT_FLAGS[purpose])]
