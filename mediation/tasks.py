"""Background work of the core (Django's Tasks API; `manage.py db_worker` runs it).
May import audit and the retention service."""

from django.tasks import task

from . import audit
from .services import retention


@task
def link_audit_events() -> int:
    """Link the audit events that writers under sustained load left waiting (mediation/audit.py,
    HOLD_LIMIT) and write a checkpoint; returns how many were linked."""
    return audit.chain_pending()


@task
def purge_personal_data() -> dict[str, int]:
    """The nightly retention run on the task worker, as `manage.py purge` does it from cron:
    crypto-shred what has passed its period and the deletions a withdrawn consent scheduled."""
    plan = retention.purge()
    return {"cases": len(plan.cases), "parties": len(plan.erasures), "held": plan.held}
