"""The registry's own records of a divorce application (DOMAIN.md, 'Registry practice'): the
application the registry received, the events it sent about it, the files a supervisor uploaded.

ID numbers are kept only sealed, with their keyed blind index beside them (SECURITY.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .cases import Case
from .people import RegistryOffice
from .sealed import SealedModel, sealed_field


class WalkInAnswer(models.TextChoices):
    """The walk-in offer of counselling and its answer, as the bureau counts them."""

    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class RegistryApplication(SealedModel):
    """A divorce application as the registry received it: its number, date and office, and the
    two parties' ID numbers (sealed, with blind indexes). Every application has its case: a new
    one, or the one a counsellor had already opened for the same couple."""

    SEALED_FIELDS = ("id_number_1", "id_number_2")

    number = models.CharField(_("application number"), max_length=40, unique=True)
    office = models.ForeignKey(
        RegistryOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    received_on = models.DateField(_("received on"))
    index_1 = models.CharField(max_length=64, db_index=True, editable=False)
    index_2 = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_1_sealed = sealed_field()
    id_number_2_sealed = sealed_field()
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="registry_application")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    walk_in = models.CharField(
        _("counselling offer"), max_length=10, choices=WalkInAnswer.choices, blank=True
    )
    walk_in_at = models.DateTimeField(null=True, blank=True)
    walk_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("registry application")
        verbose_name_plural = _("registry applications")
        ordering = ["-received_on", "number"]
        indexes = [
            models.Index(fields=["office", "received_on"], name="registry_app_office_day_idx")
        ]

    def __str__(self) -> str:
        return self.number


class RegistryUpload(SealedModel):
    """A registry file a supervisor uploaded: its rows are sealed from the preview until they
    are imported (or the upload is discarded), then the sealed rows are destroyed."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("previewed")
        IMPORTED = "imported", _("imported")
        DISCARDED = "discarded", _("discarded")

    SEALED_FIELDS = ("rows",)

    rows_sealed = sealed_field()
    filename = models.CharField(_("file"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    summary = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registry file")
        verbose_name_plural = _("registry files")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"upload {self.uuid}"


class RegistryEvent(models.Model):
    """One event the registry sent about an application, and what it did to the case: applied,
    or waiting for the supervisor (outside its legal window, or at odds with the case record)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Application received by the registry")
        WITHDRAWN = "withdrawn", _("Withdrawn by a party")
        CERTIFICATE = "certificate", _("Certificate issued")
        DEEMED_WITHDRAWN = "deemed_withdrawn", _("Deemed withdrawn")

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        REVIEW = "review", _("for the supervisor")
        RESOLVED = "resolved", _("resolved by the supervisor")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        RegistryApplication, on_delete=models.PROTECT, related_name="events"
    )
    office = models.ForeignKey(RegistryOffice, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=30, blank=True)
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=10)
    client = models.ForeignKey(
        "ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    upload = models.ForeignKey(
        RegistryUpload, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("how it was resolved"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("registry event")
        verbose_name_plural = _("registry events")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="registry_event_once_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(status="review") | ~Q(reason=""),
                name="registry_event_review_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["office", "status"], name="registry_event_review_idx")]

    def __str__(self) -> str:
        return f"{self.application} {self.kind}"
