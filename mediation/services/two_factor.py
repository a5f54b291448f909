"""The second factor: enrolling an authenticator app (a sealed seed shown once as a QR code),
checking a code or a backup code (single-use, locked out after repeated failures), new backup
codes, and the security administrator's reset. SECURITY.md, 'Administrators and sign-in'.

May import models, audit, sealing, totp and services.accounts. The seed is opened here only:
to show it while enrolling, to check a code, and for the development-only `totp_code` command.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import audit, sealing, totp
from ..models import BackupCode, TotpDevice, User
from .accounts import end_sessions, require_other_account, require_permission, require_reason

RESET = "mediation.reset_second_factor"


@dataclass(frozen=True)
class Enrolment:
    seed: str  # base32, for typing into the app by hand
    uri: str  # otpauth://, what the QR code holds
    qr_svg: str


@dataclass(frozen=True)
class Verified:
    device: TotpDevice
    method: str  # "totp" or "backup_code"
    backup_codes_left: int


def failure_limit() -> int:
    """Wrong codes are locked out like wrong passwords (django-axes' limit and cool-off)."""
    return int(settings.AXES_FAILURE_LIMIT)


def lockout_period() -> timedelta:
    return timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def device_of(user: User, *, confirmed: bool = True) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed=confirmed).first()


def is_enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


def _secrets() -> list[bytes]:
    """The keys backup codes are hashed under: SECRET_KEY, then its fallbacks (rotation)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [key.encode() if isinstance(key, str) else bytes(key) for key in keys]


def _open_seed(device: TotpDevice) -> str:
    return sealing.open_fields(device, "seed")["seed"] or ""


def _issuer() -> str:
    return str(_("Tongxin"))


def _grouped(seed: str) -> str:
    return " ".join(seed[i : i + 4] for i in range(0, len(seed), 4))


def begin_enrolment(*, user: User, request: HttpRequest | None = None) -> Enrolment:
    """The QR code for someone without a confirmed authenticator: a fresh seed, sealed, the
    first time; the same one on reload until it is confirmed. Code "already_enrolled" if the
    user has one (only the security administrator can reset it)."""
    if is_enrolled(user):
        raise ValidationError(
            _("You already use an authenticator app. Ask the security administrator to reset it."),
            code="already_enrolled",
        )
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        try:
            with transaction.atomic():
                device = TotpDevice(user=user, name="authenticator", confirmed=False)
                sealing.seal(device, seed=totp.new_seed())
                device.save()
                audit.record(actor=user, action="two_factor.enrol.begin", obj=user, request=request)
        except IntegrityError:  # the same page loaded twice at once: one seed wins
            device = TotpDevice.objects.get(user=user)
    seed = _open_seed(device)
    uri = totp.provisioning_uri(seed, account=user.username, issuer=_issuer())
    return Enrolment(
        seed=_grouped(seed),
        uri=uri,
        qr_svg=totp.qr_svg(uri, title=_("QR code for your authenticator app")),
    )


def confirm_enrolment(
    *, user: User, code: str, request: HttpRequest | None = None
) -> tuple[TotpDevice, list[str]]:
    """The first code from the app proves it holds the seed: the authenticator is confirmed
    and ten backup codes are made (returned formatted, shown once, stored only hashed).
    Codes "not_enrolling", "wrong_code", "used_code", "locked"."""
    error = None
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise ValidationError(_("Start the set-up again."), code="not_enrolling")
        error = _locked(device, request=request)
        if error is None:
            error = _check_totp(device, totp.normalise_code(code), request=request)
        if error is None:
            device.refresh_from_db()
            device.confirmed = True
            device.confirmed_at = timezone.now()
            device.save(update_fields=["confirmed", "confirmed_at"])
            codes = _replace_backup_codes(device)
            audit.record(actor=user, action="two_factor.enrol", obj=user, request=request)
    if error is not None:
        raise error
    return device, codes


def verify(*, user: User, code: str, request: HttpRequest | None = None) -> Verified:
    """Check the code from the authenticator app, or a backup code. A code is accepted once:
    a TOTP code only if its time step is later than the last one accepted, a backup code only
    while unused. After settings.AXES_FAILURE_LIMIT wrong codes the second factor is locked
    for AXES_COOLOFF_TIME hours. Codes "not_enrolled", "wrong_code", "used_code", "locked"."""
    error, verified = None, None
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise ValidationError(_("No authenticator app is set up yet."), code="not_enrolled")
        error = _locked(device, request=request)
        normalised = totp.normalise_code(code)
        if error is None and totp.is_backup_code_shaped(normalised):
            error = _check_backup_code(device, normalised, request=request)
            method = "backup_code"
        elif error is None:
            error = _check_totp(device, normalised, request=request)
            method = "totp"
        if error is None:
            left = device.backup_codes.filter(used_at__isnull=True).count()
            audit.record(
                actor=user,
                action="auth.second_factor",
                obj=user,
                request=request,
                details={"method": method, "backup_codes_left": left},
            )
            verified = Verified(device=device, method=method, backup_codes_left=left)
    if error is not None:
        raise error
    assert verified is not None
    return verified


def _locked(
    device: TotpDevice, *, request: HttpRequest | None = None, record: bool = True
) -> ValidationError | None:
    """The refusal while the second factor is locked (the attempt is recorded), or None."""
    if device.locked_until is None or device.locked_until <= timezone.now():
        return None
    if record:
        audit.record(
            actor=device.user,
            action="auth.second_factor",
            obj=device.user,
            outcome="denied",
            request=request,
            details={"refused": "locked"},
        )
    minutes = max(1, round((device.locked_until - timezone.now()).total_seconds() / 60))
    return ValidationError(
        ngettext(
            "Too many wrong codes. The second step is locked; try again in %(minutes)d minute.",
            "Too many wrong codes. The second step is locked; try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        code="locked",
    )


def _check_totp(
    device: TotpDevice, code: str, *, request: HttpRequest | None
) -> ValidationError | None:
    now = timezone.now()
    step = totp.matching_step(_open_seed(device), code, now.timestamp())
    if step is not None:
        # Single use even when two requests race: only one moves last_step forward.
        accepted = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
            last_step=step, failures=0, locked_until=None, last_used_at=now
        )
        if accepted:
            return None
        return _failure(
            device,
            "used_code",
            _(
                "This code has been used already. Wait for the next code in your authenticator "
                "app (it changes every 30 seconds) and enter that one."
            ),
            request=request,
        )
    return _wrong(device, request=request)


def _check_backup_code(
    device: TotpDevice, code: str, *, request: HttpRequest | None
) -> ValidationError | None:
    now = timezone.now()
    digests = [totp.backup_code_digest(code, key) for key in _secrets()]
    match = device.backup_codes.filter(digest__in=digests, used_at__isnull=True).first()
    if match is not None and BackupCode.objects.filter(pk=match.pk, used_at__isnull=True).update(
        used_at=now
    ):
        TotpDevice.objects.filter(pk=device.pk).update(
            failures=0, locked_until=None, last_used_at=now
        )
        return None
    return _wrong(device, request=request)


def _wrong(device: TotpDevice, *, request: HttpRequest | None) -> ValidationError:
    return _failure(
        device,
        "wrong_code",
        _(
            "The code is not right. Enter the six digits your authenticator app shows now, or "
            "one of your backup codes."
        ),
        request=request,
    )


def _failure(
    device: TotpDevice, code: str, message: str, *, request: HttpRequest | None
) -> ValidationError:
    """Count a wrong or reused code; at the limit, lock the second factor and say so."""
    device.refresh_from_db(fields=["failures"])
    failures = device.failures + 1
    locked = failures >= failure_limit()
    TotpDevice.objects.filter(pk=device.pk).update(
        failures=0 if locked else failures,
        locked_until=timezone.now() + lockout_period() if locked else None,
    )
    audit.record(
        actor=device.user,
        action="auth.second_factor",
        obj=device.user,
        outcome="denied",
        request=request,
        details={"refused": code},
    )
    if locked:
        audit.record(
            actor=device.user,
            action="auth.second_factor.lockout",
            obj=device.user,
            outcome="denied",
            request=request,
        )
        device.refresh_from_db(fields=["locked_until"])
        return _locked(device, record=False) or ValidationError(message, code="locked")
    left = failure_limit() - failures
    return ValidationError(
        [
            ValidationError(message, code=code),
            ValidationError(
                ngettext(
                    "%(left)d more wrong code locks the second step for a while.",
                    "%(left)d more wrong codes lock the second step for a while.",
                    left,
                )
                % {"left": left},
                code="attempts_left",
            ),
        ]
    )


def _replace_backup_codes(device: TotpDevice) -> list[str]:
    codes = totp.new_backup_codes()
    key = _secrets()[0]
    device.backup_codes.all().delete()
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=totp.backup_code_digest(code, key)) for code in codes
    )
    return [totp.format_backup_code(code) for code in codes]


def new_backup_codes(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten fresh backup codes for the signed-in user; the old ones stop working."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().get(user=user, confirmed=True)
        codes = _replace_backup_codes(device)
        audit.record(actor=user, action="two_factor.backup_codes", obj=user, request=request)
    return codes


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.filter(
        device__user=user, device__confirmed=True, used_at__isnull=True
    ).count()


def reset_second_factor(
    *, actor: User | None, account: User, reason: str, request: HttpRequest | None = None
) -> None:
    """The security administrator removes someone's authenticator and backup codes (a lost
    phone): the person enrols a new one at their next sign-in, and every session of theirs
    ends now. Never one's own (code "own_account"); a reason is required ("no_reason")."""
    action = "two_factor.reset"
    require_permission(actor, RESET, action=action, account=account, request=request)
    require_other_account(actor, account, action=action, request=request)
    reason = require_reason(reason)
    with transaction.atomic():
        removed, _by_model = TotpDevice.objects.filter(user=account).delete()
        ended = end_sessions(user=account)
        audit.record(
            actor=actor,
            action=action,
            obj=account,
            request=request,
            details={
                "reason": reason,
                "account": account.username,
                "had_authenticator": bool(removed),
                "sessions_ended": ended,
            },
        )


def enrol_with_seed(*, user: User, seed: str) -> TotpDevice:
    """A confirmed authenticator with a known seed, for the demo accounts (seed_demo prints the
    seeds, README lists them). Replaces any authenticator the account had."""
    totp.seed_bytes(seed)  # refuses a seed that is not base32
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        device = TotpDevice(
            user=user, name="authenticator", confirmed=True, confirmed_at=timezone.now()
        )
        sealing.seal(device, seed=seed.replace(" ", "").upper())
        device.save()
        audit.record(
            actor=None,
            action="two_factor.enrol",
            obj=user,
            details={"account": user.username, "demo": True},
        )
    return device


def current_code(*, user: User) -> str:
    """The code the user's authenticator shows now (the development-only `totp_code` command;
    it refuses to run unless DEBUG). Recorded: the seed was opened."""
    device = TotpDevice.objects.get(user=user)
    audit.record(
        actor=None, action="two_factor.code_shown", obj=user, details={"account": user.username}
    )
    return totp.code_at(_open_seed(device), timezone.now().timestamp())
