"""Reminders for staff: in-app notices (the bell in the header), copied by e-mail to users who
have an address. Both apps write them; they live in the core so the arrows point one way."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("New assignment")
    SWAP = "swap", _("Swap request")
    APPROVAL = "approval", _("Approval")
    OVERDUE = "overdue", _("Overdue")
    ROSTER = "roster", _("Duty roster")
    REGISTRY = "registry", _("Registry event")


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices, blank=True)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=200, blank=True)
    # Set for reminders a sweep may raise again (an overdue item): one notice per key.
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notice_once_per_key"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread_idx")]

    def __str__(self) -> str:
        return self.text
