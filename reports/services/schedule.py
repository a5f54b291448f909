"""The schedule: on the first working day of a month, the reports that fall due (last month's,
and last quarter's and last year's when one ended), made once each through the same services
as a report asked for by hand. May import reports' periods and models, mediation's calendar and
models."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.calendar import month_start
from mediation.models import OfficialCalendarYear, RegistryOffice

from .. import periods
from ..models import MonthlyReport
from .monthly import confirm_report, generate_report, request_report


def first_working_day(month: date) -> date:
    """The first working day of a month by the official calendar (weekends and holidays off,
    make-up working days on). For a year not loaded yet only weekends are known."""
    calendar = OfficialCalendarYear.objects.calendar([month.year])
    return calendar.next_working_day(month_start(month))


def scheduled_reports(*, today: date | None = None) -> list[MonthlyReport]:
    """The schedule (periods.due_reports): on the first working day of a month last month's
    report of all offices, of a quarter also last quarter's, of a year also last year's; once
    each: a second run (cron twice, or a later day of the month) finds them made. Periods that
    ended before the first room opened are skipped. Returns the reports made now."""
    today = today or timezone.localdate()
    calendar = OfficialCalendarYear.objects.calendar([today.year])
    opened = (
        RegistryOffice.objects.exclude(opened_on=None)
        .order_by("opened_on")
        .values_list("opened_on", flat=True)
        .first()
    )
    made = []
    for period in periods.due_reports(today, calendar):
        if opened and period.last < month_start(opened):
            continue
        with transaction.atomic():
            # One scheduled report per period, even if two runs start together.
            list(RegistryOffice.objects.select_for_update().order_by("code"))
            existing = MonthlyReport.objects.filter(
                kind=period.kind,
                month=period.first,
                last_month=period.last,
                scheduled=True,
                status__in=["queued", "running", "done"],
            ).exists()
            if existing:
                continue
            report = request_report(period=period, offices=[], made_by=None, scheduled=True)
            report = confirm_report(report=report, confirmed_by=None, issuer=_("scheduled task"))
        made.append(generate_report(report=report))
    return made
