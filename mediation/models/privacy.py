"""Privacy (PIPL arts. 44-47, 55): requests from the people in the cases, the identity
corrections they asked for, legal holds on cases, and the security administrator's register of
processing activities and impact assessment. Imports the case models."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .cases import Case, Party
from .sealed import SealedModel, sealed_field


class LegalHold(models.Model):
    """A case that must be kept (a court's request, a complaint under way): purge and deletion
    requests skip it until a supervisor lifts the hold. At most one hold in force per case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=200)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.CharField(_("reason for lifting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(lifted_at__isnull=True),
                name="legal_hold_one_in_force_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.pk} on {self.case_id}"


class PersonRequest(models.Model):
    """A request of a person about their data in one case (PIPL arts. 44-47): a copy, a
    correction or a deletion, with who handled it, what was done, and a deferral's legal
    reason. Names and ID numbers are never stored here."""

    class Kind(models.TextChoices):
        COPY = "copy", _("Copy of their data")
        CORRECTION = "correction", _("Correction of their identity")
        DELETION = "deletion", _("Deletion of their data")

    class Status(models.TextChoices):
        DONE = "done", _("carried out")
        DEFERRED = "deferred", _("deferred")

    class Deferral(models.TextChoices):
        LEGAL_HOLD = "legal_hold", _("The case is under a legal hold")
        LEGAL_DUTY = "legal_duty", _("A law requires the data to be kept")
        PROCEEDINGS = "proceedings", _("Needed for legal proceedings under way")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    deferral = models.CharField(
        _("why it waits"), max_length=12, choices=Deferral.choices, blank=True
    )
    note = models.CharField(_("remarks"), max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"))

    class Meta:
        verbose_name = _("person's request")
        verbose_name_plural = _("persons' requests")
        ordering = ["-handled_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} ({self.party_id})"


class IdentityCorrection(SealedModel):
    """A corrected identity field: the value before the correction, sealed under the row's own
    data key, with who corrected it and why. Shredded with the party's other sealed data."""

    SEALED_FIELDS = ("old_value",)

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("field"), max_length=12)
    old_value_sealed = sealed_field()
    reason = models.CharField(_("reason"), max_length=200)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected at"))

    class Meta:
        ordering = ["corrected_at", "pk"]

    def __str__(self) -> str:
        return f"correction {self.uuid}"


class PrivacyDocument(models.Model):
    """A version of the register of processing activities or of the PIPL art. 55 impact
    assessment, kept by the security administrator. Every save is a new version."""

    class Kind(models.TextChoices):
        REGISTER = "register", _("Register of processing activities")
        ASSESSMENT = "assessment", _("Personal information protection impact assessment")

    kind = models.CharField(_("document"), max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("privacy document")
        verbose_name_plural = _("privacy documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="privacy_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class ScrubPending(models.Model):
    """A table whose freed row versions may still hold shredded data keys: scrubbed after the
    shredding commits, and again by the nightly purge until no older transaction can see them
    (PostgreSQL; services/erasure.py). `xid` is the shredding transaction's id there."""

    table = models.CharField(max_length=63, unique=True)
    xid = models.BigIntegerField(null=True)
    since = models.DateTimeField()

    def __str__(self) -> str:
        return self.table
