"""Coded errors shared by the case-work services: an error next to one form field, and the
refusal to write over sealed values that do not open. May import crypto, sealing and models."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import crypto, sealing
from ..models import SealedModel


def field_error(field_name: str, message: str, code: str) -> ValidationError:
    """An error that belongs next to one field of the form, with a code tests and views can use."""
    return ValidationError({field_name: ValidationError(message, code=code)})


def key_unavailable_message() -> str:
    """SECURITY.md, 'Failure is loud': the row's key id is not loaded."""
    return _(
        "The encryption key of this record is not available. "
        "Please contact the system administrator."
    )


def integrity_failed_message() -> str:
    """SECURITY.md, 'Failure is loud': moved, altered, or sealed under another key."""
    return _("This record failed its integrity check. The administrator has been notified.")


def require_openable(obj: SealedModel) -> None:
    """Saving over sealed values that do not open would destroy them: refuse instead, with code
    "key_unavailable" or "integrity" (SECURITY.md, 'the form is disabled with the reason')."""
    if obj.wrapped_key is None:
        return
    try:
        sealing.data_key(obj)
    except crypto.KeyUnavailable:
        raise ValidationError(key_unavailable_message(), code="key_unavailable") from None
    except crypto.IntegrityFailure:
        raise ValidationError(integrity_failed_message(), code="integrity") from None
