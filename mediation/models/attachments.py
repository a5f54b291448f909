"""Scans attached to a case, sealed. Imports the case models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import Case, Party
from .sealed import SealedModel, sealed_field


class Attachment(SealedModel):
    """A scanned paper (a signed form, a referral reply) attached to a case: PDF, JPEG or PNG,
    its type judged from its content, its bytes and its file name sealed with the row's own data
    key. Served only through a service that checks access and records the download."""

    class Kind(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed paper form")
        REFERRAL_REPLY = "referral_reply", _("Reply to a referral")
        OTHER = "other", _("Other document")

    SEALED_FIELDS = ("content", "filename")
    # Scans are up to 10 MB: the key commands take them a few at a time.
    KEY_BATCH_SIZE = 5

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind of document"), max_length=16, choices=Kind.choices)
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    content_sealed = sealed_field()
    filename_sealed = sealed_field()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("attached at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"attachment {self.uuid}"
