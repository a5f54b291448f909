"""The audit trail: an append-only, hash-chained table (SECURITY.md, 'Audit trail').

Rows are written only by mediation.audit.record(), in the transaction of the change they
describe. Database triggers (migration 0004) refuse UPDATE and DELETE on both engines.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def chain(self):
        return self.order_by("seq")


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("done")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("account"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    office_code = models.CharField(_("office"), max_length=12, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_uuid = models.CharField(_("record"), max_length=36, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["at"], name="audit_at_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class AuditChainHead(models.Model):
    """One row: the last event's hash. Appenders lock it, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head {self.last_seq}"
