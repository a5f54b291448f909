"""Contacting parties by SMS: a party's contact preferences (the safe number after a positive
safety screen, an opt-out) and every reminder message with its delivery status.

The safe number is sealed. A message keeps no number at all, only the keyed blind index of the
number it went to, so a reply (回复TD) finds its party without any number in the clear.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import Case, CounselingSession, FollowUp, Party
from .sealed import SealedModel, sealed_field


class ContactPreference(SealedModel):
    """What a party said about being contacted by SMS."""

    class OptOutSource(models.TextChoices):
        REPLY = "reply", _("replied TD")
        COUNSELOR = "counselor", _("told the counsellor")

    SEALED_FIELDS = ("safe_phone",)

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="contact")
    safe_phone_sealed = sealed_field()
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    opted_out_source = models.CharField(max_length=10, choices=OptOutSource.choices, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return f"contact {self.party_id}"

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class SmsMessage(models.Model):
    """One reminder to one party. The idempotency key makes scheduling and sending it again
    harmless: a retry finds the row, never a second message."""

    class Kind(models.TextChoices):
        SESSION = "session_reminder", _("Session reminder")
        FOLLOW_UP = "follow_up_reminder", _("Follow-up reminder")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        UNDELIVERED = "undelivered", _("not delivered")
        FAILED = "failed", _("failed")
        WITHHELD = "withheld", _("not sent")
        CANCELLED = "cancelled", _("cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("message"), max_length=20, choices=Kind.choices)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="sms_messages")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        CounselingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    template = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    send_after = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    reason = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    backend = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=80, blank=True, db_index=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["-send_after", "-pk"]
        indexes = [models.Index(fields=["status", "send_after"], name="sms_due_idx")]

    def __str__(self) -> str:
        return f"sms {self.uuid} {self.status}"
