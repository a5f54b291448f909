"""The archive of statistics reports (each file, its number, who issued it, when, its SHA-256),
the yearly document-number counter, and the summary table.
Imports Django and reports' periods; links to mediation's models in the string form.

The SHA-256 proves later that the report sent to the bureau is the one made here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import KIND_LABELS, REPORT_KINDS, Period


class MonthlyReport(models.Model):
    """A monthly, quarterly or annual report: a draft until a named person confirms it, then
    numbered, rendered and archived; a later report of the same period and offices supersedes
    it, and both stay in the archive."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft, not yet confirmed")
        QUEUED = "queued", _("waiting to render")
        RUNNING = "running", _("rendering")
        DONE = "done", _("archived")
        FAILED = "failed", _("could not be made")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("kind of report"),
        max_length=10,
        choices=[(kind.value, KIND_LABELS[kind]) for kind in REPORT_KINDS],
        default="month",
    )
    month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
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
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Who the document names as its maker (生成人): the person who confirmed it, the server
    # account for a command run without an account, or the scheduled task.
    issuer = models.CharField(_("made by"), max_length=100, blank=True)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("report status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("statistics report")
        verbose_name_plural = _("statistics reports")
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["month", "scheduled"], name="report_month_sched_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["number_year", "number_seq"],
                condition=models.Q(number_seq__isnull=False),
                name="report_number_unique_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period.slug} {self.office_codes} {self.number or self.sha256[:12]}"

    @property
    def office_codes_list(self) -> list[str]:
        return [code for code in self.office_codes.split(",") if code]

    @property
    def period(self) -> Period:
        return Period(self.month, self.last_month)

    @property
    def superseded(self) -> bool:
        return self.superseded_by_id is not None


class DocumentNumber(models.Model):
    """The yearly sequence of document numbers (文号): the last number given in each year."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


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
    """One row: the audit event up to which the summary rows are complete, and the version of
    the figure catalogue they were counted with (a new figure means counting again)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    catalogue = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"rollup at event {self.last_seq}"
