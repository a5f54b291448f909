"""Leave, declared unavailable half-days and sudden absences: recording and removing them, each
audited. May import models and mediation; the next plan or repair reads what is stored here.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from mediation import audit
from mediation.models import User

from ..models import CounselorProfile, Unavailability


@transaction.atomic
def record_unavailability(
    *,
    counselor: CounselorProfile,
    kind: str,
    start: date,
    end: date,
    entered_by: User | None,
    half_day: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Unavailability:
    """Leave, declared unavailable half-days or a sudden absence; the next plan or repair
    respects it (docs/rotation.md, 'What the planner takes into account'). A counsellor enters
    their own; an administrator anyone's. The last day may not come before the first ("order"),
    and one entry spans at most a year ("too_long")."""
    if end < start:
        raise ValidationError(
            {"end": ValidationError(_("The last day comes before the first."), code="order")}
        )
    if (end - start).days > 366:
        raise ValidationError(
            {"end": ValidationError(_("Enter at most a year at a time."), code="too_long")}
        )
    row = Unavailability(
        counselor=counselor,
        kind=kind,
        start=start,
        end=end,
        half_day=half_day,
        note=note,
        entered_by=entered_by,
    )
    row.full_clean(exclude=["counselor", "entered_by"])
    row.save()
    audit.record(
        actor=entered_by,
        action="duty.unavailability",
        obj=row,
        request=request,
        details={"kind": kind, "days": (end - start).days + 1},
    )
    return row


@transaction.atomic
def remove_unavailability(
    *, row: Unavailability, removed_by: User, request: HttpRequest | None = None
) -> None:
    """Remove an entry (whoever may reach it: the counsellor their own, the administrator
    anyone's in their offices); the audit event keeps that it existed."""
    audit.record(actor=removed_by, action="duty.unavailability.remove", obj=row, request=request)
    row.delete()
