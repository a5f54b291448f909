"""Signal receivers of the core app: Django's sign-ins, sign-outs and failures and django-axes'
lock-outs are audit events. The core sends no signals of its own: a service calls the next one."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


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
