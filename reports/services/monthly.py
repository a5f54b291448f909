"""Making, confirming and archiving statistics reports, and recording every export: reports'
only changes of state.
May import reports' pdf, periods, document and models, mediation's audit, calendar and models;
no service and no key.

Keyword-only functions. A report starts as a draft that the browser previews (watermarked 草稿,
not numbered, not kept); a named person confirms it; it is then numbered (文号, a yearly
sequence), rendered and archived under settings.REPORT_ARCHIVE_DIR with the SHA-256 of the
bytes, so the copy sent to the bureau can be proven later (`verify_report`). A later report of
the same period and offices supersedes it; both stay in the archive. Numbers leaving the app
(exports, previews, reports made or downloaded) are audit events, written by
`mediation.audit.record_statistics_export`.
"""

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit
from mediation.calendar import month_start
from mediation.models import AuditEvent, RegistryOffice, User

from .. import document, pdf, periods
from ..models import DocumentNumber, MonthlyReport
from ..periods import Period

log = logging.getLogger("tongxin.reports")


def archive_dir() -> Path:
    return Path(settings.REPORT_ARCHIVE_DIR)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def record_export(
    *,
    action: str,
    user: User | None,
    kind: str,
    first: date,
    last: date,
    office_codes: Iterable[str],
    request: HttpRequest | None = None,
    report: MonthlyReport | None = None,
    outcome: str = AuditEvent.Outcome.OK,
) -> None:
    """Statistics leaving the system are audit events (SECURITY.md): one, from plain values,
    in the caller's transaction (the core's `record_statistics_export` builds the details)."""
    audit.record_statistics_export(
        actor=user,
        action=action,
        kind=kind,
        first=first,
        last=last,
        office_codes=office_codes,
        report=report,
        sha256=report.sha256 if report is not None else "",
        outcome=outcome,
        request=request,
    )


def _record_report(
    report: MonthlyReport,
    *,
    action: str,
    user: User | None,
    request: HttpRequest | None = None,
    outcome: str = AuditEvent.Outcome.OK,
) -> None:
    record_export(
        action=action,
        user=user,
        kind="pdf",
        first=report.month,
        last=report.last_month,
        office_codes=report.office_codes_list,
        request=request,
        report=report,
        outcome=outcome,
    )


def _validate_period(period: Period) -> Period:
    if period.first > month_start(timezone.localdate()):
        message = _("A report can only be made for a month that has begun.")
        raise ValidationError({"month": ValidationError(message, code="future")})
    return period


def _offices(report: MonthlyReport) -> list[RegistryOffice]:
    return list(report.offices.order_by("code"))


@transaction.atomic
def request_report(
    *,
    period: Period,
    offices: Iterable[RegistryOffice],
    made_by: User | None,
    scheduled: bool = False,
) -> MonthlyReport:
    """A draft report of `period` (a month, quarter or year) for `offices` (all offices when
    empty). Nothing is numbered or archived until a person confirms it (`confirm_report`)."""
    period = _validate_period(period)
    if period.kind not in periods.REPORT_KINDS:
        raise ValidationError(
            _("A report covers a month, a quarter or a year."), code="not_a_report_period"
        )
    offices = sorted(offices, key=lambda office: office.code) or list(
        RegistryOffice.objects.order_by("code")
    )
    report = MonthlyReport.objects.create(
        kind=period.kind,
        month=period.first,
        last_month=period.last,
        office_codes=",".join(office.code for office in offices),
        made_by=made_by,
        scheduled=scheduled,
        made_at=timezone.now(),
        status=MonthlyReport.Status.DRAFT,
    )
    report.offices.set(offices)
    return report


def preview_report(
    *, report: MonthlyReport, user: User, request: HttpRequest | None = None
) -> bytes:
    """The draft as the reader will see it, watermarked 草稿, without a number; kept nowhere.
    Numbers leaving the system: one `statistics.export` event (pdf)."""
    rendered, _page, _context = pdf.report(
        _offices(report), report.period, pdf.Issue(draft=True, issued_on=timezone.localdate())
    )
    _record_report(report, action="statistics.export", user=user, request=request)
    return rendered.pdf


@transaction.atomic
def confirm_report(
    *, report: MonthlyReport, confirmed_by: User | None, issuer: str = ""
) -> MonthlyReport:
    """A named person confirms the draft: it is then numbered, rendered and archived
    (`generate_report`, usually in the task worker). The document names that person as its
    maker (生成人); `issuer` names the maker when no account does (the scheduled task, or the
    server account a command was run from). Raises "not_draft" for a report already confirmed."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != MonthlyReport.Status.DRAFT:
        raise ValidationError(_("This report has already been confirmed."), code="not_draft")
    name = confirmed_by.display_name if confirmed_by is not None else issuer.strip()
    if not name:
        raise ValidationError(_("A report is confirmed by a named person."), code="no_issuer")
    report.status = MonthlyReport.Status.QUEUED
    report.confirmed_by, report.confirmed_at, report.issuer = confirmed_by, timezone.now(), name
    report.save(update_fields=["status", "confirmed_by", "confirmed_at", "issuer"])
    return report


def _take_number(report: MonthlyReport) -> None:
    """The next document number of the year the report is issued in, under the counter's lock
    (the unique constraint is the last line of defence)."""
    year = timezone.localdate(report.confirmed_at or timezone.now()).year
    with transaction.atomic():
        counter, _created = DocumentNumber.objects.select_for_update().get_or_create(year=year)
        DocumentNumber.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db()
        report.number_year, report.number_seq = year, counter.last
        report.number = document.document_number(year, counter.last)
        report.save(update_fields=["number_year", "number_seq", "number"])


def _give_back_number(report: MonthlyReport) -> None:
    """A report that could not be made gives its number back if no later one was taken, so
    the year's sequence keeps no gap."""
    if report.number_year is None or report.number_seq is None:
        return  # never numbered: nothing to give back
    with transaction.atomic():
        taken = DocumentNumber.objects.filter(
            year=report.number_year, last=report.number_seq
        ).update(last=F("last") - 1)
        if taken:
            report.number_year = report.number_seq = None
            report.number = ""
            report.save(update_fields=["number_year", "number_seq", "number"])


def _same_report(report: MonthlyReport) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(
        kind=report.kind,
        month=report.month,
        last_month=report.last_month,
        office_codes=report.office_codes,
        status=MonthlyReport.Status.DONE,
        superseded_by=None,
    ).exclude(pk=report.pk)


def archive_url(report: MonthlyReport) -> str:
    """The archive page of one report: what the document names for checking its file."""
    return document.site_url() + reverse("reports:report-detail", args=[report.uuid])


def generate_report(*, report: MonthlyReport) -> MonthlyReport:
    """Number, render and archive a confirmed report. The file is written under a temporary
    name and renamed only when complete, and its checksum is computed from the bytes on disk;
    the report it replaces (same period and offices) is marked superseded. On failure the row
    says why, no file is left behind and the number is given back. Either way one
    `report.generate` audit event names the period, the offices and the checksum, with the
    person who confirmed it as actor (none when scheduled)."""
    report = MonthlyReport.objects.get(pk=report.pk)
    if report.status == MonthlyReport.Status.DONE:
        return report
    if report.status == MonthlyReport.Status.DRAFT:
        raise ValidationError(_("A draft is archived only once it is confirmed."), code="draft")
    _progress(report, MonthlyReport.Status.RUNNING, 10)
    try:
        if not report.number:
            _take_number(report)
        replaces = _same_report(report).order_by("-finished_at", "-pk").first()
        issue = pdf.Issue(
            number=report.number,
            issuer_name=report.issuer,
            issued_on=timezone.localdate(report.confirmed_at or report.made_at),
            archive_url=archive_url(report),
            replaces=replaces.number if replaces else "",
        )
        rendered, page, context = pdf.report(_offices(report), report.period, issue)
        _progress(report, MonthlyReport.Status.RUNNING, 80)
        folder = archive_dir() / f"{report.month:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        codes = report.office_codes.replace(",", "-")
        path = folder / f"tongxin-{report.period.slug}-{codes}-{str(report.uuid)[:8]}.pdf"
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(rendered.pdf)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        os.chmod(path, 0o440)
    except Exception as error:
        log.exception("report %s failed", report.uuid)
        if report.number:
            _give_back_number(report)
        _progress(
            report,
            MonthlyReport.Status.FAILED,
            100,
            error=str(error)[:300],
            finished_at=timezone.now(),
        )
        _record_report(
            report,
            action="report.generate",
            user=report.confirmed_by,
            outcome=AuditEvent.Outcome.FAILED,
        )
        raise
    with transaction.atomic():
        _progress(
            report,
            MonthlyReport.Status.DONE,
            100,
            file_path=str(path.relative_to(archive_dir())),
            sha256=sha256_of(path),
            size=path.stat().st_size,
            pages=rendered.pages,
            audit_head=context["checkpoint"].head,
            reconciled=page.reconciled_since.text,
            finished_at=timezone.now(),
        )
        list(_same_report(report).select_for_update())
        _same_report(report).update(superseded_by=report)
        _record_report(report, action="report.generate", user=report.confirmed_by)
    return report


def make_report(
    *,
    period: Period,
    offices: Iterable[RegistryOffice],
    confirmed_by: User | None,
    issuer: str = "",
    scheduled: bool = False,
) -> MonthlyReport:
    """Request, confirm and archive at once: the command line (the person running it
    confirms) and the schedule."""
    report = request_report(
        period=period, offices=offices, made_by=confirmed_by, scheduled=scheduled
    )
    report = confirm_report(report=report, confirmed_by=confirmed_by, issuer=issuer)
    return generate_report(report=report)


def _progress(report: MonthlyReport, status: str, progress: int, **fields: object) -> None:
    """Saved outside any transaction, so the page polling for progress sees it at once."""
    report.status, report.progress = status, progress
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "progress", *fields])


def report_path(report: MonthlyReport) -> Path | None:
    if not report.file_path:
        return None
    path = (archive_dir() / report.file_path).resolve()
    if archive_dir().resolve() not in path.parents:
        return None
    return path


def verify_report(*, report: MonthlyReport) -> bool:
    """Does the archived file still have the checksum recorded when it was made?"""
    path = report_path(report)
    return bool(path and path.is_file() and sha256_of(path) == report.sha256)


def download_report(
    *, report: MonthlyReport, user: User, request: HttpRequest | None = None
) -> Path | None:
    """The archived file to hand out, or None when it no longer matches its checksum (the
    copy sent to the bureau must be provable). Either way one `report.download` audit event:
    done, or failed when the file was refused."""
    if not verify_report(report=report):
        _record_report(
            report,
            action="report.download",
            user=user,
            request=request,
            outcome=AuditEvent.Outcome.FAILED,
        )
        return None
    _record_report(report, action="report.download", user=user, request=request)
    return report_path(report)
