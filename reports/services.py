"""Making and archiving monthly reports, and recording every export: reports' only changes of state.
May import reports' pdf and models, mediation's audit, calendar and models; no service and no key.

Keyword-only functions; each archived report keeps its file under settings.REPORT_ARCHIVE_DIR,
who asked for it, when, and the SHA-256 of the bytes, so the copy sent to the bureau can be
proven later (`verify_report`). Numbers leaving the app (exports, reports made or downloaded)
are audit events, written by `mediation.audit.record_statistics_export`.
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
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit
from mediation.calendar import month_start, previous_month
from mediation.models import AuditEvent, OfficialCalendarYear, RegistryOffice, User

from . import pdf
from .models import MonthlyReport

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
        last=report.month,
        office_codes=report.office_codes_list,
        request=request,
        report=report,
        outcome=outcome,
    )


def _validate_month(month: date) -> date:
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        message = _("A report can only be made for a month that has begun.")
        raise ValidationError({"month": ValidationError(message, code="future")})
    return month


@transaction.atomic
def request_report(
    *,
    month: date,
    offices: Iterable[RegistryOffice],
    made_by: User | None,
    scheduled: bool = False,
) -> MonthlyReport:
    """Queue a report of `month` for `offices` (all offices when empty); rendering happens in
    `generate_report`, usually in the task worker."""
    month = _validate_month(month)
    offices = sorted(offices, key=lambda office: office.code) or list(
        RegistryOffice.objects.order_by("code")
    )
    report = MonthlyReport.objects.create(
        month=month,
        office_codes=",".join(office.code for office in offices),
        made_by=made_by,
        scheduled=scheduled,
        made_at=timezone.now(),
    )
    report.offices.set(offices)
    return report


def _progress(report: MonthlyReport, status: str, progress: int, **fields: object) -> None:
    """Saved outside any transaction, so the page polling for progress sees it at once."""
    report.status, report.progress = status, progress
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "progress", *fields])


def generate_report(*, report: MonthlyReport) -> MonthlyReport:
    """Render the report and archive it. The file is written under a temporary name and renamed
    only when complete, and its checksum is computed from the bytes on disk. On failure the row
    says why and no file is left behind. Either way one `report.generate` audit event names
    the month, the offices and the checksum, with the maker as actor (none when scheduled)."""
    report = MonthlyReport.objects.get(pk=report.pk)
    if report.status == MonthlyReport.Status.DONE:
        return report
    _progress(report, MonthlyReport.Status.RUNNING, 10)
    offices = list(report.offices.order_by("code"))
    made_by = report.made_by.display_name if report.made_by else _("scheduled generation")
    try:
        rendered, page, context = pdf.monthly_report(
            offices, report.month, made_by=made_by, made_at=report.made_at
        )
        _progress(report, MonthlyReport.Status.RUNNING, 80)
        folder = archive_dir() / f"{report.month:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"tongxin-{report.month:%Y-%m}-{report.office_codes.replace(',', '-')}"
        path = folder / f"{name}-{str(report.uuid)[:8]}.pdf"
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(rendered.pdf)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        os.chmod(path, 0o440)
    except Exception as error:
        log.exception("monthly report %s failed", report.uuid)
        _progress(
            report,
            MonthlyReport.Status.FAILED,
            100,
            error=str(error)[:300],
            finished_at=timezone.now(),
        )
        _record_report(
            report, action="report.generate", user=report.made_by, outcome=AuditEvent.Outcome.FAILED
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
            audit_head=context["audit_head"],
            reconciled=page.reconciled.text,
            finished_at=timezone.now(),
        )
        _record_report(report, action="report.generate", user=report.made_by)
    return report


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


def first_working_day(month: date) -> date:
    """The first working day of a month by the official calendar (weekends and holidays off,
    make-up working days on). For a year not loaded yet only weekends are known."""
    calendar = OfficialCalendarYear.objects.calendar([month.year])
    return calendar.next_working_day(month_start(month))


def scheduled_report(*, today: date | None = None) -> MonthlyReport | None:
    """On or after the first working day of a month, make last month's report of all offices,
    once: a second run (cron twice, or a run on a later day) finds it made and does nothing.
    Returns the report made now, or None."""
    today = today or timezone.localdate()
    if today < first_working_day(today):
        return None
    month = previous_month(today)
    with transaction.atomic():
        # One scheduled report per month, even if two runs start together.
        list(RegistryOffice.objects.select_for_update().order_by("code"))
        existing = MonthlyReport.objects.filter(
            month=month, scheduled=True, status__in=["queued", "running", "done"]
        ).exists()
        if existing:
            return None
        report = request_report(month=month, offices=[], made_by=None, scheduled=True)
    return generate_report(report=report)
