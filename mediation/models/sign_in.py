"""Signing in: sessions that know their user, and the second factor (a TOTP device whose seed
is sealed, and hashed single-use backup codes). SECURITY.md, 'Administrators and sign-in'.

Nothing here opens a seed: mediation/services/two_factor.py does, only to verify a code.
"""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from .sealed import SealedModel, sealed_field


class SignInSession(AbstractBaseSession):
    """Django's database session with the signed-in user beside it (mediation.session_store
    fills it on every save), so every session of one user can be ended at once: password reset,
    deactivation, "sign out everywhere"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_sessions",
    )

    class Meta:
        verbose_name = _("sign-in session")
        verbose_name_plural = _("sign-in sessions")

    @classmethod
    def get_session_store_class(cls):
        from ..session_store import SessionStore  # noqa: PLC0415  (it imports the models)

        return SessionStore


class TotpDeviceManager(models.Manager["TotpDevice"]):
    def devices_for_user(self, user, confirmed=None):
        """django-otp's device protocol (django_otp.devices_for_user calls it)."""
        devices = self.filter(user=user)
        return devices if confirmed is None else devices.filter(confirmed=bool(confirmed))


class TotpDevice(SealedModel, Device):
    """A user's authenticator app (RFC 6238, 30-second steps, six digits), on django-otp's
    Device so that django_otp.login and OTPMiddleware mark a session as verified.

    django-otp's own TOTPDevice keeps the key as plain hex; here the seed is sealed like any
    other secret (field `seed`, base32 text). `last_step` makes every code single-use;
    `failures` and `locked_until` lock the second factor out as django-axes does passwords.
    Backup codes belong to the device: a session verified by one is marked with it too."""

    SEALED_FIELDS = ("seed",)

    seed_sealed = sealed_field()
    last_step = models.BigIntegerField(default=-1)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = TotpDeviceManager()

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")
        constraints = [models.UniqueConstraint(fields=["user"], name="totp_one_device_per_user")]

    def __str__(self) -> str:
        return f"totp:{self.user_id}"


class BackupCode(models.Model):
    """One of ten single-use codes for when the phone is lost, stored only as an HMAC-SHA256
    under the server's secret key (never the code itself)."""

    device = models.ForeignKey(TotpDevice, on_delete=models.CASCADE, related_name="backup_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="backup_code_unique")
        ]

    def __str__(self) -> str:
        return f"backup:{self.device_id}"
