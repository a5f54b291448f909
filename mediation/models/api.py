"""Clients of the REST API: system accounts the system administrator creates, each with a
token (stored hashed, shown once), the offices and endpoints it may use, and its rate limit."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import RegistryOffice


class ApiScope(models.TextChoices):
    """The endpoints a client may be given, one scope each."""

    REGISTRY_EVENTS = "registry_events", _("Post registry events")
    ROSTER = "roster", _("Read published duty rosters")
    STATISTICS = "statistics", _("Read statistics")


class ApiClient(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("client name"), max_length=60, unique=True)
    # The system account the client acts as: it records what the client does and cannot sign in.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    offices = models.ManyToManyField(RegistryOffice, related_name="+", verbose_name=_("offices"))
    scopes = models.JSONField(_("endpoints"), default=list)
    token_prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_per_minute = models.PositiveSmallIntegerField(_("requests per minute"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        return [str(ApiScope(scope).label) for scope in self.scopes if scope in ApiScope.values]


class ApiRateWindow(models.Model):
    """Requests of one client in one minute: a row per minute, counted with a conditional
    update so every application server shares the limit."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "minute"], name="api_rate_one_per_minute")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.minute:%H:%M} {self.count}"
