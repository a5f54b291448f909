"""The archive of monthly reports (each file, its maker, when, its SHA-256) and the summary table.
Imports Django only; links to mediation's models in the string form.

The SHA-256 proves later that the report sent to the bureau is the one made here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to render")
        RUNNING = "running", _("rendering")
        DONE = "done", _("ready")
        FAILED = "failed", _("could not be made")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    month = models.DateField(_("month"))
    offices = models.ManyToManyField(
        "mediation.RegistryOffice", related_name="+", verbose_name=_("offices")
    )
    office_codes = models.CharField(_("offices"), max_length=400)
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    audit_head = models.CharField(_("audit trail head"), max_length=64, blank=True)
    reconciled = models.CharField(_("reconciled couples"), max_length=12, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    scheduled = models.BooleanField(_("scheduled"), default=False)
    made_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("report status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["month", "scheduled"], name="report_month_sched_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.office_codes} {self.sha256[:12]}"

    @property
    def office_codes_list(self) -> list[str]:
        return [code for code in self.office_codes.split(",") if code]


class MonthlyFigure(models.Model):
    """A summary row: one base figure of one office in one month (reports/figures.py defines
    them, reports/queries.py counts them). Kept in step with the audit trail by reports.rollup;
    the statistics pages read these instead of counting a million cases on every request."""

    office = models.ForeignKey(
        "mediation.RegistryOffice", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    figure = models.CharField(max_length=60)
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "month", "figure"], name="figure_unique_office_month"
            )
        ]
        indexes = [models.Index(fields=["month", "office"], name="figure_month_office_idx")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.month:%Y-%m} {self.figure}={self.value}"


class RollupState(models.Model):
    """One row: the audit event up to which the summary rows are complete."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollup at event {self.last_seq}"
