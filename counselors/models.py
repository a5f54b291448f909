"""The people on duty and their rosters: counsellor profiles, organisations, qualifications,
availability, coverage rules, rosters with duties and gaps, swaps, the e-mail digest of
tomorrow's duty (ARCHITECTURE.md).
Staff notices live in the core (mediation.Notice): both apps raise them.

May import mediation (users, offices); cross-app links use the string form.
"""

import secrets
from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.calendar import month_start

from . import planner


class HalfDay(models.TextChoices):
    AM = planner.AM, _("morning")
    PM = planner.PM, _("afternoon")


# When a half-day of duty runs (the registry's opening hours), for calendars and service hours.
DUTY_HOURS = {
    HalfDay.AM: (time(8, 30), time(12, 0)),
    HalfDay.PM: (time(13, 30), time(17, 0)),
}


def duty_hours(half: str) -> float:
    start, end = DUTY_HOURS[half]
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds / 3600


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


class Organisation(models.Model):
    """Who employs a counsellor: a partner organisation, or the registry itself."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    short_name = models.CharField(_("short name"), max_length=30)
    is_partner = models.BooleanField(
        _("partner organisation"),
        default=True,
        help_text=_("Partners are paid for service hours under a purchase-of-service contract."),
    )

    class Meta:
        ordering = ["-is_partner", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class CounselorProfileQuerySet(models.QuerySet):
    def in_city(self, city: str) -> "CounselorProfileQuerySet":
        return self.filter(offices__city=city).distinct()

    def with_planning_data(self) -> "CounselorProfileQuerySet":
        return self.select_related("user", "organisation", "home_office").prefetch_related(
            "offices", "qualifications"
        )


class CounselorProfile(models.Model):
    """A counsellor or mediator who takes duty (坐诊) in rotation."""

    class Role(models.TextChoices):
        PSYCHOLOGICAL = "psychological", _("psychological counsellor")
        MEDIATOR = "mediator", _("marriage mediator")
        SOCIAL_WORKER = "social_worker", _("social worker")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="counselor_profile",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="counselors"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    home_office = models.ForeignKey(
        "mediation.RegistryOffice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_counselors",
        verbose_name=_("home office"),
    )
    offices = models.ManyToManyField(
        "mediation.RegistryOffice",
        related_name="duty_counselors",
        verbose_name=_("offices they may serve"),
    )
    max_half_days_per_week = models.PositiveSmallIntegerField(
        _("half-days per week at most"), default=4
    )
    max_half_days_per_month = models.PositiveSmallIntegerField(
        _("half-days per month at most"), default=14
    )
    in_rotation = models.BooleanField(_("in the rotation"), default=True)
    # The calendar feed's secret: the URL carries an HMAC of it, so a copy of the database alone
    # does not reveal anyone's feed address; resetting it makes the old address stop working.
    feed_secret = models.CharField(max_length=43, default=new_feed_secret, editable=False)
    duty_digest = models.BooleanField(_("e-mail me tomorrow's duty"), default=False)

    objects = CounselorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "user__username"]
        verbose_name = _("counsellor profile")
        verbose_name_plural = _("counsellor profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_half_days_per_week__lte=14), name="profile_week_cap_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def display_name(self) -> str:
        return self.user.display_name

    def qualified_until(self) -> date | None:
        """Last day of the longest-running psychological-counsellor qualification (None: none).

        Reads the prefetched qualifications, so planning many counsellors costs no queries.
        """
        best = None
        for qualification in self.qualifications.all():
            if qualification.kind != Qualification.Kind.PSYCHOLOGICAL:
                continue
            until = qualification.expires_on or date.max
            best = until if best is None or until > best else best
        return best


class Qualification(models.Model):
    class Kind(models.TextChoices):
        PSYCHOLOGICAL = "psychological", _("psychological counsellor certificate")
        MARRIAGE_FAMILY = "marriage_family", _("marriage and family counsellor certificate")
        SOCIAL_WORK = "social_work", _("social work certificate")
        MEDIATION = "mediation", _("mediator certificate")

    counselor = models.ForeignKey(
        CounselorProfile, on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    certificate_number = models.CharField(_("certificate number"), max_length=40)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self) -> str:
        return self.name


class UnavailabilityQuerySet(models.QuerySet):
    def overlapping(self, start: date, end: date) -> "UnavailabilityQuerySet":
        return self.filter(start__lte=end, end__gte=start)


class Unavailability(models.Model):
    """Days (or one half of each day) a counsellor cannot serve.

    Leave and sudden absence pro-rate their caps (they are away); a declared unavailable
    half-day only says when they cannot come.
    """

    class Kind(models.TextChoices):
        LEAVE = "leave", _("leave")
        UNAVAILABLE = "unavailable", _("declared unavailable")
        ABSENCE = "absence", _("sudden absence")

    PRO_RATED = (Kind.LEAVE, Kind.ABSENCE)

    counselor = models.ForeignKey(
        CounselorProfile, on_delete=models.CASCADE, related_name="unavailability"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    half_day = models.CharField(
        _("half-day"),
        max_length=2,
        choices=HalfDay.choices,
        blank=True,
        help_text=_("Leave empty for whole days."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when entered from the command line."),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    objects = UnavailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["start", "end"]
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailability")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="unavail_order")
        ]

    def __str__(self) -> str:
        return f"{self.counselor} {self.start}–{self.end}"

    def slots(self) -> list[tuple[date, str]]:
        halves = [self.half_day] if self.half_day else list(planner.HALVES)
        days = (self.end - self.start).days + 1
        return [
            (date.fromordinal(self.start.toordinal() + i), half)
            for i in range(days)
            for half in halves
        ]


class DutyRequest(models.Model):
    """A wish about one half-day (or a whole day): the planner honours it when cover allows."""

    class Wish(models.TextChoices):
        PREFER_ON = "on", _("would like to serve")
        PREFER_OFF = "off", _("would rather not serve")

    counselor = models.ForeignKey(
        CounselorProfile, on_delete=models.CASCADE, related_name="requests"
    )
    day = models.DateField(_("day"))
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices, blank=True)
    wish = models.CharField(_("wish"), max_length=3, choices=Wish.choices)

    class Meta:
        ordering = ["day"]
        verbose_name = _("duty request")
        verbose_name_plural = _("duty requests")

    def __str__(self) -> str:
        return f"{self.counselor} {self.day} {self.wish}"


class CoverageRule(models.Model):
    """How an office must be staffed on each working half-day."""

    office = models.OneToOneField(
        "mediation.RegistryOffice", on_delete=models.CASCADE, related_name="coverage_rule"
    )
    needed_am = models.PositiveSmallIntegerField(_("counsellors needed in the morning"), default=1)
    needed_pm = models.PositiveSmallIntegerField(
        _("counsellors needed in the afternoon"), default=1
    )
    qualified_required = models.BooleanField(
        _("a qualified psychological counsellor must be present"), default=True
    )
    room_capacity = models.PositiveSmallIntegerField(
        _("counsellors the rooms hold at once"), default=2
    )

    class Meta:
        verbose_name = _("coverage rule")
        verbose_name_plural = _("coverage rules")

    def __str__(self) -> str:
        return str(self.office)


class RosterQuerySet(models.QuerySet):
    def published(self) -> "RosterQuerySet":
        return self.filter(status=Roster.Status.PUBLISHED)

    def for_month(self, city: str, month: date) -> "RosterQuerySet":
        return self.filter(city=city, month=month_start(month))


class Roster(models.Model):
    """A city's duty for one month. A plan or repair makes a draft; publishing it retires the
    roster published before. Published rosters are stored, never re-derived (optimal rosters
    are not unique)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("replaced")

    class Kind(models.TextChoices):
        PLAN = "plan", _("plan")
        REPAIR = "repair", _("repair")

    class Solver(models.TextChoices):
        QUEUED = "queued", _("waiting for the planner")
        RUNNING = "running", _("planning")
        OPTIMAL = planner.OPTIMAL, _("optimal")
        FEASIBLE = planner.FEASIBLE, _("feasible, not proven optimal")
        UNKNOWN = planner.UNKNOWN, _("no solution within the time limit")
        FAILED = "failed", _("failed")

    FINISHED = (Solver.OPTIMAL, Solver.FEASIBLE, Solver.UNKNOWN, Solver.FAILED)

    city = models.CharField(_("city"), max_length=30)
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PLAN)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    repair_from = models.DateField(_("changes allowed from"), null=True, blank=True)
    office_codes = models.JSONField(_("offices planned"), default=list)
    solver_status = models.CharField(
        _("solver status"), max_length=10, choices=Solver.choices, default=Solver.QUEUED
    )
    objective = models.JSONField(_("objective"), default=dict)
    solve_seconds = models.FloatField(_("time taken (seconds)"), null=True, blank=True)
    weeks = models.JSONField(_("demand and capacity per week"), default=list)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RosterQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "city", "-created_at"]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "month"],
                condition=Q(status="published"),
                name="roster_one_published_per_month",
            ),
            models.UniqueConstraint(
                fields=["city", "month"],
                condition=Q(status="draft"),
                name="roster_one_draft_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.month:%Y-%m} {self.status}"

    @property
    def finished(self) -> bool:
        return self.solver_status in self.FINISHED

    @property
    def usable(self) -> bool:
        return self.solver_status in (self.Solver.OPTIMAL, self.Solver.FEASIBLE)


class DutyQuerySet(models.QuerySet):
    def published(self) -> "DutyQuerySet":
        return self.filter(roster__status=Roster.Status.PUBLISHED)


class Duty(models.Model):
    """One counsellor in one office for one half-day of a roster."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="duties")
    counselor = models.ForeignKey(CounselorProfile, on_delete=models.PROTECT, related_name="duties")
    office = models.ForeignKey("mediation.RegistryOffice", on_delete=models.PROTECT)
    day = models.DateField(_("day"))
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices)
    pinned = models.BooleanField(_("kept as it was"), default=False)

    objects = DutyQuerySet.as_manager()

    class Meta:
        ordering = ["day", "half_day", "office__code"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "counselor", "day", "half_day"],
                name="duty_one_place_per_half_day",
            )
        ]
        indexes = [
            models.Index(fields=["counselor", "day"], name="duty_counselor_day_idx"),
            models.Index(fields=["office", "day"], name="duty_office_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.counselor} {self.office_id} {self.day} {self.half_day}"

    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day, DUTY_HOURS[self.half_day][0]))

    def ends_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day, DUTY_HOURS[self.half_day][1]))


class RosterGap(models.Model):
    """A half-day the roster leaves short of cover, with the planner's reason."""

    class Kind(models.TextChoices):
        COVERAGE = planner.COVERAGE, _("too few counsellors")
        QUALIFIED = planner.QUALIFIED, _("no qualified psychological counsellor")

    class Reason(models.TextChoices):
        NO_ONE_ELIGIBLE = planner.NO_ONE_ELIGIBLE, _("no one may serve this office")
        NO_ONE_AVAILABLE = planner.NO_ONE_AVAILABLE, _("no one is available")
        CAPS = planner.CAPS, _("those available reached their limits")
        QUALIFIED_CAPACITY_EXHAUSTED = (
            planner.QUALIFIED_CAPACITY_EXHAUSTED,
            _("qualified capacity exhausted that week"),
        )
        NEEDED_ELSEWHERE = planner.NEEDED_ELSEWHERE, _("needed at another office")
        ONE_OFFICE_A_DAY = planner.ONE_OFFICE_A_DAY, _("serving another office that day")
        ROOM_FULL = planner.ROOM_FULL, _("the rooms are full")
        FROZEN = planner.FROZEN, _("not re-planned")
        TIME_LIMIT = planner.TIME_LIMIT, _("the planner ran out of time")

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="gaps")
    office = models.ForeignKey("mediation.RegistryOffice", on_delete=models.PROTECT)
    day = models.DateField(_("day"))
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    missing = models.PositiveSmallIntegerField(_("missing"), default=1)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    facts = models.JSONField(default=dict)

    class Meta:
        ordering = ["day", "half_day", "office__code", "kind"]
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")

    def __str__(self) -> str:
        return f"{self.office_id} {self.day} {self.half_day} {self.kind}"

    def explanation(self) -> str:
        """The planner's reason, with the counts behind it."""
        facts = self.facts or {}
        capped = len(facts.get("week_capped", [])) + len(facts.get("month_capped", []))
        return _(
            "%(reason)s (may serve here: %(eligible)s; available: %(available)s; at their "
            "limits: %(capped)s; on duty elsewhere then: %(busy)s)"
        ) % {
            "reason": self.get_reason_display(),
            "eligible": facts.get("eligible", 0),
            "available": facts.get("available", 0),
            "capped": capped,
            "busy": len(facts.get("busy", [])) + len(facts.get("elsewhere_today", [])),
        }


class SwapRequest(models.Model):
    """A counsellor hands a duty to a colleague (optionally taking one of theirs in exchange);
    the colleague agrees, then an administrator approves and the published roster changes."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("waiting for the colleague")
        ACCEPTED = "accepted", _("waiting for approval")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined by the colleague")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN = (Status.PROPOSED, Status.ACCEPTED)

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="swap_requests")
    requested_by = models.ForeignKey(
        CounselorProfile, on_delete=models.CASCADE, related_name="swaps_requested"
    )
    colleague = models.ForeignKey(
        CounselorProfile,
        on_delete=models.CASCADE,
        related_name="swaps_offered",
        verbose_name=_("colleague"),
    )
    exchange = models.ForeignKey(
        Duty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("their duty in exchange"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            models.UniqueConstraint(
                fields=["duty"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="swap_one_open_request_per_duty",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_by} → {self.colleague} ({self.status})"


class DutyDigest(models.Model):
    """The e-mail digest of one day's duty sent to one counsellor: once, whatever runs twice."""

    counselor = models.ForeignKey(CounselorProfile, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["counselor", "day"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.counselor_id} {self.day}"
