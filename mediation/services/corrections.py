"""Correcting registry outcomes: a supervisor voids a wrong one (kept, the case reopens), and
outcomes recorded on provisional deadlines are re-checked once the year is entered. May import
models, access, audit, clock and outcomes."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, clock
from ..access import Action, can
from ..models import Case, FollowUp, Outcome, OutcomeKind, User
from .errors import field_error
from .outcomes import deadlines_of

VOID_REASON_MAX = 200


@transaction.atomic
def void_outcome(
    *, outcome: Outcome, reason: str, voided_by: User, request: HttpRequest | None = None
) -> Outcome:
    """A wrong registry outcome is voided by a supervisor of the case's office, with a reason
    (codes not_supervisor, reason, already_voided). The record is kept, marked voided, with who,
    when and why; the case is open again for the right outcome; calls a voided reconciliation
    scheduled and not yet made are cancelled. Statistics count outcomes in force only, and the
    audit event names the office, so the summary tables follow (docs/reports.md)."""
    outcome = Outcome.objects.select_for_update().select_related("case__office").get(pk=outcome.pk)
    case = outcome.case
    if not can(voided_by, Action.MANAGE, case):
        raise ValidationError(
            _("Only a supervisor of this office can void an outcome."), code="not_supervisor"
        )
    if outcome.is_voided:
        raise ValidationError(_("This outcome is already voided."), code="already_voided")
    reason = " ".join(reason.split())
    if not reason:
        raise field_error("reason", _("Say why the outcome is voided."), "reason")
    if len(reason) > VOID_REASON_MAX:
        raise field_error(
            "reason",
            _("Keep the reason under %(count)s characters.") % {"count": VOID_REASON_MAX},
            "reason",
        )
    now = timezone.now()
    outcome.voided_at, outcome.voided_by, outcome.void_reason = now, voided_by, reason
    outcome.save(update_fields=["voided_at", "voided_by", "void_reason"])
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.status, case.closed_at = Case.Status.OPEN, None
    case.save(update_fields=["status", "closed_at"])
    cancelled = 0
    if outcome.kind == OutcomeKind.RECONCILED:
        cancelled = FollowUp.objects.filter(case=case, status=FollowUp.Status.DUE).update(
            status=FollowUp.Status.CANCELLED
        )
    audit.record(
        actor=voided_by,
        action="case.outcome.void",
        obj=case,
        request=request,
        details={"outcome": outcome.kind, "follow_ups_cancelled": cancelled},
    )
    return outcome


def recheck_provisional_outcomes(cases: Iterable[Case]) -> list[Outcome]:
    """Outcomes recorded on provisional deadlines, checked again against the deadlines a newly
    entered year gives (DOMAIN.md: never guess a year). A date now outside its window is marked
    for the supervisor's list, never changed silently. Called inside the calendar's
    transaction; returns the mismatches."""
    mismatched = []
    by_case = {case.pk: case for case in cases if not case.deadlines_provisional}
    outcomes = Outcome.objects.in_force().filter(
        case_id__in=by_case, provisional=True, rechecked_at__isnull=True
    )
    for outcome in outcomes.select_for_update():
        case_deadlines = deadlines_of(by_case[outcome.case_id])
        window = clock.window_for(outcome.kind, case_deadlines) if case_deadlines else None
        outcome.window_mismatch = window is not None and not window.contains(outcome.decided_on)
        outcome.rechecked_at = timezone.now()
        outcome.save(update_fields=["window_mismatch", "rechecked_at"])
        audit.record(
            actor=None,
            action="case.outcome.recheck",
            obj=by_case[outcome.case_id],
            details={"outcome": outcome.kind, "mismatch": outcome.window_mismatch},
        )
        if outcome.window_mismatch:
            mismatched.append(outcome)
    return mismatched


def outcomes_to_review(cases: Iterable[Case] | None = None) -> QuerySet[Outcome]:
    """The supervisor's list: outcomes in force whose date fell outside its window once the
    year was entered."""
    outcomes = Outcome.objects.in_force().filter(window_mismatch=True)
    if cases is not None:
        outcomes = outcomes.filter(case__in=cases)
    return outcomes.select_related("case", "recorded_by").order_by("decided_on")
