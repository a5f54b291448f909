"""Clients of the REST API: the system administrator creates one (its token is shown once and
stored only hashed) or revokes it; each call is authenticated, rate-limited and audited here.
May import models and audit.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import ApiClient, ApiRateWindow, ApiScope, RegistryOffice, User
from .errors import field_error

TOKEN_PREFIX = "txk_"
RATE_LIMIT_MAX = 600
KEEP_WINDOWS = timedelta(hours=1)


def token_hash(token: str) -> str:
    """A token is 256 random bits, so a plain SHA-256 of it cannot be reversed or guessed; the
    database never holds the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    token: str  # shown once, never stored


@transaction.atomic
def create_client(
    *,
    name: str,
    offices: Iterable[RegistryOffice],
    scopes: Iterable[str],
    created_by: User,
    rate_per_minute: int = 60,
    request: HttpRequest | None = None,
) -> NewClient:
    """A system account for another system (the registry's, a dashboard): the offices it may
    act for, the endpoints it may call, its rate limit. It cannot sign in to pages. Codes: name
    (missing or taken), offices, scopes, rate."""
    name = name.strip()
    offices, scopes = list(offices), sorted(set(scopes))
    if not name:
        raise field_error("name", _("Give the client a name."), "name")
    if ApiClient.objects.filter(name=name).exists():
        raise field_error("name", _("A client of this name exists."), "name")
    if not offices:
        raise field_error("offices", _("Choose at least one office."), "offices")
    if not scopes or any(scope not in ApiScope.values for scope in scopes):
        raise field_error("scopes", _("Choose at least one endpoint."), "scopes")
    if not 1 <= rate_per_minute <= RATE_LIMIT_MAX:
        raise field_error(
            "rate_per_minute",
            _("Between 1 and %(max)s requests a minute.") % {"max": RATE_LIMIT_MAX},
            "rate",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    account = User(username=f"api-{secrets.token_hex(6)}", full_name=name[:60], is_active=False)
    account.set_unusable_password()
    account.save()
    client = ApiClient.objects.create(
        name=name,
        account=account,
        scopes=scopes,
        token_prefix=token[:12],
        token_hash=token_hash(token),
        rate_per_minute=rate_per_minute,
        created_by=created_by,
        created_at=timezone.now(),
    )
    client.offices.set(offices)
    audit.record(
        actor=created_by,
        action="api_client.create",
        obj=client,
        request=request,
        details={"scopes": scopes, "offices": sorted(office.code for office in offices)},
    )
    return NewClient(client, token)


@transaction.atomic
def revoke_client(
    *, client: ApiClient, revoked_by: User, request: HttpRequest | None = None
) -> ApiClient:
    """Revoking takes effect on the client's next call (code revoked: already)."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(_("This client is already revoked."), code="revoked")
    client.revoked_at, client.revoked_by = timezone.now(), revoked_by
    client.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=revoked_by, action="api_client.revoke", obj=client, request=request)
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The active client holding this token, or None (unknown and revoked look alike)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiClient.objects.select_related("account")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def take_request(*, client: ApiClient, now: datetime | None = None) -> bool:
    """Count one request against the client's limit for the current minute; False when the
    limit is reached. One row per client and minute, raised by a conditional update, so every
    application server and worker shares the count (SQLite and PostgreSQL alike)."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    for _attempt in range(3):
        counted = ApiRateWindow.objects.filter(
            client=client, minute=minute, count__lt=client.rate_per_minute
        ).update(count=F("count") + 1)
        if counted:
            return True
        if ApiRateWindow.objects.filter(client=client, minute=minute).exists():
            return False
        try:
            with transaction.atomic():
                ApiRateWindow.objects.create(client=client, minute=minute, count=1)
        except IntegrityError:
            continue
        ApiRateWindow.objects.filter(client=client, minute__lt=minute - KEEP_WINDOWS).delete()
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return True
    return False


def record_call(
    *,
    client: ApiClient | None,
    endpoint: str,
    status: int,
    code: str = "",
    offices: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> None:
    """Every call is an audit event: which client, which endpoint, for which offices, and how it
    ended (SECURITY.md, 'Audit trail'); denials too. Office codes go in the details, so reading
    the roster does not count as a change of an office's case data."""
    audit.record(
        actor=client.account if client else None,
        action="api.call" if status < 400 else "api.denied",
        obj=client,
        outcome="ok" if status < 400 else "denied",
        request=request,
        details={
            "endpoint": endpoint,
            "status": status,
            "code": code,
            "offices": sorted(set(offices)),
        },
    )
