"""One gateway interface for every SMS provider, and the configured backend.

Settings (config/settings.py, from the environment): TONGXIN_SMS = {"BACKEND": dotted path,
"SIGNATURE": the registered signature, "OPTIONS": backend options, "TEMPLATES": the provider's
template id for each of our template codes}. The file backend is the default: nothing leaves.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "mediation.sms.backends.file.FileBackend"


class SmsError(Exception):
    """A send that failed; `code` is the provider's or ours."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class TransientSmsError(SmsError):
    """Try again later: the network, a timeout, the provider's rate limit."""


class PermanentSmsError(SmsError):
    """Trying again will not help: a wrong number, a template not approved, no balance."""


@dataclass(frozen=True)
class OutgoingSms:
    phone: str  # 11-digit mainland mobile number
    template: str  # our template code
    params: dict[str, str]
    text: str  # the full rendered text, signature included (console and file backends show it)
    idempotency_key: str


@dataclass(frozen=True)
class DeliveryReport:
    provider_id: str
    delivered: bool
    at: datetime | None
    code: str = ""


@dataclass(frozen=True)
class Reply:
    phone: str
    text: str
    at: datetime | None


class SmsGateway(Protocol):
    name: str

    def send(self, message: OutgoingSms) -> str:
        """Hand the message over; returns the provider's message id. Raises TransientSmsError or
        PermanentSmsError."""

    def parse_reports(self, body: bytes) -> list[DeliveryReport]:
        """Delivery reports the provider pushed to us."""

    def parse_replies(self, body: bytes) -> list[Reply]:
        """Replies (回复TD) the provider pushed to us."""


def config() -> dict[str, Any]:
    return getattr(settings, "TONGXIN_SMS", {}) or {}


def signature() -> str:
    return str(config().get("SIGNATURE") or "同心调解")


def provider_template(code: str) -> str:
    """The provider's id of one of our approved templates (the template code itself if unset)."""
    return str((config().get("TEMPLATES") or {}).get(code) or code)


def gateway() -> SmsGateway:
    settings_ = config()
    backend = import_string(settings_.get("BACKEND") or DEFAULT_BACKEND)
    return backend(**(settings_.get("OPTIONS") or {}))
