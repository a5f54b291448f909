"""Background work of the reports app (Django's Tasks API; `manage.py db_worker` runs it).
May import reports' services and models.
"""

from django.tasks import task

from . import services
from .models import MonthlyReport


@task
def generate_monthly_report(report_id: int) -> str:
    """Render and archive a queued report; returns its SHA-256."""
    report = services.generate_report(report=MonthlyReport.objects.get(pk=report_id))
    return report.sha256


@task
def scheduled_monthly_report() -> str:
    """Last month's report on or after the first working day; idempotent."""
    report = services.scheduled_report()
    return report.sha256 if report else ""
