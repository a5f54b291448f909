"""Signal receivers of the core app: sign-ins, sign-outs, failures, lock-outs and statistics
leaving the system are audit events."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditEvent
from .signals import statistics_exported

EXPORT_ACTIONS = frozenset({"statistics.export", "report.generate", "report.download"})
EXPORT_KINDS = frozenset({"csv", "xlsx", "pdf"})


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit.record(actor=user, action="auth.login", request=request)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="auth.logout", request=request)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = get_user_model().objects.filter(username=username).first()
    audit.record(
        actor=user,
        action="auth.login",
        outcome="denied",
        request=request,
        details={"username_known": user is not None},
    )


@receiver(user_locked_out)
def record_lockout(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first()
    audit.record(actor=user, action="auth.lockout", outcome="denied", request=request)


@receiver(statistics_exported)
def record_statistics_export(
    sender,
    user,
    action: str,
    kind: str,
    first,
    last,
    office_codes,
    request=None,
    report=None,
    sha256: str = "",
    outcome: str = AuditEvent.Outcome.OK,
    **kwargs,
):
    """Exports are audit events (SECURITY.md, 'Audit trail'): what left, in which format, for
    which months and offices. The details are built here from plain values only (codes, months,
    a checksum), so no sender can put a name into the trail."""
    if action not in EXPORT_ACTIONS or kind not in EXPORT_KINDS:
        raise ValueError(f"not a statistics export: {action!r} {kind!r}")
    details = {
        "kind": kind,
        "first": f"{first:%Y-%m}",
        "last": f"{last:%Y-%m}",
        "offices": sorted(str(code) for code in office_codes),
    }
    if sha256:
        details["sha256"] = str(sha256)
    audit.record(
        actor=user, action=action, obj=report, outcome=outcome, request=request, details=details
    )
