"""Results and outcomes: the MZ/T 084 counselling result, the one registry outcome of a divorce
case inside its legal window (by hand or by the clock), closing other cases. May import models,
audit, clock and follow_ups; voiding and re-checking are in corrections."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import audit, clock
from ..models import (
    CancelReason,
    Case,
    CounselingSession,
    FollowUp,
    Outcome,
    OutcomeKind,
    Party,
    Port,
    User,
)
from .errors import field_error
from .follow_ups import follow_ups_planned, schedule_follow_ups


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


def deadlines_of(case: Case) -> clock.Deadlines | None:
    """The deadlines stored on a divorce case, as the clock's plain value."""
    if case.received_on is None or case.cooling_off_ends_on is None:
        return None
    if case.certificate_window_ends_on is None:
        return None
    return clock.Deadlines(
        received_on=case.received_on,
        cooling_off_ends_on=case.cooling_off_ends_on,
        certificate_window_ends_on=case.certificate_window_ends_on,
        provisional=case.deadlines_provisional,
    )


def window_message(window: clock.LegalWindow) -> str:
    """The refusal naming the window, in the user's language, dates written as the interface
    writes them (2026年10月8日)."""
    days = {
        "first": date_format(window.first, "DATE_FORMAT"),
        "last": date_format(window.last, "DATE_FORMAT"),
    }
    if window.kind == OutcomeKind.DIVORCED:
        message = _("The divorce certificate can only be issued from %(first)s to %(last)s.")
    elif window.kind == OutcomeKind.RECONCILED:
        message = _(
            "The application can only be withdrawn from %(first)s to %(last)s, during the "
            "cooling-off period."
        )
    else:
        message = _(
            "An application lapses only by the clock, once the certificate window has ended "
            "on %(last)s."
        )
    message %= days
    if window.provisional:
        message += " " + _(
            "These deadlines are provisional: the official calendar of a year they reach is "
            "not loaded yet."
        )
    return message


def check_outcome(*, case: Case, kind: str, decided_on: date, by_clock: bool = False) -> None:
    """The rules of DOMAIN.md, 'Outcomes and what counts', before anything is written (also
    what the confirmation page asks before it is shown). Codes: not_divorce, already_closed,
    kind, lapsed_by_clock (a lapse is the clock's, never typed in), outside_window (the date is
    outside the outcome's legal window, clock.window_for; the message names the window),
    before_application, future, no_referral."""
    if not case.is_divorce:
        raise ValidationError(
            _("Only a divorce application has a registry outcome."), code="not_divorce"
        )
    if Outcome.objects.in_force().filter(case=case).exists():
        raise ValidationError(_("This case already has an outcome."), code="already_closed")
    if kind not in OutcomeKind.values:
        raise field_error("kind", _("Choose an outcome."), "kind")
    case_deadlines = deadlines_of(case)
    window = clock.window_for(kind, case_deadlines) if case_deadlines else None
    if kind == OutcomeKind.LAPSED and not by_clock:
        raise field_error(
            "kind",
            window_message(window)
            if window
            else _("An application lapses only by the clock, after the certificate window."),
            "lapsed_by_clock",
        )
    if window is not None and not window.contains(decided_on):
        raise field_error("decided_on", window_message(window), "outside_window")
    if case.received_on and decided_on < case.received_on:
        raise field_error(
            "decided_on",
            _("The outcome cannot be dated before the application was received (%(day)s).")
            % {"day": date_format(case.received_on, "DATE_FORMAT")},
            "before_application",
        )
    if decided_on > timezone.localdate():
        raise field_error("decided_on", _("The date cannot be in the future."), "future")
    if kind == OutcomeKind.REFERRED and not case.referrals.exists():
        raise field_error("kind", _("Record the referral first."), "no_referral")


@dataclass(frozen=True)
class ClosingEffects:
    """What recording an outcome does besides closing the case (shown on the confirmation page
    before anything is saved, and then done exactly)."""

    sessions_cancelled: list[CounselingSession]
    follow_ups_cancelled: list[FollowUp]
    follow_ups_scheduled: list[tuple[Party, int, date]]


def closing_effects(*, case: Case, kind: str, decided_on: date) -> ClosingEffects:
    """Booked sessions are cancelled; a reconciliation schedules the 3- and 6-month calls for
    the parties who may be contacted; any other outcome cancels calls still due."""
    sessions = list(
        case.sessions.filter(status=CounselingSession.Status.BOOKED)
        .select_related("party", "lead_counselor")
        .order_by("starts_at")
    )
    due = list(case.follow_ups.filter(status=FollowUp.Status.DUE).select_related("party"))
    if kind == OutcomeKind.RECONCILED:
        return ClosingEffects(sessions, [], follow_ups_planned(case=case, reconciled_on=decided_on))
    return ClosingEffects(sessions, due, [])


@transaction.atomic
def close_case(
    *,
    case: Case,
    kind: str,
    decided_on: date,
    recorded_by: User | None,
    by_clock: bool = False,
    provisional_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> Outcome:
    """Give a divorce case its one registry outcome (DOMAIN.md, 'Outcomes'), inside the outcome's
    legal window (check_outcome). While the deadlines are provisional, the outcome is accepted
    only once the user has confirmed it (code confirm_provisional) and is marked so, to be
    re-checked when the year is entered. A second outcome in force is refused (already_closed;
    a conditional unique constraint makes it impossible under concurrency). Then what
    closing_effects lists is done: booked sessions cancelled, follow-ups scheduled or cancelled."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_outcome(case=case, kind=kind, decided_on=decided_on, by_clock=by_clock)
    if case.deadlines_provisional and not by_clock and not provisional_confirmed:
        raise ValidationError(
            _(
                "The deadlines of this case are provisional. Confirm that the outcome is to be "
                "recorded on provisional deadlines."
            ),
            code="confirm_provisional",
        )
    effects = closing_effects(case=case, kind=kind, decided_on=decided_on)
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                case=case,
                kind=kind,
                decided_on=decided_on,
                recorded_by=recorded_by,
                recorded_at=timezone.now(),
                by_clock=by_clock,
                provisional=case.deadlines_provisional,
            )
    except IntegrityError:
        raise ValidationError(
            _("This case already has an outcome."), code="already_closed"
        ) from None
    case.status = Case.Status.CLOSED
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])
    CounselingSession.objects.filter(
        pk__in=[session.pk for session in effects.sessions_cancelled],
        status=CounselingSession.Status.BOOKED,
    ).update(
        status=CounselingSession.Status.CANCELLED,
        cancelled_by=recorded_by,
        cancelled_at=timezone.now(),
        cancel_reason=CancelReason.CASE_CLOSED,
    )
    FollowUp.objects.filter(pk__in=[each.pk for each in effects.follow_ups_cancelled]).update(
        status=FollowUp.Status.CANCELLED
    )
    if kind == OutcomeKind.RECONCILED:
        schedule_follow_ups(case=case, reconciled_on=decided_on)
    audit.record(
        actor=recorded_by,
        action="case.close",
        obj=case,
        request=request,
        details={
            "outcome": kind,
            "by_clock": by_clock,
            "provisional": outcome.provisional,
            "sessions_cancelled": len(effects.sessions_cancelled),
        },
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
    in_force = Outcome.objects.in_force().filter(case=OuterRef("pk"))
    due = (
        Case.objects.filter(
            status=Case.Status.OPEN,
            port=Port.DIVORCE,
            deadlines_provisional=False,
            certificate_window_ends_on__lt=today,
        )
        .exclude(Exists(in_force))
        .order_by("certificate_window_ends_on", "pk")
    )
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
