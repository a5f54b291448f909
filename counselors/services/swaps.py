"""Swaps of published duties: a counsellor asks a colleague, the colleague answers, the asker may
withdraw, an administrator decides, seeing first what the swap does to the offices' cover; each
step audited. May import models, coverage, publishing, mediation.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit, formats
from mediation.models import NoticeKind, RegistryOffice, User
from mediation.services.notices import notify

from .. import coverage, planner
from ..models import CounselorProfile, CoverageRule, Duty, Roster, SwapRequest, Unavailability

# A half-day at an office: (office id, day, half-day).
Slot = tuple[int, date, str]


def _limit_problems(*, profile: CounselorProfile, duty: Duty, leaving: Duty | None) -> list[str]:
    week = planner.week_start(duty.day)
    in_week = Duty.objects.filter(
        roster=duty.roster, counselor=profile, day__gte=week, day__lte=week + timedelta(days=6)
    )
    in_month = Duty.objects.filter(roster=duty.roster, counselor=profile)
    if leaving is not None:
        in_month = in_month.exclude(pk=leaving.pk)
        if planner.week_start(leaving.day) == week:
            in_week = in_week.exclude(pk=leaving.pk)
    problems = []
    if in_week.count() + 1 > profile.max_half_days_per_week:
        problems.append(
            _("%(name)s would exceed their weekly limit.") % {"name": profile.display_name}
        )
    if in_month.count() + 1 > profile.max_half_days_per_month:
        problems.append(
            _("%(name)s would exceed their monthly limit.") % {"name": profile.display_name}
        )
    return problems


def swap_problems(*, profile: CounselorProfile, duty: Duty, leaving: Duty | None) -> list[str]:
    """Why `profile` cannot take `duty` in the published roster (while giving up `leaving`):
    the planner's hard rules (docs/rotation.md, 'The rules') — an office they may serve,
    available, free that half-day, at no other office that day, within their limits."""
    problems = []
    if not profile.offices.filter(pk=duty.office_id).exists():
        problems.append(
            _("%(name)s may not serve at %(office)s.")
            % {"name": profile.display_name, "office": duty.office.display_name}
        )
    away = Unavailability.objects.filter(
        counselor=profile, start__lte=duty.day, end__gte=duty.day
    ).filter(half_day__in=["", duty.half_day])
    if away.exists():
        problems.append(_("%(name)s is not available then.") % {"name": profile.display_name})
    same_day = Duty.objects.filter(roster=duty.roster, counselor=profile, day=duty.day)
    if leaving is not None:
        same_day = same_day.exclude(pk=leaving.pk)
    if same_day.filter(half_day=duty.half_day).exists():
        problems.append(_("%(name)s is already on duty then.") % {"name": profile.display_name})
    elif same_day.exclude(office=duty.office_id).exists():
        problems.append(
            _("%(name)s serves another office that day.") % {"name": profile.display_name}
        )
    return problems + _limit_problems(profile=profile, duty=duty, leaving=leaving)


def _require_rules_kept(
    *,
    duty: Duty,
    requested_by: CounselorProfile,
    colleague: CounselorProfile,
    exchange: Duty | None,
) -> None:
    problems = swap_problems(profile=colleague, duty=duty, leaving=exchange)
    if exchange is not None:
        problems += swap_problems(profile=requested_by, duty=exchange, leaving=duty)
    if problems:
        raise ValidationError([ValidationError(p, code="breaks_rules") for p in problems])


@transaction.atomic
def request_swap(
    *,
    duty: Duty,
    requested_by: CounselorProfile,
    colleague: CounselorProfile,
    exchange: Duty | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> SwapRequest:
    """A counsellor offers one of their published, future duties to a colleague, optionally
    taking one of the colleague's future duties in exchange.

    Refused for someone else's or an unpublished duty ("not_own"), a duty today or earlier
    ("past"), oneself as colleague ("self"), an exchange that is not the colleague's future duty
    in the same roster ("exchange"), a swap that breaks a rule ("breaks_rules", one error per
    rule) and a duty that already has an open request ("already_requested").
    """
    today = timezone.localdate()
    if duty.counselor_id != requested_by.pk or duty.roster.status != Roster.Status.PUBLISHED:
        raise ValidationError(_("You can only offer your own published duties."), code="not_own")
    if duty.day <= today:
        raise ValidationError(_("Only future duties can be swapped."), code="past")
    if colleague.pk == requested_by.pk:
        raise ValidationError({"colleague": ValidationError(_("Choose a colleague."), code="self")})
    if exchange is not None and (
        exchange.counselor_id != colleague.pk
        or exchange.roster_id != duty.roster_id
        or exchange.day <= today
    ):
        message = _("Choose one of the colleague's future duties.")
        raise ValidationError({"exchange": ValidationError(message, code="exchange")})
    _require_rules_kept(
        duty=duty, requested_by=requested_by, colleague=colleague, exchange=exchange
    )
    if SwapRequest.objects.filter(duty=duty, status__in=SwapRequest.OPEN).exists():
        raise ValidationError(
            _("This duty already has an open swap request."), code="already_requested"
        )
    swap = SwapRequest.objects.create(
        duty=duty, requested_by=requested_by, colleague=colleague, exchange=exchange, reason=reason
    )
    notify(
        user=colleague.user,
        text=_("%(name)s asks you to take over a duty on %(day)s.")
        % {"name": requested_by.display_name, "day": formats.long_date(duty.day)},
        url=reverse("counselors:my-duties"),
        kind=NoticeKind.SWAP,
    )
    audit.record(actor=requested_by.user, action="swap.request", obj=swap, request=request)
    return swap


@transaction.atomic
def answer_swap(
    *,
    swap: SwapRequest,
    colleague: CounselorProfile,
    accept: bool,
    request: HttpRequest | None = None,
) -> SwapRequest:
    """The colleague asked agrees (the swap then waits for the administrator) or declines; only
    a request still waiting for them can be answered ("not_open"). The asker is notified."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.colleague_id != colleague.pk or swap.status != SwapRequest.Status.PROPOSED:
        raise ValidationError(_("This request is no longer open."), code="not_open")
    swap.status = SwapRequest.Status.ACCEPTED if accept else SwapRequest.Status.DECLINED
    swap.save(update_fields=["status"])
    notify(
        user=swap.requested_by.user,
        text=(
            _("%(name)s agreed to your swap; it now waits for approval.")
            if accept
            else _("%(name)s declined your swap.")
        )
        % {"name": colleague.display_name},
        url=reverse("counselors:my-duties"),
        kind=NoticeKind.SWAP,
    )
    if accept:
        _ask_for_approval(swap)
    audit.record(
        actor=colleague.user,
        action="swap.answer",
        obj=swap,
        request=request,
        details={"accepted": accept},
    )
    return swap


def _ask_for_approval(swap: SwapRequest) -> None:
    """Everyone who plans the rotation of the duty's city hears that a swap waits for them."""
    planners = User.objects.filter(
        is_active=True,
        groups__permissions__codename="plan_rotation",
        groups__permissions__content_type__app_label="mediation",
    ).distinct()
    for planner_user in planners:
        notify(
            user=planner_user,
            text=_("A swap of the duty on %(day)s at %(office)s waits for your approval.")
            % {"day": formats.long_date(swap.duty.day), "office": swap.duty.office.name},
            url=reverse("counselors:swap-list"),
            kind=NoticeKind.APPROVAL,
        )


@transaction.atomic
def withdraw_swap(
    *, swap: SwapRequest, requested_by: CounselorProfile, request: HttpRequest | None = None
) -> SwapRequest:
    """The asker withdraws their own request while it is open (waiting for the colleague or for
    approval); a request already decided cannot be withdrawn ("not_open")."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.requested_by_id != requested_by.pk or swap.status not in SwapRequest.OPEN:
        raise ValidationError(_("This request is no longer open."), code="not_open")
    swap.status = SwapRequest.Status.WITHDRAWN
    swap.save(update_fields=["status"])
    audit.record(actor=requested_by.user, action="swap.withdraw", obj=swap, request=request)
    return swap


def _exchange_duties(swap: SwapRequest) -> None:
    duty, exchange = swap.duty, swap.exchange
    if exchange is not None and (exchange.day, exchange.half_day) == (duty.day, duty.half_day):
        # The same half-day at two offices: exchanging the offices is the same swap, and
        # never has one person in two rows of one half-day on the way.
        Duty.objects.filter(pk=duty.pk).update(office=exchange.office_id)
        Duty.objects.filter(pk=exchange.pk).update(office=duty.office_id)
    else:
        Duty.objects.filter(pk=duty.pk).update(counselor=swap.colleague)
        if exchange is not None:
            Duty.objects.filter(pk=exchange.pk).update(counselor=swap.requested_by)


@dataclass(frozen=True)
class CoverageWarning:
    """A half-day of an office that a swap would leave worse covered than it is."""

    office: RegistryOffice
    day: date
    half_day: str
    problem: str  # coverage.NO_QUALIFIED or coverage.SHORT

    @property
    def message(self) -> str:
        values = {
            "office": self.office.display_name,
            "day": formats.long_date(self.day),
            "half": formats.half_day(self.half_day),
        }
        if self.problem == coverage.NO_QUALIFIED:
            return _("%(office)s would have no qualified counsellor on %(day)s %(half)s.") % values
        return _("%(office)s would be short of counsellors on %(day)s %(half)s.") % values

    def as_detail(self) -> dict[str, str]:
        return {
            "office": self.office.code,
            "day": self.day.isoformat(),
            "half_day": self.half_day,
            "problem": self.problem,
        }


def swap_coverage(swap: SwapRequest) -> list[CoverageWarning]:
    """What approving the swap does to cover (docs/rotation.md, 'Swap'): the half-days it
    touches, each judged by its office's coverage rule before and after; the problems it would
    create — no qualified psychological counsellor (无持证), too few counsellors (人手不足).
    Problems already there before the swap are not its doing and are not listed."""
    duty, exchange = swap.duty, swap.exchange
    moved = [duty] + ([exchange] if exchange is not None else [])
    slots = {(d.office_id, d.day, d.half_day) for d in moved}
    rows = list(
        Duty.objects.filter(roster_id=duty.roster_id, day__in={d.day for d in moved})
        .select_related("counselor__user", "office")
        .prefetch_related("counselor__qualifications")
    )
    rows = [row for row in rows if (row.office_id, row.day, row.half_day) in slots]
    until = {row.counselor_id: row.counselor.qualified_until() for row in rows}
    for profile in (swap.requested_by, swap.colleague):
        if profile.pk not in until:
            until[profile.pk] = profile.qualified_until()

    def person(profile: CounselorProfile) -> coverage.OnDuty:
        return coverage.OnDuty(profile.display_name, until[profile.pk])

    before: dict[Slot, list[coverage.OnDuty]] = {slot: [] for slot in slots}
    after: dict[Slot, list[coverage.OnDuty]] = {slot: [] for slot in slots}
    same_half = exchange is not None and (exchange.day, exchange.half_day) == (
        duty.day,
        duty.half_day,
    )
    for row in rows:
        slot = (row.office_id, row.day, row.half_day)
        before[slot].append(person(row.counselor))
        counselor, office_id = row.counselor, row.office_id
        if row.pk == duty.pk:
            if same_half and exchange is not None:
                office_id = exchange.office_id
            else:
                counselor = swap.colleague
        elif exchange is not None and row.pk == exchange.pk:
            if same_half:
                office_id = duty.office_id
            else:
                counselor = swap.requested_by
        after.setdefault((office_id, row.day, row.half_day), []).append(person(counselor))
    rules = {
        rule.office_id: coverage.Rule(rule.needed_am, rule.needed_pm, rule.qualified_required)
        for rule in CoverageRule.objects.filter(office_id__in={slot[0] for slot in slots})
    }
    offices = {row.office_id: row.office for row in rows}
    warnings = []
    for slot in sorted(slots, key=lambda s: (s[1], s[2], offices[s[0]].code)):
        office_id, day, half = slot
        rule = rules.get(office_id)
        new = coverage.created(
            coverage.problems(rule, day, half, before[slot]),
            coverage.problems(rule, day, half, after.get(slot, [])),
        )
        warnings += [CoverageWarning(offices[office_id], day, half, problem) for problem in new]
    return warnings


@transaction.atomic
def decide_swap(
    *,
    swap: SwapRequest,
    decided_by: User,
    approve: bool,
    override: bool = False,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> SwapRequest:
    """The administrator approves (the published roster changes at once) or rejects a swap the
    colleague agreed to ("not_accepted" otherwise). The rules are checked again: the roster may
    have been replaced ("stale") or changed ("breaks_rules") meanwhile. A swap that would leave
    a half-day without a qualified counsellor or short of counsellors (swap_coverage) is
    approved only with an explicit override and its reason ("coverage", "override_reason"),
    both kept in the audit event. Both counsellors are notified."""
    swap = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related(
            "duty__roster", "duty__office", "exchange", "requested_by__user", "colleague__user"
        )
        .get(pk=swap.pk)
    )
    if swap.status != SwapRequest.Status.ACCEPTED:
        raise ValidationError(_("This request is not waiting for approval."), code="not_accepted")
    warnings: list[CoverageWarning] = []
    if approve:
        if swap.duty.roster.status != Roster.Status.PUBLISHED:
            raise ValidationError(
                _("The roster has been replaced since; ask for the swap again."), code="stale"
            )
        _require_rules_kept(
            duty=swap.duty,
            requested_by=swap.requested_by,
            colleague=swap.colleague,
            exchange=swap.exchange,
        )
        warnings = swap_coverage(swap)
        if warnings and not override:
            raise ValidationError([ValidationError(w.message, code="coverage") for w in warnings])
        if warnings and not override_reason.strip():
            raise ValidationError(
                {
                    "override_reason": ValidationError(
                        _("Say why the swap is approved although cover suffers."),
                        code="override_reason",
                    )
                }
            )
        _exchange_duties(swap)
    swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REJECTED
    swap.decided_at = timezone.now()
    swap.decided_by = decided_by
    swap.save(update_fields=["status", "decided_at", "decided_by"])
    text = (
        _("The swap of the duty on %(day)s is approved.")
        if approve
        else _("The swap of the duty on %(day)s was not approved.")
    ) % {"day": formats.long_date(swap.duty.day)}
    for profile in (swap.requested_by, swap.colleague):
        notify(
            user=profile.user,
            text=text,
            url=reverse("counselors:my-duties"),
            kind=NoticeKind.APPROVAL,
        )
    details: dict[str, Any] = {"approved": approve}
    if approve and warnings:
        details.update(
            override=True,
            reason=override_reason.strip()[:200],
            coverage=[warning.as_detail() for warning in warnings],
        )
    audit.record(actor=decided_by, action="swap.decide", obj=swap, request=request, details=details)
    return swap
