"""Every change of duty state with a rule: planning and repairing rosters (the shell around the
pure planner), publishing with notices, availability, swaps and calendar-feed secrets.

May import mediation (models, audit, calendar). Views, commands and tasks call these functions.
"""

import hashlib
import hmac
import logging
import traceback
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit
from mediation import services as mediation_services
from mediation.calendar import OfficialCalendar, month_days, month_start
from mediation.models import Case, CounselingSession, OfficialCalendarYear, RegistryOffice, User

from . import planner
from .models import (
    DUTY_HOURS,
    CounselorProfile,
    CoverageRule,
    Duty,
    DutyRequest,
    Notice,
    Roster,
    RosterGap,
    SwapRequest,
    Unavailability,
    new_feed_secret,
)

logger = logging.getLogger("tongxin.counselors")


def planning_span(month: date) -> tuple[date, date]:
    """From the Monday of the month's first week to the Sunday of its last week."""
    days = month_days(month)
    return planner.week_start(days[0]), planner.week_start(days[-1]) + timedelta(days=6)


def calendar_for(month: date) -> OfficialCalendar:
    """The official calendar around a month; refuses a month whose year is not loaded.

    DOMAIN.md: code never guesses a year. Days of a neighbouring unknown year (only used to
    pro-rate the weekly caps of the month's edge weeks) follow the weekend rule.
    """
    calendar = OfficialCalendarYear.objects.calendar(
        years=[month.year - 1, month.year, month.year + 1]
    )
    if not calendar.knows(month.year):
        raise ValidationError(
            _(
                "The official calendar for %(year)s is not loaded yet, so its working days are "
                "unknown. Enter the State Council's notice first."
            )
            % {"year": month.year},
            code="calendar_missing",
        )
    return calendar


def city_offices(city: str, codes: list[str] | None = None) -> list[RegistryOffice]:
    offices = RegistryOffice.objects.filter(city=city).order_by("code")
    if codes:
        offices = offices.filter(code__in=codes)
    return list(offices)


# --- building the planner's problem -------------------------------------------------------------


@dataclass
class Prepared:
    problem: planner.Problem
    offices: dict[str, RegistryOffice]
    profiles: dict[int, CounselorProfile]


def _slots(rows, start: date, end: date) -> dict[int, set]:
    slots: dict[int, set] = defaultdict(set)
    for row in rows:
        for day, half in row.slots():
            if start <= day <= end:
                slots[row.counselor_id].add((day, half))
    return slots


def prepare(
    *,
    city: str,
    month: date,
    office_codes: list[str] | None = None,
    reference: Roster | None = None,
    repair_from: date | None = None,
) -> Prepared:
    """Load one city's month into the planner's plain values.

    Offices not planned keep the reference roster's duties there (pinned). In a repair the
    days before `repair_from` are frozen: their duties stay exactly as published (the
    administrator picks the day; the past is usually left alone, but a repair may also record
    who really covered an absence already over).
    """
    month = month_start(month)
    calendar = calendar_for(month)
    span_start, span_end = planning_span(month)
    days = month_days(month)
    working = frozenset(calendar.working_days(span_start, span_end))
    offices = {office.code: office for office in city_offices(city, office_codes)}
    rules = {rule.office_id: rule for rule in CoverageRule.objects.filter(office__city=city)}
    planned = tuple(
        planner.Office(
            code=code,
            needed_am=rules[office.pk].needed_am if office.pk in rules else 0,
            needed_pm=rules[office.pk].needed_pm if office.pk in rules else 0,
            qualified_required=rules[office.pk].qualified_required if office.pk in rules else False,
            capacity=rules[office.pk].room_capacity if office.pk in rules else office.rooms,
        )
        for code, office in offices.items()
    )
    profiles = {
        profile.pk: profile
        for profile in CounselorProfile.objects.filter(in_rotation=True)
        .in_city(city)
        .with_planning_data()
    }
    away = Unavailability.objects.filter(counselor__in=profiles).overlapping(span_start, span_end)
    unavailable = _slots(away, span_start, span_end)
    on_leave = _slots(
        [row for row in away if row.kind in Unavailability.PRO_RATED], span_start, span_end
    )
    wishes: dict[tuple[int, str], set] = defaultdict(set)
    for wish in DutyRequest.objects.filter(
        counselor__in=profiles, day__gte=days[0], day__lte=days[-1]
    ):
        for half in [wish.half_day] if wish.half_day else planner.HALVES:
            wishes[(wish.counselor_id, wish.wish)].add((wish.day, half))
    counselors = tuple(
        planner.Counselor(
            id=pk,
            offices=tuple(sorted(office.code for office in profile.offices.all())),
            week_cap=profile.max_half_days_per_week,
            month_cap=profile.max_half_days_per_month,
            home_office=profile.home_office.code if profile.home_office else None,
            qualified_until=profile.qualified_until(),
            unavailable=frozenset(unavailable[pk]),
            on_leave=frozenset(on_leave[pk]),
            prefer_off=frozenset(wishes[(pk, DutyRequest.Wish.PREFER_OFF)]),
            prefer_on=frozenset(wishes[(pk, DutyRequest.Wish.PREFER_ON)]),
        )
        for pk, profile in sorted(profiles.items())
    )
    reference_duties = _as_planner_duties(reference.duties.all()) if reference else ()
    frozen = {day for day in days if repair_from is not None and day < repair_from}
    pinned = tuple(
        duty
        for duty in reference_duties
        if duty.day in frozen or (duty.office not in offices and duty.counselor in profiles)
    )
    previous = Roster.objects.published().for_month(city, days[0] - timedelta(days=1)).first()
    prior = ()
    if previous is not None:
        prior = _as_planner_duties(previous.duties.filter(day__gte=span_start, day__lt=days[0]))
    problem = planner.Problem(
        days=tuple(days),
        working_days=working,
        offices=planned,
        counselors=tuple(c for c in counselors if c.offices),
        pinned=pinned,
        prior=prior,
        reference=reference_duties if repair_from is not None else (),
        frozen=frozenset(frozen),
        repair=repair_from is not None,
    )
    return Prepared(problem=problem, offices=offices, profiles=profiles)


def _as_planner_duties(duties) -> tuple[planner.Duty, ...]:
    return tuple(
        planner.Duty(day, half, code, counselor)
        for day, half, code, counselor in duties.values_list(
            "day", "half_day", "office__code", "counselor_id"
        )
    )


def solver_settings() -> planner.SolverSettings:
    return planner.SolverSettings(
        max_time_in_seconds=float(getattr(settings, "TONGXIN_PLANNER_TIME_LIMIT", 30)),
        max_deterministic_time=getattr(settings, "TONGXIN_PLANNER_DETERMINISTIC_LIMIT", None),
    )


# --- planning rosters ---------------------------------------------------------------------------


@transaction.atomic
def start_planning(
    *,
    city: str,
    month: date,
    requested_by: User | None,
    office_codes: list[str] | None = None,
    repair_from: date | None = None,
    enqueue: bool = True,
    request=None,
) -> Roster:
    """Create a draft roster for a city's month and hand it to the task worker.

    A repair starts from the published roster and may change duties from `repair_from` on;
    without a published roster there is nothing to repair. A new draft replaces an older one.
    Planning never runs inside a web request (the solver may take seconds).
    """
    month = month_start(month)
    calendar_for(month)
    published = Roster.objects.published().for_month(city, month).first()
    if repair_from is not None:
        if published is None:
            raise ValidationError(
                _("There is no published roster for this month to repair."), code="no_published"
            )
        if not month <= repair_from <= month_days(month)[-1]:
            raise ValidationError(
                _("The repair must start inside the month."), code="repair_outside_month"
            )
    known = {office.code for office in city_offices(city)}
    if not known:
        raise ValidationError(_("This city has no registry office."), code="unknown_city")
    unknown = sorted(set(office_codes or ()) - known)
    if unknown:
        raise ValidationError(
            _("Unknown office codes: %(codes)s") % {"codes": ", ".join(unknown)},
            code="unknown_office",
        )
    Roster.objects.for_month(city, month).filter(status=Roster.Status.DRAFT).delete()
    try:
        with transaction.atomic():
            roster = Roster.objects.create(
                city=city,
                month=month,
                kind=Roster.Kind.REPAIR if repair_from else Roster.Kind.PLAN,
                based_on=published,
                repair_from=repair_from,
                office_codes=sorted(office_codes or known),
                requested_by=requested_by,
            )
    except IntegrityError:
        # Someone else started a plan for this month at the same moment (one draft a month).
        raise ValidationError(
            _("Another plan for this month was started just now; wait for it."), code="busy"
        ) from None
    audit.record(
        actor=requested_by,
        action="roster.plan",
        obj=roster,
        request=request,
        details={"month": f"{month:%Y-%m}", "kind": roster.kind},
    )
    if enqueue:
        from .tasks import plan_roster

        result = plan_roster.enqueue(roster.pk)
        Roster.objects.filter(pk=roster.pk).update(task_id=str(result.id))
        roster.task_id = str(result.id)
    return roster


def run_planning(*, roster: Roster) -> planner.Plan | None:
    """Solve a queued draft and store its duties, gaps and figures (the task worker calls this).

    Failures are stored on the roster for the administrator to see, never swallowed.
    """
    Roster.objects.filter(pk=roster.pk).update(solver_status=Roster.Solver.RUNNING)
    try:
        prepared = prepare(
            city=roster.city,
            month=roster.month,
            office_codes=roster.office_codes or None,
            reference=roster.based_on,
            repair_from=roster.repair_from,
        )
        result = planner.plan(prepared.problem, solver_settings())
    except Exception as error:
        logger.exception("Planning roster %s failed", roster.pk)
        message = error.messages[0] if isinstance(error, ValidationError) else repr(error)
        Roster.objects.filter(pk=roster.pk).update(
            solver_status=Roster.Solver.FAILED,
            error=message + ("" if isinstance(error, ValidationError) else traceback.format_exc()),
        )
        return None
    _store(roster, prepared, result)
    return result


@transaction.atomic
def _store(roster: Roster, prepared: Prepared, result: planner.Plan) -> None:
    if not Roster.objects.filter(pk=roster.pk, status=Roster.Status.DRAFT).exists():
        return  # replaced by a newer draft while the solver ran
    offices = dict(prepared.offices)
    missing = {
        duty.office for duty in result.duties if duty.office not in offices
    }  # offices outside the plan keep their pinned duties
    offices.update({o.code: o for o in RegistryOffice.objects.filter(code__in=missing)})
    pinned = set(prepared.problem.pinned)
    Duty.objects.bulk_create(
        Duty(
            roster=roster,
            counselor_id=duty.counselor,
            office=offices[duty.office],
            day=duty.day,
            half_day=duty.half,
            pinned=duty in pinned,
        )
        for duty in result.duties
    )
    RosterGap.objects.bulk_create(
        RosterGap(
            roster=roster,
            office=offices[gap.office],
            day=gap.day,
            half_day=gap.half,
            kind=gap.kind,
            missing=gap.missing,
            reason=gap.reason,
            facts=gap.facts,
        )
        for gap in result.gaps
    )
    roster.solver_status = result.status
    roster.objective = result.objective
    roster.solve_seconds = round(result.seconds, 3)
    roster.weeks = [
        {
            "week_start": week.week_start.isoformat(),
            "demand": week.demand,
            "capacity": week.capacity,
            "qualified_demand": week.qualified_demand,
            "qualified_capacity": week.qualified_capacity,
            "covered": week.covered,
        }
        for week in result.weeks
        if week.demand or week.covered
    ]
    roster.save(update_fields=["solver_status", "objective", "solve_seconds", "weeks"])


@dataclass(frozen=True)
class DutyChange:
    counselor: CounselorProfile
    office: RegistryOffice
    day: date
    half_day: str
    added: bool


def roster_changes(draft: Roster, published: Roster | None) -> list[DutyChange]:
    """What publishing the draft changes against the published roster, duty by duty."""
    if published is None:
        return []

    def keyed(roster):
        return {
            (d.counselor_id, d.office_id, d.day, d.half_day): d
            for d in roster.duties.select_related("counselor__user", "office")
        }

    new, old = keyed(draft), keyed(published)
    changes = [
        DutyChange(d.counselor, d.office, d.day, d.half_day, False)
        for key, d in old.items()
        if key not in new
    ] + [
        DutyChange(d.counselor, d.office, d.day, d.half_day, True)
        for key, d in new.items()
        if key not in old
    ]
    return sorted(changes, key=lambda c: (c.day, c.half_day, c.office.code, c.added))


@transaction.atomic
def publish_roster(*, roster: Roster, published_by: User, request=None) -> Roster:
    """Publish a finished draft: it replaces the month's published roster, and every counsellor
    whose duty it sets or changes gets a notice (and an email when they have an address)."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.status != Roster.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    if not roster.usable:
        raise ValidationError(_("This draft has no roster to publish yet."), code="not_finished")
    previous = Roster.objects.published().for_month(roster.city, roster.month).first()
    changes = roster_changes(roster, previous)
    if previous is not None:
        SwapRequest.objects.filter(duty__roster=previous, status__in=SwapRequest.OPEN).update(
            status=SwapRequest.Status.WITHDRAWN, decided_at=timezone.now()
        )
        previous.status = Roster.Status.RETIRED
        previous.save(update_fields=["status"])
    roster.status = Roster.Status.PUBLISHED
    roster.published_at = timezone.now()
    roster.published_by = published_by
    roster.save(update_fields=["status", "published_at", "published_by"])
    if previous is None:
        touched = set(roster.duties.values_list("counselor__user", flat=True))
    else:
        touched = {change.counselor.user_id for change in changes}
    month = f"{roster.month:%Y-%m}"
    text = (
        _("The duty roster for %(month)s is published. See your duties.")
        if previous is None
        else _("Your duties for %(month)s have changed. See your duties.")
    ) % {"month": month}
    for user in User.objects.filter(pk__in=touched):
        notify(user=user, text=text, url=reverse("counselors:my-duties"))
    audit.record(
        actor=published_by,
        action="roster.publish",
        obj=roster,
        request=request,
        details={"month": month, "changes": len(changes), "notified": len(touched)},
    )
    return roster


def notify(*, user: User, text: str, url: str = "") -> Notice:
    """An in-app notice, copied by email when the user has an address (failures are logged:
    the notice itself is the record)."""
    notice = Notice.objects.create(recipient=user, text=text, url=url)
    if user.email:
        try:
            send_mail(
                subject=str(settings.TONGXIN_SITE_NAME),
                message=text,
                from_email=None,
                recipient_list=[user.email],
            )
        except OSError:
            logger.warning("Could not email a duty notice to user %s", user.pk)
    return notice


def mark_notices_read(*, user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


# --- availability ------------------------------------------------------------------------------


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
    request=None,
) -> Unavailability:
    """Leave, declared unavailable half-days or a sudden absence; the next plan or repair
    respects it. A counsellor enters their own; an administrator anyone's."""
    if end < start:
        raise ValidationError({"end": _("The last day comes before the first.")}, code="order")
    if (end - start).days > 366:
        raise ValidationError({"end": _("Enter at most a year at a time.")}, code="too_long")
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
def remove_unavailability(*, row: Unavailability, removed_by: User, request=None) -> None:
    audit.record(actor=removed_by, action="duty.unavailability.remove", obj=row, request=request)
    row.delete()


# --- swaps -------------------------------------------------------------------------------------


def _swap_problems(*, profile: CounselorProfile, duty: Duty, leaving: Duty | None) -> list[str]:
    """Why `profile` cannot take `duty` in the published roster (while giving up `leaving`)."""
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
    week = planner.week_start(duty.day)
    in_week = Duty.objects.filter(
        roster=duty.roster, counselor=profile, day__gte=week, day__lte=week + timedelta(days=6)
    )
    in_month = Duty.objects.filter(roster=duty.roster, counselor=profile)
    if leaving is not None:
        in_month = in_month.exclude(pk=leaving.pk)
        if planner.week_start(leaving.day) == week:
            in_week = in_week.exclude(pk=leaving.pk)
    if in_week.count() + 1 > profile.max_half_days_per_week:
        problems.append(
            _("%(name)s would exceed their weekly limit.") % {"name": profile.display_name}
        )
    if in_month.count() + 1 > profile.max_half_days_per_month:
        problems.append(
            _("%(name)s would exceed their monthly limit.") % {"name": profile.display_name}
        )
    return problems


@transaction.atomic
def request_swap(
    *,
    duty: Duty,
    requested_by: CounselorProfile,
    colleague: CounselorProfile,
    exchange: Duty | None = None,
    reason: str = "",
    request=None,
) -> SwapRequest:
    """A counsellor offers one of their published, future duties to a colleague, optionally
    taking one of the colleague's in exchange."""
    today = timezone.localdate()
    if duty.counselor_id != requested_by.pk or duty.roster.status != Roster.Status.PUBLISHED:
        raise ValidationError(_("You can only offer your own published duties."), code="not_own")
    if duty.day <= today:
        raise ValidationError(_("Only future duties can be swapped."), code="past")
    if colleague.pk == requested_by.pk:
        raise ValidationError({"colleague": _("Choose a colleague.")}, code="self")
    if exchange is not None and (
        exchange.counselor_id != colleague.pk
        or exchange.roster_id != duty.roster_id
        or exchange.day <= today
    ):
        raise ValidationError(
            {"exchange": _("Choose one of the colleague's future duties.")}, code="exchange"
        )
    problems = _swap_problems(profile=colleague, duty=duty, leaving=exchange)
    if exchange is not None:
        problems += _swap_problems(profile=requested_by, duty=exchange, leaving=duty)
    if problems:
        raise ValidationError([ValidationError(p, code="breaks_rules") for p in problems])
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
        % {"name": requested_by.display_name, "day": duty.day.isoformat()},
        url=reverse("counselors:my-duties"),
    )
    audit.record(actor=requested_by.user, action="swap.request", obj=swap, request=request)
    return swap


@transaction.atomic
def answer_swap(
    *, swap: SwapRequest, colleague: CounselorProfile, accept: bool, request=None
) -> SwapRequest:
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
    )
    audit.record(
        actor=colleague.user,
        action="swap.answer",
        obj=swap,
        request=request,
        details={"accepted": accept},
    )
    return swap


@transaction.atomic
def withdraw_swap(*, swap: SwapRequest, requested_by: CounselorProfile) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.requested_by_id != requested_by.pk or swap.status not in SwapRequest.OPEN:
        raise ValidationError(_("This request is no longer open."), code="not_open")
    swap.status = SwapRequest.Status.WITHDRAWN
    swap.save(update_fields=["status"])
    return swap


@transaction.atomic
def decide_swap(*, swap: SwapRequest, decided_by: User, approve: bool, request=None) -> SwapRequest:
    """The administrator approves (the published roster changes at once) or rejects a swap the
    colleague agreed to. The rules are checked again: the roster may have changed meanwhile."""
    swap = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related(
            "duty__roster", "duty__office", "exchange", "requested_by__user", "colleague__user"
        )
        .get(pk=swap.pk)
    )
    if swap.status != SwapRequest.Status.ACCEPTED:
        raise ValidationError(_("This request is not waiting for approval."), code="not_accepted")
    if approve:
        if swap.duty.roster.status != Roster.Status.PUBLISHED:
            raise ValidationError(
                _("The roster has been replaced since; ask for the swap again."), code="stale"
            )
        problems = _swap_problems(profile=swap.colleague, duty=swap.duty, leaving=swap.exchange)
        if swap.exchange is not None:
            problems += _swap_problems(
                profile=swap.requested_by, duty=swap.exchange, leaving=swap.duty
            )
        if problems:
            raise ValidationError([ValidationError(p, code="breaks_rules") for p in problems])
        duty, exchange = swap.duty, swap.exchange
        if exchange is not None and (exchange.day, exchange.half_day) == (
            duty.day,
            duty.half_day,
        ):
            # The same half-day at two offices: exchanging the offices is the same swap, and
            # never has one person in two rows of one half-day on the way.
            Duty.objects.filter(pk=duty.pk).update(office=exchange.office_id)
            Duty.objects.filter(pk=exchange.pk).update(office=duty.office_id)
        else:
            Duty.objects.filter(pk=duty.pk).update(counselor=swap.colleague)
            if exchange is not None:
                Duty.objects.filter(pk=exchange.pk).update(counselor=swap.requested_by)
    swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REJECTED
    swap.decided_at = timezone.now()
    swap.decided_by = decided_by
    swap.save(update_fields=["status", "decided_at", "decided_by"])
    text = (
        _("The swap of the duty on %(day)s is approved.")
        if approve
        else _("The swap of the duty on %(day)s was not approved.")
    ) % {"day": swap.duty.day.isoformat()}
    for profile in (swap.requested_by, swap.colleague):
        notify(user=profile.user, text=text, url=reverse("counselors:my-duties"))
    audit.record(
        actor=decided_by,
        action="swap.decide",
        obj=swap,
        request=request,
        details={"approved": approve},
    )
    return swap


# --- the calendar feed -------------------------------------------------------------------------


def feed_token(profile: CounselorProfile) -> str:
    """The secret in a counsellor's feed URL: their id and an HMAC of their feed secret."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"tongxin.duty-feed:{profile.pk}:{profile.feed_secret}".encode(),
        hashlib.sha256,
    ).hexdigest()[:40]
    return f"{profile.pk}-{digest}"


def profile_for_feed_token(token: str) -> CounselorProfile | None:
    """The profile whose current feed token this is, else None (compared in constant time)."""
    pk, _sep, _digest = token.partition("-")
    if not pk.isdigit():
        return None
    profile = CounselorProfile.objects.filter(pk=int(pk)).select_related("user").first()
    if profile is None or not hmac.compare_digest(feed_token(profile), token):
        return None
    return profile


@transaction.atomic
def reset_feed(*, profile: CounselorProfile, request=None) -> str:
    """A new feed address; the old one stops working at once."""
    profile.feed_secret = new_feed_secret()
    profile.save(update_fields=["feed_secret"])
    audit.record(actor=profile.user, action="duty.feed.reset", obj=profile, request=request)
    return feed_token(profile)


# --- booking sessions into duty slots ---------------------------------------------------------

SLOT_STEP = timedelta(minutes=60)
SESSION_MINUTES = 50


@dataclass(frozen=True)
class BookingSlot:
    duty: Duty
    starts_at: datetime
    continuity: bool  # the counsellor has already led a session of this case


def on_duty_at(*, user: User, office: RegistryOffice, starts_at: datetime, minutes: int):
    """The published duty during which `user` serves at `office` for the whole session, or None.

    This is the question booking asks of the roster: is counsellor X on duty at office O on
    day D, in the half-day H that holds the session from start to end?
    """
    local = timezone.localtime(starts_at)
    ends = local + timedelta(minutes=minutes)
    for half, (start, end) in DUTY_HOURS.items():
        if start <= local.time() and ends.time() <= end and ends.date() == local.date():
            return (
                Duty.objects.published()
                .select_related("counselor__user", "office")
                .filter(counselor__user=user, office=office, day=local.date(), half_day=half)
                .first()
            )
    return None


def booking_slots(*, case: Case, days: int = 14) -> list[BookingSlot]:
    """Free session start times in the coming days, inside the published duty at the case's
    office of the counsellors assigned to it. Continuity of care: the counsellors the couple has
    already seen come first."""
    now = timezone.now()
    today = timezone.localdate()
    assigned = list(
        User.objects.filter(
            case_assignments__case=case, case_assignments__ended_at__isnull=True
        ).values_list("pk", flat=True)
    )
    seen = set(
        case.sessions.filter(status__in=["booked", "held"]).values_list("lead_counselor", flat=True)
    )
    duties = (
        Duty.objects.published()
        .filter(
            office=case.office,
            counselor__user__in=assigned,
            day__gte=today,
            day__lte=today + timedelta(days=days),
        )
        .select_related("counselor__user", "office")
    )
    busy = set(
        CounselingSession.objects.filter(
            lead_counselor__in=assigned,
            status__in=["booked", "held"],
            starts_at__gte=now - timedelta(hours=4),
        ).values_list("lead_counselor", "starts_at")
    )
    slots = []
    for duty in duties:
        start, end = duty.starts_at(), duty.ends_at()
        moment = start
        while moment + timedelta(minutes=SESSION_MINUTES) <= end:
            if moment > now and (duty.counselor.user_id, moment) not in busy:
                slots.append(BookingSlot(duty, moment, continuity=duty.counselor.user_id in seen))
            moment += SLOT_STEP
    return sorted(slots, key=lambda s: (not s.continuity, s.starts_at, s.duty.counselor_id))


def book_into_duty(
    *,
    case: Case,
    lead_counselor: User,
    starts_at: datetime,
    kind: str,
    room: str,
    booked_by: User,
    party=None,
    duration_minutes: int = SESSION_MINUTES,
    request=None,
) -> CounselingSession:
    """Book a session with a counsellor who is on duty at the case's office for all of it.

    Refused outside published duty. The session itself is made by mediation's `book_session`
    (consent, safety screen, assignment); its conditional unique constraints make double
    booking impossible even when two people book the same slot at the same moment.
    """
    with transaction.atomic():
        duty = on_duty_at(
            user=lead_counselor, office=case.office, starts_at=starts_at, minutes=duration_minutes
        )
        if duty is None:
            raise ValidationError(
                _("%(name)s is not on duty at %(office)s for that time.")
                % {"name": lead_counselor.display_name, "office": case.office.display_name},
                code="outside_duty",
            )
        return mediation_services.book_session(
            case=case,
            kind=kind,
            starts_at=starts_at,
            room=room,
            lead_counselor=lead_counselor,
            booked_by=booked_by,
            party=party,
            duration_minutes=duration_minutes,
            request=request,
        )
