"""Background work of the reports app (Django's Tasks API; `manage.py db_worker` runs it).
May import reports' services and models.
"""

from django.tasks import task

from . import services
from .models import MonthlyReport


@task
def generate_monthly_report(report_id: int) -> str:
    """Number, render and archive a confirmed report; returns its SHA-256."""
    report = services.generate_report(report=MonthlyReport.objects.get(pk=report_id))
    return report.sha256


@task
def scheduled_monthly_report() -> list[str]:
    """The reports due today (last month's, last quarter's, last year's); idempotent."""
    return [report.sha256 for report in services.scheduled_reports()]
