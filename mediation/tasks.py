"""Background tasks of the core (Django's Tasks API; `manage.py db_worker` runs them).
May import audit and services."""

from django.tasks import task

from . import audit
from .services import reminders, retention, staff_reminders


@task
def link_audit_events() -> int:
    """Link the audit events that writers under sustained load left waiting (mediation/audit.py,
    HOLD_LIMIT) and write a checkpoint; returns how many were linked."""
    return audit.chain_pending()


@task
def send_sms(message_id: int) -> str:
    """Send one scheduled reminder when its time has come; safe to run twice."""
    return reminders.send_message(message_id=message_id).status


@task
def reminder_sweep() -> dict[str, int]:
    """The daily and periodic work: follow-up reminders due today, messages whose time has
    come, notices about overdue items."""
    scheduled = len(reminders.schedule_follow_up_reminders())
    sent = reminders.send_due()
    notices = staff_reminders.raise_overdue_notices()
    return {"scheduled": scheduled, "sent": sent, "notices": notices}


@task
def purge_personal_data() -> dict[str, int]:
    """The nightly retention run on the task worker, as `manage.py purge` does it from cron:
    crypto-shred what has passed its period and the deletions a withdrawn consent scheduled."""
    plan = retention.purge()
    return {"cases": len(plan.cases), "parties": len(plan.erasures), "held": plan.held}
