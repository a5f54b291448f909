"""Case work (DOMAIN.md): cases, parties, safety screens, sessions, counselling results and
registry outcomes, referrals, follow-ups and satisfaction. Consent is in models/consent.py,
session notes in models/notes.py, attached scans in models/attachments.py.

Sealed fields (names, ID numbers, phones, addresses, screening answers, note bodies, referral
reasons) are `*_sealed` binary columns of SealedModel rows; statistics read plain columns only.
"""

import operator
import uuid
from collections.abc import Iterable
from enum import StrEnum
from functools import reduce
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import RegistryOffice, Room
from .sealed import SealedModel, sealed_field


class Port(models.TextChoices):
    """The 'two ports' of DOMAIN.md, plus families who walk in."""

    DIVORCE = "divorce", _("Divorce application")
    MARRIAGE = "marriage", _("Marriage registration")
    WALK_IN = "walk_in", _("Walk-in family counselling")


class Category(models.TextChoices):
    """MZ/T 084-2017 counselling categories."""

    PREMARITAL = "premarital", _("Premarital guidance")
    MARITAL = "marital", _("Marital relationship")
    FAMILY = "family", _("Family relationship")
    DIVORCE_ADJUSTMENT = "divorce_adjustment", _("Divorce adjustment")


class CounsellingResult(models.TextChoices):
    """MZ/T 084-2017 counselling result: the counsellor's record, not the registry outcome."""

    RECONCILE = "reconcile", _("Wish to reconcile")
    POSTPONE = "postpone", _("Postpone the divorce")
    DIVORCE = "divorce", _("Choose to divorce")


class OutcomeKind(models.TextChoices):
    """The registry outcome of a divorce application (DOMAIN.md, 'Outcomes and what counts')."""

    RECONCILED = "reconciled", _("Reconciled: application withdrawn")
    LAPSED = "lapsed", _("Lapsed: deemed withdrawn")
    DIVORCED = "divorced", _("Divorced: certificate issued")
    DECLINED = "declined", _("Declined or consent withdrawn")
    REFERRED = "referred", _("Referred to another service")


class CaseRelation(StrEnum):
    """How a user stands to a case; access.py grants each action to some of these."""

    ASSIGNED = "assigned"  # a counsellor assigned to it, at one of their offices
    SUPERVISING = "supervising"  # a supervisor of its office


def case_relations(user: Any) -> dict[CaseRelation, Q]:
    """The one statement of who reaches which case (SECURITY.md, 'Access'): for each relation
    `user` may stand in, the condition on a Case row. Counsellors stand in ASSIGNED to the
    cases assigned to them at their offices; supervisors in SUPERVISING to every case of their
    offices; inactive and anonymous users and every other role in none. The list filter
    (`visible_to`) and the per-object check (`access.can`) both evaluate these conditions."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    offices = RegistryOffice.objects.of_user(user)
    conditions: dict[CaseRelation, Q] = {}
    if user.has_perm("mediation.work_cases"):
        active = CaseAssignment.objects.filter(counselor=user, ended_at__isnull=True)
        conditions[CaseRelation.ASSIGNED] = Q(office__in=offices, pk__in=active.values("case_id"))
    if user.has_perm("mediation.supervise_office"):
        conditions[CaseRelation.SUPERVISING] = Q(office__in=offices)
    return conditions


class CaseQuerySet(models.QuerySet["Case"]):
    def reachable_by(self, user: Any, relations: Iterable[CaseRelation]) -> "CaseQuerySet":
        """The cases `user` stands to in at least one of `relations`."""
        conditions = case_relations(user)
        chosen = [conditions[relation] for relation in relations if relation in conditions]
        if not chosen:
            return self.none()
        return self.filter(reduce(operator.or_, chosen))

    def visible_to(self, user: Any) -> "CaseQuerySet":
        """The one door (ARCHITECTURE.md): the cases a user stands in any relation to."""
        return self.reachable_by(user, CaseRelation)

    def relations_of(self, user: Any, case: "Case") -> frozenset[CaseRelation]:
        """How `user` stands to `case`, from the same conditions as `reachable_by`, in one
        query (none when the user can stand in no relation at all)."""
        conditions = case_relations(user)
        if not conditions:
            return frozenset()
        row = (
            self.filter(pk=case.pk)
            .values(
                **{
                    relation.value: ExpressionWrapper(condition, output_field=BooleanField())
                    for relation, condition in conditions.items()
                }
            )
            .first()
        )
        if row is None:
            return frozenset()
        return frozenset(relation for relation in conditions if row[relation.value])

    def open(self) -> "CaseQuerySet":
        return self.filter(status=Case.Status.OPEN)


class Case(models.Model):
    """One couple (or family) at one office, followed over several sessions."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    office = models.ForeignKey(
        RegistryOffice, on_delete=models.PROTECT, related_name="cases", verbose_name=_("office")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("case number"), max_length=32, unique=True)
    port = models.CharField(_("port"), max_length=12, choices=Port.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    received_on = models.DateField(_("application received on"), null=True, blank=True)
    cooling_off_ends_on = models.DateField(_("cooling-off period ends on"), null=True, blank=True)
    certificate_window_ends_on = models.DateField(
        _("certificate window ends on"), null=True, blank=True
    )
    deadlines_provisional = models.BooleanField(_("deadlines provisional"), default=False)
    counselling_offered = models.BooleanField(_("counselling offered"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    joint_sessions_blocked = models.BooleanField(_("joint sessions blocked"), default=False)
    result = models.CharField(
        _("counselling result"), max_length=12, choices=CounsellingResult.choices, blank=True
    )
    result_on = models.DateField(_("result recorded for"), null=True, blank=True)
    result_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Record classes whose retention period has passed and whose sealed data was shredded.
    purged = models.JSONField(_("record classes purged"), default=list, blank=True)
    counselors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "counselor"),
        related_name="cases",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "sequence"], name="case_unique_number_per_office_year"
            ),
            models.CheckConstraint(
                condition=~Q(port="divorce") | Q(received_on__isnull=False),
                name="case_divorce_has_receipt_date",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "received_on"], name="case_office_received_idx"),
            models.Index(fields=["status", "cooling_off_ends_on"], name="case_status_cooling_idx"),
            models.Index(fields=["office", "opened_at"], name="case_office_opened_idx"),
            # The case lists' order within an office (mediation.views.cases._filtered_cases).
            models.Index(
                fields=["office", "-status", "cooling_off_ends_on", "-opened_at"],
                name="case_office_list_idx",
            ),
            # Open cases only (a few hundred an office whatever its history): the lists of
            # open cases, a counsellor's open cases and the deadlines of the coming days.
            models.Index(
                fields=["office", "cooling_off_ends_on", "certificate_window_ends_on"],
                condition=Q(status="open"),
                name="case_open_idx",
            ),
            models.Index(
                fields=["certificate_window_ends_on"],
                condition=Q(status="open"),
                name="case_open_window_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_divorce(self) -> bool:
        return self.port == Port.DIVORCE

    @property
    def outcome(self) -> "Outcome | None":
        """The registry outcome in force (voided ones are kept apart, in `outcomes`). Lists
        prefetch it into `outcomes_in_force`."""
        if "outcomes_in_force" in self.__dict__:
            prefetched = self.__dict__["outcomes_in_force"]
            return prefetched[0] if prefetched else None
        return Outcome.objects.in_force().filter(case=self).first()

    def sessions_with_note_metadata(self) -> "models.QuerySet[CounselingSession]":
        """Sessions newest first, with their notes' author and status (never their text)."""
        from .notes import SessionNote  # noqa: PLC0415  (notes imports this module)

        notes = SessionNote.objects.select_related("author").only(
            "uuid", "session_id", "author", "status", "version", "signed_at"
        )
        return (
            self.sessions.select_related("lead_counselor", "party")
            .prefetch_related(models.Prefetch("notes", queryset=notes))
            .order_by("-starts_at")
        )


class CaseNumberCounter(models.Model):
    """The last case sequence per office and year; incremented under a row lock."""

    office = models.ForeignKey(RegistryOffice, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="counter_unique_office_year")
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class CaseAssignment(models.Model):
    """A counsellor assigned to a case; ending an assignment ends access on the next request."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "counselor"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_counselor",
            )
        ]
        indexes = [
            # A counsellor's active assignments, read from the index alone (the door's
            # `pk IN (active assignments)`), not from a heap page per assignment.
            models.Index(
                fields=["counselor", "case"],
                condition=Q(ended_at__isnull=True),
                name="assignment_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} / {self.counselor}"


class Party(SealedModel):
    """A spouse (or family member) in a case, with the MZ/T 084 record-form fields."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("primary school or less")
        JUNIOR = "junior", _("junior secondary")
        SENIOR = "senior", _("senior secondary or vocational")
        COLLEGE = "college", _("college")
        UNIVERSITY = "university", _("university or above")

    class MaritalStatus(models.TextChoices):
        UNMARRIED = "unmarried", _("unmarried")
        FIRST_MARRIAGE = "first", _("first marriage")
        REMARRIED = "remarried", _("remarried")

    SEALED_FIELDS = ("name", "id_number", "phone", "address")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    position = models.PositiveSmallIntegerField(_("party"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    education = models.CharField(
        _("education"), max_length=12, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=40, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=12, choices=MaritalStatus.choices, blank=True
    )
    years_married = models.PositiveSmallIntegerField(_("years married"), null=True, blank=True)
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The keyed blind index of the normalised full name (identity.normalise_name), for search.
    name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name_sealed = sealed_field()
    id_number_sealed = sealed_field()
    phone_sealed = sealed_field()
    address_sealed = sealed_field()
    consent_counselling = models.BooleanField(default=False)
    consent_sensitive = models.BooleanField(default=False)
    consent_follow_up = models.BooleanField(default=False)
    consent_statistics = models.BooleanField(default=False)
    consent_referral = models.BooleanField(default=False)
    screened_positive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Crypto-shredded (PIPL art. 47): the data keys of the party's sealed rows are destroyed.
    erased_at = models.DateTimeField(_("personal data deleted at"), null=True, blank=True)
    # Set when counselling consent is withdrawn: the party's personal data is deleted then.
    erasure_due_on = models.DateField(_("personal data to be deleted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="party_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} / {self.position}"

    @property
    def label(self) -> str:
        """How the party is named on every page: never again once their data is deleted."""
        if self.erased_at is not None:
            return str(_("Deleted party"))
        return _("Party %(position)s") % {"position": self.position}

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class SafetyScreen(SealedModel):
    """The short domestic-violence screen, done with one party alone (DOMAIN.md, 'Safety')."""

    SEALED_FIELDS = ("answers",)
    # The questions, in the order they are asked, as the party hears them; the sealed answers
    # map each to yes or no.
    QUESTION_TEXTS = {
        "hurt": _("In the past year, has your spouse hit, pushed or otherwise hurt you?"),
        "afraid": _("Are you afraid of your spouse?"),
        "threatened": _("Has your spouse threatened to hurt you, your children or your family?"),
        "controlled": _(
            "Does your spouse keep you from going out, from money, or from seeing people?"
        ),
        "unsafe_home": _("Do you feel unsafe going home today?"),
    }
    QUESTIONS = tuple(QUESTION_TEXTS)

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="screens")
    positive = models.BooleanField(_("positive"))
    answers_sealed = sealed_field()
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField()

    class Meta:
        ordering = ["-screened_at"]


class Service(models.TextChoices):
    """The free services of the mediation room (DOMAIN.md)."""

    MARRIAGE_GUIDANCE = "marriage_guidance", _("Marriage guidance")
    PSYCHOLOGICAL = "psychological", _("Psychological counselling")
    PRENATAL = "prenatal", _("Prenatal and child-health information")
    RELATIONSHIP = "relationship", _("Relationship adjustment")


SERVICE_COLUMNS = {
    Service.MARRIAGE_GUIDANCE: "service_marriage_guidance",
    Service.PSYCHOLOGICAL: "service_psychological",
    Service.PRENATAL: "service_prenatal",
    Service.RELATIONSHIP: "service_relationship",
}


class SessionStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")
    NO_SHOW = "no_show", _("did not come")


class CancelReason(models.TextChoices):
    """Why a booked session did not take place: asked of the user when they cancel it or record
    that the party did not come; the last three are set when another change cancels it."""

    PARTY_ASKED = "party_asked", _("The party asked to cancel")
    COUNSELOR_UNAVAILABLE = "counselor_unavailable", _("The counsellor could not attend")
    RESCHEDULED = "rescheduled", _("Moved to another time")
    SAFETY = "safety", _("For safety reasons")
    NOT_REACHED = "not_reached", _("Did not come and could not be reached")
    LATE_NOTICE = "late_notice", _("Did not come and said why afterwards")
    OTHER = "other", _("Other reason")
    CASE_CLOSED = "case_closed", _("The case was closed")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
    SAFETY_SCREEN = "safety_screen", _("A safety screen was positive")


CANCEL_REASONS = [
    CancelReason.PARTY_ASKED,
    CancelReason.COUNSELOR_UNAVAILABLE,
    CancelReason.RESCHEDULED,
    CancelReason.SAFETY,
    CancelReason.OTHER,
]
NO_SHOW_REASONS = [CancelReason.NOT_REACHED, CancelReason.LATE_NOTICE, CancelReason.OTHER]


# A booked or held session occupies its counsellor and its room; cancelled ones free them.
ACTIVE_SESSION_STATUSES = [SessionStatus.BOOKED, SessionStatus.HELD]
ACTIVE_SESSION = Q(status__in=ACTIVE_SESSION_STATUSES)


class CounselingSession(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        JOINT = "joint", _("joint")

    Status = SessionStatus
    ACTIVE_STATUSES = ACTIVE_SESSION_STATUSES

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    office = models.ForeignKey(RegistryOffice, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=50)
    room = models.CharField(_("room"), max_length=30)
    # The office's room the session was booked into (its name is copied to `room`); empty for
    # sessions recorded afterwards in a room typed by hand, and for those before rooms existed.
    booked_room = models.ForeignKey(
        Room,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("room"),
    )
    lead_counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_sessions",
        verbose_name=_("counsellor"),
    )
    co_counselors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_sessions"
    )
    # One column per service (not a list) so statistics count them with plain SQL on any engine.
    service_marriage_guidance = models.BooleanField(_("marriage guidance"), default=False)
    service_psychological = models.BooleanField(_("psychological counselling"), default=False)
    service_prenatal = models.BooleanField(
        _("prenatal and child-health information"), default=False
    )
    service_relationship = models.BooleanField(_("relationship adjustment"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField()
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(
        _("reason"), max_length=24, choices=CancelReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            # Double booking is impossible, even when two clerks click at the same moment.
            models.UniqueConstraint(
                fields=["lead_counselor", "starts_at"],
                condition=ACTIVE_SESSION,
                name="session_no_double_booking_counselor",
            ),
            models.UniqueConstraint(
                fields=["office", "room", "starts_at"],
                condition=ACTIVE_SESSION,
                name="session_no_double_booking_room",
            ),
            models.UniqueConstraint(
                fields=["booked_room", "starts_at"],
                condition=ACTIVE_SESSION & Q(booked_room__isnull=False),
                name="session_no_double_booking_booked_room",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_counselor", "starts_at"], name="session_lead_idx"),
            models.Index(fields=["office", "starts_at"], name="session_office_start_idx"),
            # A day's sessions, led or co-led (the today page asks for either, which the lead
            # counsellor's index cannot answer alone).
            models.Index(fields=["starts_at"], name="session_starts_idx"),
            # Sessions still marked booked (the today page's unrecorded sessions).
            models.Index(
                fields=["starts_at"], condition=Q(status="booked"), name="session_booked_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def services(self) -> list[str]:
        return [service for service in Service.values if getattr(self, SERVICE_COLUMNS[service])]

    @property
    def service_labels(self) -> list[str]:
        return [Service(service).label for service in self.services]

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def set_services(self, services) -> None:
        for service, column in SERVICE_COLUMNS.items():
            setattr(self, column, service in services)


class OutcomeQuerySet(models.QuerySet["Outcome"]):
    def in_force(self) -> "OutcomeQuerySet":
        """Outcomes not voided: what a case is closed by and what statistics count."""
        return self.filter(voided_at__isnull=True)


class Outcome(models.Model):
    """The registry outcome of a divorce case. Exactly one is in force (a conditional unique
    constraint, so it holds under concurrency); a supervisor may void a wrong one, which is kept
    with who, when and why, and the case reopens for the right one."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="outcomes", related_query_name="outcome"
    )
    kind = models.CharField(_("registry outcome"), max_length=12, choices=OutcomeKind.choices)
    decided_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    by_clock = models.BooleanField(_("recorded by the clock"), default=False)
    # Recorded while the deadlines were provisional (a year not loaded): re-checked when the
    # year is entered, and a date then outside its window goes to the supervisor's list.
    provisional = models.BooleanField(_("recorded on provisional deadlines"), default=False)
    rechecked_at = models.DateTimeField(null=True, blank=True)
    window_mismatch = models.BooleanField(_("outside the window after re-checking"), default=False)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry outcome")
        verbose_name_plural = _("registry outcomes")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(voided_at__isnull=True),
                name="outcome_one_in_force_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "decided_on"], name="outcome_kind_date_idx"),
            # The supervisor's outcomes to review (in force, outside their window): a handful
            # among every outcome ever recorded.
            models.Index(
                fields=["decided_on"],
                condition=Q(window_mismatch=True, voided_at__isnull=True),
                name="outcome_to_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.kind}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Referral(SealedModel):
    class Destination(models.TextChoices):
        WOMENS_FEDERATION = "womens_federation", _("Women's federation (anti-domestic-violence)")
        LEGAL_AID = "legal_aid", _("Legal aid")
        POLICE = "police", _("Police")
        MENTAL_HEALTH = "mental_health", _("Mental-health care")
        OTHER = "other", _("Other service")

    SEALED_FIELDS = ("reason",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    destination = models.CharField(_("referred to"), max_length=20, choices=Destination.choices)
    reason_sealed = sealed_field()
    referred_on = models.DateField(_("referred on"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["referred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} -> {self.destination}"


class FollowUp(models.Model):
    """A follow-up (回访) 3 or 6 months after a reconciliation: did it hold?"""

    class Status(models.TextChoices):
        DUE = "due", _("due")
        DONE = "done", _("done")
        UNREACHABLE = "unreachable", _("could not be reached")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DUE)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    reconciliation_held = models.BooleanField(_("reconciliation held"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "party", "months"], name="follow_up_unique_per_party"
            )
        ]
        # Follow-ups still to be made, by day (overdue and due soon on the today page).
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status="due"), name="follow_up_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.months}"


class Satisfaction(models.Model):
    """MZ/T 084 satisfaction, per party, optionally anonymous (then no party is stored)."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        FAIRLY = "fairly", _("Fairly satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="satisfaction")
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.CharField(_("satisfaction"), max_length=12, choices=Rating.choices)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.case}: {self.rating}"
