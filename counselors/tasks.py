"""Background tasks of the duty app (Django's Tasks API; `manage.py db_worker` runs them).
May import models and services.solving (never services.planning, which queues these tasks).
"""

from django.tasks import task

from .models import Roster
from .services.solving import run_planning


@task
def plan_roster(roster_id: int) -> str:
    """Solve a queued draft roster; a draft replaced meanwhile is skipped."""
    roster = Roster.objects.filter(pk=roster_id, status=Roster.Status.DRAFT).first()
    if roster is None:
        return "skipped"
    run_planning(roster=roster)
    return Roster.objects.get(pk=roster_id).solver_status
