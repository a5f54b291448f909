"""Accounts: creating one with a temporary password, changing its name, deactivating and
reactivating it, resetting and changing passwords, and ending a user's sessions. Every change is
an audit event with who, whom, what and why (SECURITY.md, 'Audit trail'). May import models,
audit and roles.

The system administrator manages accounts but never roles (services/grants.py); nobody acts on
their own account here: a person changes their own password through change_own_password.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from axes.utils import reset as reset_lockouts
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import SignInSession, User
from .errors import field_error

MANAGE_ACCOUNTS = "mediation.manage_accounts"
# Letters and digits that cannot be mistaken for one another when read out over the phone.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
REASON_MAX = 200


def temporary_password() -> str:
    """Sixteen random characters in groups of four (about 79 bits): handed to the person by
    phone or on paper, valid for settings.TONGXIN_TEMPORARY_PASSWORD_DAYS, changed at first use."""
    raw = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _temporary_until() -> datetime:
    return timezone.now() + timedelta(days=settings.TONGXIN_TEMPORARY_PASSWORD_DAYS)


def refuse(
    *,
    actor: User | None,
    action: str,
    account: User | None,
    why: str,
    request: HttpRequest | None = None,
) -> None:
    """Record a refused attempt in the trail, in its own transaction: it stays even though the
    change it describes never happens."""
    audit.record(
        actor=actor,
        action=action,
        obj=account,
        outcome="denied",
        request=request,
        details={"refused": why, **_whom(account)},
    )


def require_permission(
    actor: User | None,
    permission: str,
    *,
    action: str,
    account: User | None,
    request: HttpRequest | None = None,
) -> None:
    """Refuse (PermissionDenied, and the attempt in the trail) unless `actor` holds the
    permission. No actor means the shell, whose user already owns the server."""
    if actor is not None and not actor.has_perm(permission):
        refuse(actor=actor, action=action, account=account, why="permission", request=request)
        raise PermissionDenied


def require_other_account(
    actor: User | None, account: User, *, action: str, request: HttpRequest | None = None
) -> None:
    """Nobody changes their own account through the administrators' pages (三员分立): code
    "own_account", and the attempt in the trail."""
    if actor is not None and actor.pk == account.pk:
        refuse(actor=actor, action=action, account=account, why="own_account", request=request)
        raise ValidationError(
            _("Nobody may change their own account here; another administrator must do it."),
            code="own_account",
        )


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why (it is kept in the audit trail)."), "no_reason")
    if len(reason) > REASON_MAX:
        raise field_error(
            "reason",
            _("Keep the reason under %(limit)d characters.") % {"limit": REASON_MAX},
            "reason_too_long",
        )
    return reason


def _whom(account: User | None) -> dict[str, Any]:
    return {"account": account.username} if account is not None else {}


def end_sessions(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete every session of the user (but the one named, if any): those browsers are signed
    out on their next request, and reactivating the account never brings them back."""
    sessions = SignInSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    deleted, _by_model = sessions.delete()
    return deleted


def create_account(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    email: str = "",
    reason: str,
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """A new account with no role and a temporary password the person changes at their first
    sign-in (then enrols their authenticator). Returns the account and that password, which is
    shown once and never stored. Codes: "username_taken", "no_reason"."""
    require_permission(
        actor, MANAGE_ACCOUNTS, action="account.create", account=None, request=request
    )
    reason = require_reason(reason)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise field_error("username", _("This account name is taken."), "username_taken")
    password = temporary_password()
    with transaction.atomic():
        user = User(username=username, full_name=full_name.strip(), email=email.strip())
        user.set_password(password)
        user.temporary_password_until = _temporary_until()
        user.full_clean()
        user.save()
        audit.record(
            actor=actor,
            action="account.create",
            obj=user,
            request=request,
            details={"reason": reason, **_whom(user)},
        )
    return user, password


def update_account(
    *,
    actor: User | None,
    account: User,
    full_name: str,
    email: str,
    request: HttpRequest | None = None,
) -> list[str]:
    """Change the name and e-mail address; the trail names the fields changed, not their
    values. Returns the fields changed."""
    require_permission(
        actor, MANAGE_ACCOUNTS, action="account.update", account=account, request=request
    )
    changed = [
        name
        for name, value in (("full_name", full_name.strip()), ("email", email.strip()))
        if getattr(account, name) != value
    ]
    if not changed:
        return []
    with transaction.atomic():
        account.full_name, account.email = full_name.strip(), email.strip()
        account.full_clean()
        account.save(update_fields=changed)
        audit.record(
            actor=actor,
            action="account.update",
            obj=account,
            request=request,
            details={"fields": changed, **_whom(account)},
        )
    return changed


def deactivate_account(
    *, actor: User | None, account: User, reason: str, request: HttpRequest | None = None
) -> None:
    """The account can no longer sign in, and every session it has is deleted now (not merely
    refused: reactivating it must not bring an old session back). Codes "own_account",
    "already_inactive", "no_reason"."""
    action = "account.deactivate"
    require_permission(actor, MANAGE_ACCOUNTS, action=action, account=account, request=request)
    require_other_account(actor, account, action=action, request=request)
    reason = require_reason(reason)
    if not account.is_active:
        raise ValidationError(_("This account is already deactivated."), code="already_inactive")
    with transaction.atomic():
        account.is_active = False
        account.save(update_fields=["is_active"])
        ended = end_sessions(user=account)
        audit.record(
            actor=actor,
            action=action,
            obj=account,
            request=request,
            details={"reason": reason, "sessions_ended": ended, **_whom(account)},
        )


def reactivate_account(
    *, actor: User | None, account: User, reason: str, request: HttpRequest | None = None
) -> None:
    """Codes "own_account", "already_active", "no_reason"."""
    action = "account.reactivate"
    require_permission(actor, MANAGE_ACCOUNTS, action=action, account=account, request=request)
    require_other_account(actor, account, action=action, request=request)
    reason = require_reason(reason)
    if account.is_active:
        raise ValidationError(_("This account is already active."), code="already_active")
    with transaction.atomic():
        account.is_active = True
        account.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=action,
            obj=account,
            request=request,
            details={"reason": reason, **_whom(account)},
        )


def reset_password(
    *, actor: User | None, account: User, reason: str, request: HttpRequest | None = None
) -> str:
    """A new temporary password (returned, shown once) that must be changed at the next
    sign-in; every session of the account ends and its sign-in lock-outs are lifted. The second
    factor stays: a password alone still opens nothing. Codes "own_account", "no_reason"."""
    action = "account.password.reset"
    require_permission(actor, MANAGE_ACCOUNTS, action=action, account=account, request=request)
    require_other_account(actor, account, action=action, request=request)
    reason = require_reason(reason)
    password = temporary_password()
    with transaction.atomic():
        account.set_password(password)
        account.temporary_password_until = _temporary_until()
        account.save(update_fields=["password", "temporary_password_until"])
        ended = end_sessions(user=account)
        audit.record(
            actor=actor,
            action=action,
            obj=account,
            request=request,
            details={"reason": reason, "sessions_ended": ended, **_whom(account)},
        )
    reset_lockouts(username=account.username)
    return password


def change_own_password(
    *,
    user: User,
    new_password: str,
    keep_session_key: str | None = None,
    request: HttpRequest | None = None,
) -> int:
    """The person sets a password of their own (the form has checked the old one): the
    temporary flag goes, every other session of theirs ends. Returns the sessions ended.
    Raises ValidationError from the password validators (AUTH_PASSWORD_VALIDATORS)."""
    validate_password(new_password, user)
    with transaction.atomic():
        was_temporary = user.must_change_password
        user.set_password(new_password)
        user.temporary_password_until = None
        user.save(update_fields=["password", "temporary_password_until"])
        ended = end_sessions(user=user, keep_session_key=keep_session_key)
        audit.record(
            actor=user,
            action="account.password.change",
            obj=user,
            request=request,
            details={"was_temporary": was_temporary, "sessions_ended": ended},
        )
    return ended


def sign_out_everywhere(*, user: User, request: HttpRequest | None = None) -> int:
    """End every session of the user, this one included (a tablet left signed in elsewhere)."""
    with transaction.atomic():
        ended = end_sessions(user=user)
        audit.record(
            actor=user,
            action="account.sessions.end",
            obj=user,
            request=request,
            details={"sessions_ended": ended},
        )
    return ended
