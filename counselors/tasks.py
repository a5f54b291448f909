"""Background tasks of the duty app (Django's Tasks API; `manage.py db_worker` runs them).
May import models, services.solving and services.digests (never services.planning, which queues
these tasks).
"""

from django.tasks import task

from .models import Roster
from .services.digests import send_duty_digests as send_digests
from .services.solving import run_planning


@task
def plan_roster(roster_id: int) -> str:
    """Solve a queued draft roster; a draft replaced meanwhile is skipped."""
    roster = Roster.objects.filter(pk=roster_id, status=Roster.Status.DRAFT).first()
    if roster is None:
        return "skipped"
    run_planning(roster=roster)
    return Roster.objects.get(pk=roster_id).solver_status


@task
def send_duty_digests() -> int:
    """Tomorrow's duty by e-mail to the counsellors who asked for it (run in the afternoon)."""
    return send_digests()
