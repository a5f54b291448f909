"""Background work of the core (Django's Tasks API; `manage.py db_worker` runs it).
May import audit."""

from django.tasks import task

from . import audit


@task
def link_audit_events() -> int:
    """Link the audit events that writers under sustained load left waiting (mediation/audit.py,
    HOLD_LIMIT) and write a checkpoint; returns how many were linked."""
    return audit.chain_pending()
