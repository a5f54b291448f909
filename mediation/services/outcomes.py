"""Results and outcomes: the MZ/T 084 counselling result, the one registry outcome of a divorce
case (by hand or by the clock), closing other cases. May import models, audit, follow_ups."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import Case, CounselingSession, Outcome, OutcomeKind, Port, User
from .errors import field_error
from .follow_ups import schedule_follow_ups


@transaction.atomic
def record_result(
    *,
    case: Case,
    result: str,
    result_on: date,
    recorded_by: User,
    request: HttpRequest | None = None,
) -> Case:
    """The MZ/T 084 counselling result (表示和好 / 暂缓离婚 / 选择离婚): the counsellor's record,
    kept apart from the registry outcome (DOMAIN.md). Codes: future, before_application."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if result_on > timezone.localdate():
        raise field_error("result_on", _("The date cannot be in the future."), "future")
    if case.received_on and result_on < case.received_on:
        raise field_error(
            "result_on",
            _("The result cannot be dated before the application was received."),
            "before_application",
        )
    case.result, case.result_on, case.result_recorded_by = result, result_on, recorded_by
    case.full_clean(exclude=["opened_by"])
    case.save(update_fields=["result", "result_on", "result_recorded_by"])
    audit.record(
        actor=recorded_by,
        action="case.result",
        obj=case,
        request=request,
        details={"result": result},
    )
    return case


def _check_outcome(*, case: Case, kind: str, decided_on: date, by_clock: bool) -> None:
    """The rules of DOMAIN.md, 'Outcomes and what counts', before anything is written."""
    if not case.is_divorce:
        raise ValidationError(
            _("Only a divorce application has a registry outcome."), code="not_divorce"
        )
    if Outcome.objects.filter(case=case).exists():
        raise ValidationError(_("This case already has an outcome."), code="already_closed")
    if kind not in OutcomeKind.values:
        raise field_error("kind", _("Choose an outcome."), "kind")
    if case.received_on and decided_on < case.received_on:
        raise field_error(
            "decided_on",
            _("The outcome cannot be dated before the application was received (%(day)s).")
            % {"day": case.received_on.isoformat()},
            "before_application",
        )
    if decided_on > timezone.localdate():
        raise field_error("decided_on", _("The date cannot be in the future."), "future")
    if kind == OutcomeKind.REFERRED and not case.referrals.exists():
        raise field_error("kind", _("Record the referral first."), "no_referral")
    if (
        kind == OutcomeKind.LAPSED
        and not by_clock
        and case.certificate_window_ends_on
        and decided_on < case.certificate_window_ends_on
    ):
        raise field_error(
            "decided_on",
            _("An application lapses only after the certificate window ends (%(day)s).")
            % {"day": case.certificate_window_ends_on.isoformat()},
            "lapsed_too_early",
        )


@transaction.atomic
def close_case(
    *,
    case: Case,
    kind: str,
    decided_on: date,
    recorded_by: User | None,
    by_clock: bool = False,
    request: HttpRequest | None = None,
) -> Outcome:
    """Give a divorce case its one registry outcome (DOMAIN.md, 'Outcomes'). A second outcome is
    refused (code already_closed; the OneToOne makes it impossible under concurrency); the date
    cannot precede the application (before_application) nor lie ahead (future); 'referred' needs
    a recorded referral (no_referral); 'lapsed' by hand only after the certificate window
    (lapsed_too_early). Booked sessions are cancelled; a reconciliation schedules the 3- and
    6-month follow-ups for parties who consented to contact and may safely be contacted."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_outcome(case=case, kind=kind, decided_on=decided_on, by_clock=by_clock)
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                case=case,
                kind=kind,
                decided_on=decided_on,
                recorded_by=recorded_by,
                recorded_at=timezone.now(),
                by_clock=by_clock,
            )
    except IntegrityError:
        raise ValidationError(
            _("This case already has an outcome."), code="already_closed"
        ) from None
    case.status = Case.Status.CLOSED
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])
    CounselingSession.objects.filter(case=case, status=CounselingSession.Status.BOOKED).update(
        status=CounselingSession.Status.CANCELLED
    )
    if kind == OutcomeKind.RECONCILED:
        schedule_follow_ups(case=case, reconciled_on=decided_on)
    audit.record(
        actor=recorded_by,
        action="case.close",
        obj=case,
        request=request,
        details={"outcome": kind, "by_clock": by_clock},
    )
    return outcome


@transaction.atomic
def finish_case(*, case: Case, closed_by: User, request: HttpRequest | None = None) -> Case:
    """Close a case that has no registry outcome (premarital guidance, walk-in counselling).
    Codes: divorce (closed by its outcome instead), closed (already)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_divorce:
        raise ValidationError(
            _("A divorce case is closed by recording its outcome."), code="divorce"
        )
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("This case is closed."), code="closed")
    case.status, case.closed_at = Case.Status.CLOSED, timezone.now()
    case.save(update_fields=["status", "closed_at"])
    audit.record(actor=closed_by, action="case.close", obj=case, request=request)
    return case


def mark_lapsed_cases(*, today: date | None = None) -> list[Case]:
    """The clock, run daily: an open divorce case whose certificate window has ended with no
    outcome is recorded as lapsed (视为撤回), with the window's end as its date — visibly, by the
    clock, never merged into 'reconciled' (DOMAIN.md). Provisional deadlines are not acted on."""
    today = today or timezone.localdate()
    due = Case.objects.filter(
        status=Case.Status.OPEN,
        port=Port.DIVORCE,
        deadlines_provisional=False,
        certificate_window_ends_on__lt=today,
        outcome__isnull=True,
    ).order_by("certificate_window_ends_on", "pk")
    lapsed = []
    for case in due:
        window_end = case.certificate_window_ends_on
        if window_end is None:  # excluded by the filter; said for the type checker
            continue
        close_case(
            case=case,
            kind=OutcomeKind.LAPSED,
            decided_on=window_end,
            recorded_by=None,
            by_clock=True,
        )
        lapsed.append(case)
    return lapsed
