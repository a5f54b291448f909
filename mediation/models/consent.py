"""Consent (DOMAIN.md: per person, per purpose, voluntary): the versioned agreements, each
party's decisions under them, and finger signatures. Imports the case models."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .cases import Party
from .sealed import SealedModel, sealed_field


class ConsentText(models.Model):
    """A versioned text the party agrees to: the MZ/T 084 confidentiality and privacy
    agreements. Texts are never edited once used; a change is a new version."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    effective_from = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Purpose(models.TextChoices):
    """What a consent covers (PIPL art. 29 wants sensitive information consented apart)."""

    COUNSELLING = "counselling", _("Counselling")
    SENSITIVE = "sensitive", _("Sensitive personal information")
    FOLLOW_UP = "follow_up", _("Follow-up contact")
    STATISTICS = "statistics", _("Anonymised statistics")
    REFERRAL = "referral", _("Sharing with a referral service")


class ConsentRecordQuerySet(models.QuerySet["ConsentRecord"]):
    def in_force(self) -> "ConsentRecordQuerySet":
        """Decisions (given or refused) not yet ended by a withdrawal or a change of mind."""
        return self.filter(DECISION_IN_FORCE)


class ConsentRecord(models.Model):
    """One decision of a party on one purpose under one version of its agreement: given or
    refused, in force until it ends (a withdrawal, or a refusal turned into agreement). A
    withdrawal is a record of its own. At most one decision per party, purpose and version is
    in force (a conditional unique constraint): the same form sent twice lands on the first."""

    class Action(models.TextChoices):
        GIVEN = "given", _("given")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    action = models.CharField(_("consent"), max_length=10, choices=Action.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    # Set by the service on the record it returns when a submission repeated one in force.
    repeat = False

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "purpose", "text"],
                condition=Q(ended_at__isnull=True, action__in=["given", "refused"]),
                name="consent_one_decision_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.purpose} {self.action}"


DECISION_IN_FORCE = Q(
    ended_at__isnull=True, action__in=[ConsentRecord.Action.GIVEN, ConsentRecord.Action.REFUSED]
)


class ConsentSignature(SealedModel):
    """A party's finger signature on the tablet under the agreements in force, sealed like a
    note (the image is personal data); opened only through a service that records the view."""

    SEALED_FIELDS = ("image",)

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="signatures")
    image_sealed = sealed_field()
    texts = models.CharField(_("agreements"), max_length=60)
    purposes = models.CharField(_("purposes agreed"), max_length=80, blank=True)
    signed_at = models.DateTimeField(_("signed at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"signature {self.uuid}"
