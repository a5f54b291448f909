"""Background tasks of the duty app (Django's Tasks API; `manage.py db_worker` runs them)."""

from django.tasks import task

from . import services
from .models import Roster


@task
def plan_roster(roster_id: int) -> str:
    """Solve a queued draft roster; a draft replaced meanwhile is skipped."""
    roster = Roster.objects.filter(pk=roster_id, status=Roster.Status.DRAFT).first()
    if roster is None:
        return "skipped"
    services.run_planning(roster=roster)
    return Roster.objects.get(pk=roster_id).solver_status
