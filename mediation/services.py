"""Every change of state with a rule in case work: keyword-only functions, one transaction each,
each writing its audit event (ARCHITECTURE.md, 'Where logic lives').

Views and commands call these; they raise ValidationError (with a code, and a field where one
is to blame) for anything the user can correct.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, crypto, sealing
from .access import Action, can
from .calendar import add_months
from .identity import InvalidIdNumber, normalise_id_number
from .models import (
    Case,
    CaseAssignment,
    CaseNumberCounter,
    ConsentRecord,
    ConsentText,
    CounselingSession,
    FollowUp,
    NoteAddendum,
    NoteRevision,
    OfficialCalendarDay,
    OfficialCalendarYear,
    Outcome,
    OutcomeKind,
    Party,
    Port,
    Purpose,
    Referral,
    RegistryOffice,
    SafetyScreen,
    Satisfaction,
    SealedModel,
    Service,
    SessionNote,
    User,
)
from .signals import calendar_year_entered

log = logging.getLogger("tongxin.sealed")

FOLLOW_UP_MONTHS = (3, 6)


def key_unavailable_message() -> str:
    return _(
        "The encryption key of this record is not available. "
        "Please contact the system administrator."
    )


def integrity_failed_message() -> str:
    return _("This record failed its integrity check. The administrator has been notified.")


def field_error(field_name: str, message: str, code: str) -> ValidationError:
    """An error that belongs next to one field of the form, with a code tests and views can use."""
    return ValidationError({field_name: ValidationError(message, code=code)})


# --- Opening sealed data -------------------------------------------------------------------


@dataclass
class Opened:
    """What a read of sealed fields gave: the values, or a message saying why not."""

    values: dict[str, str | None] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _open_sealed(
    *, user, obj: SealedModel, fields: Sequence[str], action: str, request=None
) -> Opened:
    """Record the read, then decrypt. A missing key or a failed tag gives a clear message and an
    audit event, never bytes of the blob, and writes nothing else (SECURITY.md table)."""
    try:
        values = sealing.open_fields(obj, *fields)
    except crypto.KeyUnavailable as error:
        audit.record(
            actor=user,
            action=action,
            obj=obj,
            outcome="failed",
            request=request,
            details={"reason": "key_unavailable", "key_id": error.key_id},
        )
        return Opened(error=key_unavailable_message())
    except (crypto.IntegrityFailure, crypto.UnsupportedFormat) as error:
        log.error(
            "integrity failure opening %s %s: %s",
            obj._meta.model_name,
            obj.uuid,
            type(error).__name__,
        )
        audit.record(
            actor=user,
            action=action,
            obj=obj,
            outcome="failed",
            request=request,
            details={"reason": "integrity"},
        )
        return Opened(error=integrity_failed_message())
    audit.record(actor=user, action=action, obj=obj, request=request)
    return Opened(values=values)


def read_party_identity(
    *, user, party: Party, request=None, fields: Sequence[str] = Party.SEALED_FIELDS
) -> Opened:
    """Names, ID numbers, phones and addresses: the assigned counsellor and the office's
    supervisor may open them; every opening is an audit event (`party.identity.read`)."""
    if not can(user, Action.READ_IDENTITY, party.case):
        audit.record(
            actor=user, action="party.identity.read", obj=party, outcome="denied", request=request
        )
        return Opened(error=_("You may not see this person's identity."))
    return _open_sealed(
        user=user, obj=party, fields=fields, action="party.identity.read", request=request
    )


def read_note(*, user, note: SessionNote, request=None) -> Opened:
    """Note text: only counsellors assigned to the case (SECURITY.md, 'Access')."""
    case = note.session.case
    if not can(user, Action.READ_NOTE, case):
        audit.record(actor=user, action="note.read", obj=note, outcome="denied", request=request)
        return Opened(error=_("Only the counsellors of this case may read its notes."))
    opened = _open_sealed(
        user=user, obj=note, fields=note.SEALED_FIELDS, action="note.read", request=request
    )
    if opened.ok:
        addenda = []
        for addendum in note.addenda.all():
            opened_addendum = _open_sealed(
                user=user, obj=addendum, fields=("body",), action="note.read", request=request
            )
            addenda.append((addendum, opened_addendum))
        opened.values["addenda"] = addenda
    return opened


def read_screen(*, user, screen: SafetyScreen, request=None) -> Opened:
    if not can(user, Action.READ_NOTE, screen.party.case):
        audit.record(
            actor=user, action="screen.read", obj=screen, outcome="denied", request=request
        )
        return Opened(error=_("Only the counsellors of this case may read screening answers."))
    return _open_sealed(
        user=user, obj=screen, fields=("answers",), action="screen.read", request=request
    )


def read_referral_reason(*, user, referral: Referral, request=None) -> Opened:
    if not can(user, Action.VIEW, referral.case):
        return Opened(error=_("You may not see this referral."))
    return _open_sealed(
        user=user, obj=referral, fields=("reason",), action="referral.read", request=request
    )


def _require_openable(obj: SealedModel) -> None:
    """Saving over sealed values that do not open would destroy them: refuse instead."""
    if obj.wrapped_key is None:
        return
    try:
        sealing.data_key(obj)
    except crypto.KeyUnavailable:
        raise ValidationError(key_unavailable_message(), code="key_unavailable") from None
    except crypto.IntegrityFailure:
        raise ValidationError(integrity_failed_message(), code="integrity") from None


# --- The clock -----------------------------------------------------------------------------


def _apply_deadlines(case: Case) -> None:
    from .clock import deadlines
    from .models import OfficialCalendarYear

    if case.received_on is None:
        case.cooling_off_ends_on = case.certificate_window_ends_on = None
        case.deadlines_provisional = False
        return
    years = range(case.received_on.year, case.received_on.year + 2)
    result = deadlines(case.received_on, OfficialCalendarYear.objects.calendar(years))
    case.cooling_off_ends_on = result.cooling_off_ends_on
    case.certificate_window_ends_on = result.certificate_window_ends_on
    case.deadlines_provisional = result.provisional


@transaction.atomic
def recompute_deadlines(*, year: int | None = None) -> int:
    """Recompute the deadlines of open divorce cases whose deadlines were provisional (after an
    official calendar year is entered). Returns how many changed."""
    changed = 0
    cases = Case.objects.select_for_update().filter(
        status=Case.Status.OPEN, port=Port.DIVORCE, deadlines_provisional=True
    )
    for case in cases:
        before = (
            case.cooling_off_ends_on,
            case.certificate_window_ends_on,
            case.deadlines_provisional,
        )
        _apply_deadlines(case)
        after = (
            case.cooling_off_ends_on,
            case.certificate_window_ends_on,
            case.deadlines_provisional,
        )
        if before != after:
            case.save(
                update_fields=[
                    "cooling_off_ends_on",
                    "certificate_window_ends_on",
                    "deadlines_provisional",
                ]
            )
            changed += 1
    audit.record(
        actor=None, action="case.deadlines.recompute", details={"year": year, "changed": changed}
    )
    return changed


def rest_day_warning(received_on: date | None) -> str:
    """A receipt date on a rest day is unusual (registries close) but possible: warn, not block."""
    from .models import OfficialCalendarYear

    if received_on is None:
        return ""
    calendar = OfficialCalendarYear.objects.calendar([received_on.year])
    if calendar.knows(received_on.year) and calendar.is_rest_day(received_on):
        return _(
            "%(day)s is an official rest day. Please check the date the application was received."
        ) % {"day": received_on.isoformat()}
    return ""


# --- Cases ---------------------------------------------------------------------------------


def _next_sequence(office: RegistryOffice, year: int) -> int:
    """Take the next number under a row lock: two counsellors opening cases at the same moment
    still get different numbers (the unique constraint is the last line of defence)."""
    for _attempt in range(5):
        updated = CaseNumberCounter.objects.filter(office=office, year=year).update(
            last=F("last") + 1
        )
        if updated:
            return CaseNumberCounter.objects.get(office=office, year=year).last
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(office=office, year=year, last=1)
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")


def _validate_case_dates(*, port: str, received_on: date | None, today: date) -> None:
    if port == Port.DIVORCE and received_on is None:
        raise field_error(
            "received_on",
            _("A divorce case needs the date the registry received the application."),
            "received_on_required",
        )
    if received_on is not None and received_on > today:
        raise field_error(
            "received_on",
            _("The application cannot have been received in the future."),
            "received_in_future",
        )
    if received_on is not None and received_on < date(2021, 1, 1):
        raise field_error(
            "received_on",
            _("The divorce cooling-off period applies to applications from 1 January 2021."),
            "received_before_law",
        )


@transaction.atomic
def open_case(
    *,
    office: RegistryOffice,
    port: str,
    category: str,
    opened_by: User,
    received_on: date | None = None,
    counselors: Iterable[User] = (),
    counselling_offered: bool = True,
    party_count: int = 2,
    opened_at: datetime | None = None,
    request=None,
) -> Case:
    """Open a case for one couple at one office, with its parties (nothing about them yet but
    their place: details need their consent) and its deadlines from the legal clock."""
    opened_at = opened_at or timezone.now()
    _validate_case_dates(port=port, received_on=received_on, today=timezone.localdate(opened_at))
    if not 1 <= party_count <= 2:
        raise ValidationError(_("A case has one or two parties."), code="party_count")
    year = timezone.localdate(opened_at).year
    sequence = _next_sequence(office, year)
    case = Case(
        office=office,
        year=year,
        sequence=sequence,
        number=f"{office.code}-{year}-{sequence:04d}",
        port=port,
        category=category,
        received_on=received_on if port == Port.DIVORCE else None,
        counselling_offered=counselling_offered,
        opened_by=opened_by,
        opened_at=opened_at,
    )
    _apply_deadlines(case)
    case.full_clean(exclude=["opened_by", "number"])
    case.save()
    for position in range(1, party_count + 1):
        Party.objects.create(case=case, position=position)
    counselors = list(counselors)
    if not counselors and opened_by.has_perm("mediation.work_cases"):
        counselors = [opened_by]
    for counselor in counselors:
        _assign(case=case, counselor=counselor, assigned_by=opened_by, at=opened_at)
    audit.record(
        actor=opened_by,
        action="case.open",
        obj=case,
        request=request,
        details={"port": port, "category": category},
    )
    return case


@transaction.atomic
def update_case(
    *, case: Case, updated_by: User, category: str, received_on: date | None, request=None
) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed."), code="closed")
    _validate_case_dates(port=case.port, received_on=received_on, today=timezone.localdate())
    case.category = category
    if case.port == Port.DIVORCE:
        case.received_on = received_on
        _apply_deadlines(case)
    case.save()
    audit.record(actor=updated_by, action="case.update", obj=case, request=request)
    return case


def _assign(*, case: Case, counselor: User, assigned_by: User, at: datetime) -> CaseAssignment:
    if not User.objects.counselors_of(case.office).filter(pk=counselor.pk).exists():
        raise field_error(
            "counselor",
            _("%(name)s is not a counsellor of this office.") % {"name": counselor.display_name},
            "not_a_counselor_here",
        )
    if CaseAssignment.objects.filter(
        case=case, counselor=counselor, ended_at__isnull=True
    ).exists():
        raise field_error(
            "counselor",
            _("%(name)s is already assigned to this case.") % {"name": counselor.display_name},
            "already_assigned",
        )
    return CaseAssignment.objects.create(
        case=case, counselor=counselor, assigned_by=assigned_by, assigned_at=at
    )


@transaction.atomic
def assign_counselor(
    *, case: Case, counselor: User, assigned_by: User, request=None
) -> CaseAssignment:
    """A supervisor assigns a counsellor; access follows on the next request."""
    assignment = _assign(case=case, counselor=counselor, assigned_by=assigned_by, at=timezone.now())
    audit.record(
        actor=assigned_by,
        action="case.assign",
        obj=case,
        request=request,
        details={"counselor": counselor.username},
    )
    return assignment


@transaction.atomic
def unassign_counselor(*, case: Case, counselor: User, unassigned_by: User, request=None) -> None:
    """End an assignment: the counsellor loses the case (and its notes) on the next request."""
    updated = CaseAssignment.objects.filter(
        case=case, counselor=counselor, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    if not updated:
        raise ValidationError(
            _("This counsellor is not assigned to the case."), code="not_assigned"
        )
    audit.record(
        actor=unassigned_by,
        action="case.unassign",
        obj=case,
        request=request,
        details={"counselor": counselor.username},
    )


def earlier_cases_for(party: Party) -> list[Case]:
    """Duplicate detection through the blind index: this person's other cases at this office."""
    if not party.id_index:
        return []
    return list(
        Case.objects.filter(office_id=party.case.office_id, parties__id_index=party.id_index)
        .exclude(pk=party.case_id)
        .order_by("opened_at")
        .distinct()
    )


# --- Parties and consent -------------------------------------------------------------------


def consent_text_for(purpose: str) -> ConsentText:
    """The current version of the agreement a purpose is consented against: counselling under the
    confidentiality agreement, the rest under the privacy-protection agreement."""
    prefix = "BM-" if purpose == Purpose.COUNSELLING else "YS-"
    text = ConsentText.objects.filter(
        version__startswith=prefix, effective_from__lte=timezone.localdate()
    ).first()
    if text is None:
        raise ValidationError(_("No consent text is in force."), code="no_consent_text")
    return text


CONSENT_FLAGS = {
    Purpose.COUNSELLING: "consent_counselling",
    Purpose.SENSITIVE: "consent_sensitive",
    Purpose.FOLLOW_UP: "consent_follow_up",
    Purpose.STATISTICS: "consent_statistics",
}


@transaction.atomic
def record_consent(
    *,
    case: Case,
    party: Party,
    purpose: str,
    given: bool,
    recorded_by: User,
    text: ConsentText | None = None,
    request=None,
) -> ConsentRecord:
    """Consent per party and per purpose, against a versioned text, with who and when.
    Withdrawing is as easy as giving and stops what it covers: no new sessions or details after
    counselling consent is withdrawn, no note text without sensitive-information consent, no
    follow-up calls without follow-up consent."""
    if party.case_id != case.pk:
        raise ValidationError(
            _("This person is not a party to this case."), code="party_not_in_case"
        )
    if purpose not in CONSENT_FLAGS:
        raise ValidationError(_("Unknown consent purpose."), code="purpose")
    party = Party.objects.select_for_update().get(pk=party.pk)
    if purpose != Purpose.COUNSELLING and given and not party.consent_counselling:
        raise ValidationError(
            _("Record the consent to counselling first."), code="counselling_consent_first"
        )
    text = text or consent_text_for(purpose)
    now = timezone.now()
    consent = ConsentRecord.objects.create(
        party=party,
        purpose=purpose,
        action=ConsentRecord.Action.GIVEN if given else ConsentRecord.Action.WITHDRAWN,
        text=text,
        recorded_by=recorded_by,
        recorded_at=now,
    )
    setattr(party, CONSENT_FLAGS[purpose], given)
    party.save(update_fields=[CONSENT_FLAGS[purpose]])
    if not given:
        _stop_what_consent_covered(party=party, purpose=purpose, now=now, by=recorded_by)
    audit.record(
        actor=recorded_by,
        action="consent.give" if given else "consent.withdraw",
        obj=party,
        request=request,
        details={"purpose": purpose, "text": text.version},
    )
    return consent


def _stop_what_consent_covered(*, party: Party, purpose: str, now: datetime, by: User) -> None:
    if purpose == Purpose.COUNSELLING:
        # Every purpose rests on counselling consent.
        for other, flag in CONSENT_FLAGS.items():
            if other != Purpose.COUNSELLING and getattr(party, flag):
                setattr(party, flag, False)
                ConsentRecord.objects.create(
                    party=party,
                    purpose=other,
                    action=ConsentRecord.Action.WITHDRAWN,
                    text=consent_text_for(other),
                    recorded_by=by,
                    recorded_at=now,
                )
        party.save()
        future = CounselingSession.objects.filter(
            case=party.case, status=CounselingSession.Status.BOOKED, starts_at__gte=now
        )
        future.filter(party=party).update(status=CounselingSession.Status.CANCELLED)
        future.filter(kind=CounselingSession.Kind.JOINT).update(
            status=CounselingSession.Status.CANCELLED
        )
    if purpose in (Purpose.COUNSELLING, Purpose.FOLLOW_UP):
        FollowUp.objects.filter(party=party, status=FollowUp.Status.DUE).update(
            status=FollowUp.Status.CANCELLED
        )


def _require_consent(party: Party, purpose: str, message: str, code: str) -> None:
    if not getattr(party, CONSENT_FLAGS[purpose]):
        raise ValidationError(message, code=code)


@transaction.atomic
def update_party(
    *,
    party: Party,
    updated_by: User,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    address: str = "",
    sex: str = "",
    birth_year: int | None = None,
    education: str = "",
    occupation: str = "",
    marital_status: str = "",
    years_married: int | None = None,
    request=None,
) -> Party:
    """Record a party's details (the MZ/T 084 record form). Nothing beyond the minimum is kept
    without the party's counselling consent; identity fields are sealed; the ID number is
    validated (GB 11643) and indexed for duplicate detection."""
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    _require_consent(
        party,
        Purpose.COUNSELLING,
        _("Without this party's consent to counselling nothing about them may be recorded."),
        "no_counselling_consent",
    )
    _require_openable(party)
    from . import keyring

    normalised = ""
    if id_number.strip():
        try:
            normalised = normalise_id_number(id_number)
        except InvalidIdNumber as error:
            messages = {
                "length": _("An ID number has 18 characters."),
                "characters": _("An ID number has 17 digits followed by a digit or X."),
                "birth_date": _("The birth date inside this ID number does not exist."),
                "check_digit": _(
                    "The last character of this ID number does not match its check digit. "
                    "Please check it."
                ),
            }
            raise field_error("id_number", messages[error.code], "id_number_invalid") from None
        birth_year = birth_year or int(normalised[6:10])
    if years_married is not None and years_married > 80:
        raise field_error("years_married", _("Please check the years married."), "years_married")
    sealing.seal(
        party, name=name.strip(), id_number=normalised, phone=phone.strip(), address=address.strip()
    )
    party.id_index = (
        crypto.blind_index(keyring.ring().blind_index_key, normalised) if normalised else ""
    )
    party.sex, party.birth_year, party.education = sex, birth_year, education
    party.occupation, party.marital_status, party.years_married = (
        occupation.strip(),
        marital_status,
        years_married,
    )
    party.full_clean(exclude=["case"])
    party.save()
    audit.record(actor=updated_by, action="party.update", obj=party, request=request)
    return party


# --- Safety --------------------------------------------------------------------------------

SCREEN_QUESTIONS = (
    "hurt",
    "afraid",
    "threatened",
    "controlled",
    "unsafe_home",
)


@transaction.atomic
def screen_party(
    *, party: Party, answers: dict[str, bool], screened_by: User, request=None
) -> SafetyScreen:
    """The domestic-violence screen, with one party alone (DOMAIN.md, 'Safety comes before
    reconciliation'). Any 'yes' is positive: joint sessions are then blocked (booked ones are
    cancelled) and contact that could reveal the service to the other party stops. The answers
    are sealed, and kept only with sensitive-information consent; the result is always kept."""
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    _require_consent(
        party,
        Purpose.COUNSELLING,
        _("Without this party's consent to counselling the screen cannot be recorded."),
        "no_counselling_consent",
    )
    missing = [question for question in SCREEN_QUESTIONS if question not in answers]
    if missing:
        raise ValidationError(_("Please answer every question of the screen."), code="incomplete")
    positive = any(bool(answers[question]) for question in SCREEN_QUESTIONS)
    screen = SafetyScreen(
        party=party, positive=positive, screened_by=screened_by, screened_at=timezone.now()
    )
    if party.consent_sensitive:
        sealing.seal(screen, answers=json.dumps({q: bool(answers[q]) for q in SCREEN_QUESTIONS}))
    screen.save()
    if positive:
        party.screened_positive = True
        party.save(update_fields=["screened_positive"])
        case = Case.objects.select_for_update().get(pk=party.case_id)
        case.joint_sessions_blocked = True
        case.save(update_fields=["joint_sessions_blocked"])
        CounselingSession.objects.filter(
            case=case, kind=CounselingSession.Kind.JOINT, status=CounselingSession.Status.BOOKED
        ).update(status=CounselingSession.Status.CANCELLED)
        FollowUp.objects.filter(case=case, status=FollowUp.Status.DUE).exclude(party=party).update(
            status=FollowUp.Status.CANCELLED
        )
    audit.record(
        actor=screened_by,
        action="screen.record",
        obj=screen,
        request=request,
        details={"positive": positive},
    )
    return screen


def may_contact(party: Party) -> bool:
    """Contact (follow-up calls) is suppressed for a party whose spouse screened positive: a call
    could reveal to them that the other sought help."""
    if not party.consent_follow_up:
        return False
    return not party.case.parties.exclude(pk=party.pk).filter(screened_positive=True).exists()


# --- Sessions ------------------------------------------------------------------------------


@transaction.atomic
def book_session(
    *,
    case: Case,
    kind: str,
    starts_at: datetime,
    room: str,
    lead_counselor: User,
    booked_by: User,
    party: Party | None = None,
    duration_minutes: int = 50,
    co_counselors: Iterable[User] = (),
    request=None,
) -> CounselingSession:
    """Book an individual or joint session. A joint session is refused after a positive safety
    screen; every party in it needs counselling consent; a counsellor or a room is never booked
    twice for the same time (conditional unique constraints, so this holds under concurrency)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed."), code="closed")
    if kind == CounselingSession.Kind.JOINT:
        if case.joint_sessions_blocked:
            raise ValidationError(
                _(
                    "A safety screen in this case was positive, so no joint session can be booked. "
                    "Book individual sessions and consider a referral."
                ),
                code="joint_blocked",
            )
        parties = list(case.parties.all())
        party = None
    else:
        if party is None or party.case_id != case.pk:
            raise field_error("party", _("Choose a party of this case."), "party_not_in_case")
        parties = [party]
    for each in parties:
        _require_consent(
            each,
            Purpose.COUNSELLING,
            _("%(party)s has not consented to counselling.") % {"party": each.label},
            "no_counselling_consent",
        )
    if not 10 <= duration_minutes <= 240:
        raise field_error("duration_minutes", _("A session lasts 10 to 240 minutes."), "duration")
    if not can(lead_counselor, Action.WORK, case):
        raise field_error(
            "lead_counselor", _("The counsellor must be assigned to this case."), "not_assigned"
        )
    session = CounselingSession(
        case=case,
        office=case.office,
        kind=kind,
        party=party,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room.strip(),
        lead_counselor=lead_counselor,
        booked_by=booked_by,
        booked_at=timezone.now(),
    )
    session.full_clean(exclude=["case", "office", "lead_counselor", "booked_by", "party"])
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        busy = CounselingSession.objects.filter(starts_at=starts_at, status__in=["booked", "held"])
        if busy.filter(lead_counselor=lead_counselor).exists():
            raise field_error(
                "starts_at",
                _("The counsellor already has a session at this time."),
                "counselor_busy",
            ) from None
        raise field_error(
            "room", _("This room is already booked at this time."), "room_busy"
        ) from None
    session.co_counselors.set([c for c in co_counselors if c.pk != lead_counselor.pk])
    audit.record(
        actor=booked_by, action="session.book", obj=session, request=request, details={"kind": kind}
    )
    return session


def record_past_session(*, case: Case, starts_at: datetime, **booking) -> CounselingSession:
    """Record a session that already took place outside a duty slot (a walk-in, a late entry).
    Sessions to come are booked into the duty roster, which the core cannot see, so this refuses
    them; everything else follows book_session's rules."""
    if starts_at > timezone.now():
        raise field_error(
            "starts_at",
            _(
                "Sessions to come are booked into a counsellor's duty slot. "
                "This form records a session that has already taken place."
            ),
            "future",
        )
    return book_session(case=case, starts_at=starts_at, **booking)


@transaction.atomic
def hold_session(
    *,
    session: CounselingSession,
    services: Sequence[str],
    held_by: User,
    duration_minutes: int | None = None,
    request=None,
) -> CounselingSession:
    """Record that a booked session took place, and which services it delivered."""
    session = CounselingSession.objects.select_for_update().get(pk=session.pk)
    if session.status not in (CounselingSession.Status.BOOKED, CounselingSession.Status.HELD):
        raise ValidationError(
            _("A cancelled session cannot be recorded as held."), code="cancelled"
        )
    if session.starts_at > timezone.now():
        raise ValidationError(
            _("A session cannot be recorded as held before it starts."), code="future"
        )
    unknown = set(services) - set(Service.values)
    if unknown or not services:
        raise field_error("services", _("Choose the services delivered."), "services")
    session.status = CounselingSession.Status.HELD
    session.set_services(services)
    if duration_minutes:
        session.duration_minutes = duration_minutes
    session.save()
    audit.record(actor=held_by, action="session.hold", obj=session, request=request)
    return session


@transaction.atomic
def cancel_session(
    *, session: CounselingSession, cancelled_by: User, no_show: bool = False, request=None
) -> CounselingSession:
    session = CounselingSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CounselingSession.Status.BOOKED:
        raise ValidationError(_("Only a booked session can be cancelled."), code="not_booked")
    session.status = (
        CounselingSession.Status.NO_SHOW if no_show else CounselingSession.Status.CANCELLED
    )
    session.save(update_fields=["status"])
    audit.record(
        actor=cancelled_by,
        action="session.cancel",
        obj=session,
        request=request,
        details={"no_show": no_show},
    )
    return session


# --- Notes ---------------------------------------------------------------------------------


class StaleNote(ValidationError):
    """Someone saved the note after the form was opened."""


def _note_parties(session: CounselingSession) -> list[Party]:
    return [session.party] if session.party_id else list(session.case.parties.all())


@transaction.atomic
def save_note(
    *,
    session: CounselingSession,
    author: User,
    body: str,
    assessment: str = "",
    expected_version: int | None = None,
    request=None,
) -> SessionNote:
    """Write or edit the author's draft note of a session. A stale save (someone saved since
    the form was opened) raises StaleNote instead of overwriting; the previous text is kept as
    a sealed revision. Signed notes are locked: use add_addendum."""
    if not can(author, Action.WORK, session.case):
        raise ValidationError(
            _("Only the counsellors of this case may write its notes."), code="not_assigned"
        )
    for party in _note_parties(session):
        _require_consent(
            party,
            Purpose.SENSITIVE,
            _(
                "%(party)s has not consented to sensitive information being recorded, so no note "
                "can be kept."
            )
            % {"party": party.label},
            "no_sensitive_consent",
        )
    if not body.strip():
        raise field_error("body", _("The note is empty."), "empty")
    now = timezone.now()
    note = SessionNote.objects.select_for_update().filter(session=session, author=author).first()
    if note is None:
        if expected_version not in (None, 0):
            raise StaleNote(_("This note was deleted or moved meanwhile."), code="stale")
        note = SessionNote(
            session=session, author=author, version=1, created_at=now, updated_at=now
        )
        sealing.seal(note, body=body, assessment=assessment)
        note.save()
        audit.record(actor=author, action="note.create", obj=note, request=request)
        return note
    if note.status == SessionNote.Status.SIGNED:
        raise ValidationError(
            _("This note is signed and locked. Add an addendum instead."), code="signed"
        )
    if expected_version is not None and expected_version != note.version:
        raise StaleNote(
            _(
                "Someone saved this note after you opened it. Your text is still in the form: "
                "compare it with the saved note before saving again."
            ),
            code="stale",
        )
    _require_openable(note)
    revision = NoteRevision(
        note=note, version=note.version, body_sealed=None, saved_by=author, saved_at=note.updated_at
    )
    previous = sealing.open_fields(note, "body", "assessment")
    sealing.seal(revision, body=previous["body"], assessment=previous["assessment"])
    revision.save()
    sealing.seal(note, body=body, assessment=assessment)
    note.version += 1
    note.updated_at = now
    note.save()
    audit.record(
        actor=author,
        action="note.update",
        obj=note,
        request=request,
        details={"version": note.version},
    )
    return note


@transaction.atomic
def sign_note(*, note: SessionNote, signed_by: User, request=None) -> SessionNote:
    """The author signs: the note is locked from then on."""
    note = SessionNote.objects.select_for_update().get(pk=note.pk)
    if note.author_id != signed_by.pk:
        raise ValidationError(_("Only the author can sign a note."), code="not_author")
    if note.status == SessionNote.Status.SIGNED:
        raise ValidationError(_("This note is already signed."), code="signed")
    note.status = SessionNote.Status.SIGNED
    note.signed_at = timezone.now()
    note.save(update_fields=["status", "signed_at"])
    audit.record(actor=signed_by, action="note.sign", obj=note, request=request)
    return note


@transaction.atomic
def add_addendum(*, note: SessionNote, author: User, body: str, request=None) -> NoteAddendum:
    """Later words on a signed note, with their own time and author."""
    note = SessionNote.objects.select_for_update().select_related("session__case").get(pk=note.pk)
    if note.status != SessionNote.Status.SIGNED:
        raise ValidationError(
            _("Edit the draft instead: addenda are for signed notes."), code="not_signed"
        )
    if not can(author, Action.WORK, note.session.case):
        raise ValidationError(
            _("Only the counsellors of this case may add to its notes."), code="not_assigned"
        )
    if not body.strip():
        raise field_error("body", _("The addendum is empty."), "empty")
    addendum = NoteAddendum(note=note, author=author, created_at=timezone.now())
    sealing.seal(addendum, body=body)
    addendum.save()
    audit.record(actor=author, action="note.addendum", obj=note, request=request)
    return addendum


# --- Results, outcomes, referrals, follow-up, satisfaction --------------------------------


@transaction.atomic
def record_result(
    *, case: Case, result: str, result_on: date, recorded_by: User, request=None
) -> Case:
    """The MZ/T 084 counselling result: the counsellor's record, kept apart from the outcome."""
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


@transaction.atomic
def close_case(
    *,
    case: Case,
    kind: str,
    decided_on: date,
    recorded_by: User | None,
    by_clock: bool = False,
    request=None,
) -> Outcome:
    """Give a divorce case its one registry outcome (DOMAIN.md, 'Outcomes'). A second outcome is
    refused (and the OneToOne makes it impossible under concurrency); the date cannot precede the
    application; 'referred' needs a recorded referral. A reconciliation schedules the 3- and
    6-month follow-ups for parties who consented to contact and may safely be contacted."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_divorce:
        raise ValidationError(
            _("Only a divorce application has a registry outcome."), code="not_divorce"
        )
    if Outcome.objects.filter(case=case).exists():
        raise ValidationError(_("This case already has an outcome."), code="already_closed")
    if kind not in OutcomeKind.values:
        raise field_error("kind", _("Choose an outcome."), "kind")
    if decided_on < case.received_on:
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
        for party in case.parties.all():
            if may_contact(party):
                for months in FOLLOW_UP_MONTHS:
                    FollowUp.objects.get_or_create(
                        case=case,
                        party=party,
                        months=months,
                        defaults={"due_on": add_months(decided_on, months)},
                    )
    audit.record(
        actor=recorded_by,
        action="case.close",
        obj=case,
        request=request,
        details={"outcome": kind, "by_clock": by_clock},
    )
    return outcome


@transaction.atomic
def finish_case(*, case: Case, closed_by: User, request=None) -> Case:
    """Close a case that has no registry outcome (premarital guidance, walk-in counselling)."""
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
    clock, never merged into 'reconciled'. Provisional deadlines are not acted on."""
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
        close_case(
            case=case,
            kind=OutcomeKind.LAPSED,
            decided_on=case.certificate_window_ends_on,
            recorded_by=None,
            by_clock=True,
        )
        lapsed.append(case)
    return lapsed


@transaction.atomic
def refer(
    *,
    case: Case,
    destination: str,
    reason: str,
    referred_on: date,
    referred_by: User,
    party: Party | None = None,
    request=None,
) -> Referral:
    if party is not None and party.case_id != case.pk:
        raise field_error(
            "party", _("This person is not a party to this case."), "party_not_in_case"
        )
    if referred_on > timezone.localdate():
        raise field_error("referred_on", _("The date cannot be in the future."), "future")
    referral = Referral(
        case=case,
        party=party,
        destination=destination,
        referred_on=referred_on,
        referred_by=referred_by,
    )
    referral.full_clean(exclude=["case", "party", "referred_by"])
    sealing.seal(referral, reason=reason.strip())
    referral.save()
    audit.record(
        actor=referred_by,
        action="referral.create",
        obj=referral,
        request=request,
        details={"destination": destination},
    )
    return referral


@transaction.atomic
def record_follow_up(
    *,
    follow_up: FollowUp,
    status: str,
    recorded_by: User,
    done_on: date | None = None,
    reconciliation_held: bool | None = None,
    request=None,
) -> FollowUp:
    """Record a follow-up call: reached or not, and whether the reconciliation held."""
    follow_up = (
        FollowUp.objects.select_for_update().select_related("party", "case").get(pk=follow_up.pk)
    )
    if follow_up.status != FollowUp.Status.DUE:
        raise ValidationError(_("This follow-up is already recorded."), code="recorded")
    if not may_contact(follow_up.party):
        raise ValidationError(
            _(
                "This party may not be contacted (no follow-up consent, or contact could reveal "
                "the service to a spouse after a positive safety screen)."
            ),
            code="contact_suppressed",
        )
    if status == FollowUp.Status.DONE and reconciliation_held is None:
        raise field_error("reconciliation_held", _("Say whether the reconciliation held."), "held")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise field_error("done_on", _("The date cannot be in the future."), "future")
    follow_up.status = status
    follow_up.done_on = done_on
    follow_up.reconciliation_held = reconciliation_held if status == FollowUp.Status.DONE else None
    follow_up.recorded_by = recorded_by
    follow_up.save()
    audit.record(
        actor=recorded_by,
        action="follow_up.record",
        obj=follow_up.case,
        request=request,
        details={"status": status, "months": follow_up.months},
    )
    return follow_up


@transaction.atomic
def record_satisfaction(
    *,
    case: Case,
    rating: str,
    recorded_by: User,
    party: Party | None = None,
    anonymous: bool = False,
    recorded_on: date | None = None,
    request=None,
) -> Satisfaction:
    """MZ/T 084 satisfaction per party; anonymous answers keep no link to the party."""
    if party is not None and party.case_id != case.pk:
        raise field_error(
            "party", _("This person is not a party to this case."), "party_not_in_case"
        )
    if not anonymous and party is None:
        raise field_error("party", _("Choose the party, or mark the answer anonymous."), "party")
    if case.satisfaction.count() >= case.parties.count():
        raise ValidationError(_("Every party of this case has already answered."), code="complete")
    if party is not None and not anonymous and case.satisfaction.filter(party=party).exists():
        raise field_error("party", _("This party has already answered."), "answered")
    answer = Satisfaction(
        case=case,
        party=None if anonymous else party,
        rating=rating,
        anonymous=anonymous,
        recorded_on=recorded_on or timezone.localdate(),
        recorded_by=recorded_by,
    )
    answer.full_clean(exclude=["case", "party", "recorded_by"])
    answer.save()
    audit.record(actor=recorded_by, action="satisfaction.record", obj=case, request=request)
    return answer


def days_until(day: date | None, today: date | None = None) -> int | None:
    if day is None:
        return None
    return (day - (today or timezone.localdate())).days


# --- The official calendar -----------------------------------------------------------------

MAKEUP_WORKDAY_NAME = "调休上班"


@transaction.atomic
def enter_calendar_year(
    *,
    year: int,
    holidays: Iterable[tuple[date, date, str]],
    makeup_workdays: Iterable[date],
    source: str,
    entered_by: User,
    replace: bool = False,
) -> OfficialCalendarYear:
    """Store one year of the State Council's holiday notice (DOMAIN.md, the clock's law).

    `holidays` are (first day, last day, name) ranges, both days included, weekend days inside a
    range included; `makeup_workdays` are the weekend days declared working days (调休上班).
    Rules: the source is named; the year is not loaded yet, except that `replace=True` may
    overwrite a year an administrator entered (never one seeded from the package); every day lies
    inside the year; ranges do not end before they start nor overlap; a make-up day is a Saturday
    or Sunday and not inside a holiday. Errors are raised together as one ValidationError keyed
    by field (year, holidays, makeup_workdays, source). Sends `calendar_year_entered(year=...)`
    at the end, inside the transaction, so recomputed deadlines commit with the calendar.
    """
    holidays = [(start, end, (name or "").strip()) for start, end, name in holidays]
    makeup_workdays = sorted(set(makeup_workdays))
    source = (source or "").strip()
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not source:
        refuse("source", _("Name the source: the State Council notice and its number."))

    existing = OfficialCalendarYear.objects.select_for_update().filter(year=year).first()
    if existing is not None:
        if existing.origin != OfficialCalendarYear.Origin.ENTERED:
            refuse(
                "year",
                _("The calendar of %(year)s comes with the software and cannot be replaced.")
                % {"year": year},
            )
        elif not replace:
            refuse(
                "year",
                _("The calendar of %(year)s is already loaded. Tick 'replace' to enter it again.")
                % {"year": year},
            )

    rest_days: dict[date, str] = {}
    if not holidays:
        refuse("holidays", _("Enter at least one holiday."))
    for start, end, name in holidays:
        label = _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
        if not name:
            refuse("holidays", _("The holiday %(range)s has no name.") % {"range": label})
        if end < start:
            refuse("holidays", _("The holiday %(range)s ends before it starts.") % {"range": label})
            continue
        if start.year != year or end.year != year:
            refuse(
                "holidays",
                _("The holiday %(range)s is not inside the year %(year)s.")
                % {"range": label, "year": year},
            )
            continue
        day = start
        while day <= end:
            if day in rest_days:
                refuse(
                    "holidays",
                    _("%(day)s is in two holidays (%(first)s and %(second)s).")
                    % {"day": day.isoformat(), "first": rest_days[day], "second": name},
                )
                break
            rest_days[day] = name
            day += timedelta(days=1)

    for day in makeup_workdays:
        if day.year != year:
            refuse(
                "makeup_workdays",
                _("The make-up working day %(day)s is not inside the year %(year)s.")
                % {"day": day.isoformat(), "year": year},
            )
        elif day.weekday() < 5:
            refuse(
                "makeup_workdays",
                _(
                    "%(day)s is not a Saturday or Sunday: a make-up working day is always a "
                    "weekend day."
                )
                % {"day": day.isoformat()},
            )
        elif day in rest_days:
            refuse(
                "makeup_workdays",
                _("%(day)s is a make-up working day and also inside the holiday %(name)s.")
                % {"day": day.isoformat(), "name": rest_days[day]},
            )

    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    if existing is not None:
        existing.days.all().delete()
        existing.source = source
        existing.entered_by = entered_by
        existing.entered_at = now
        existing.save(update_fields=["source", "entered_by", "entered_at"])
        calendar_year = existing
    else:
        try:
            with transaction.atomic():
                calendar_year = OfficialCalendarYear.objects.create(
                    year=year,
                    source=source,
                    origin=OfficialCalendarYear.Origin.ENTERED,
                    entered_by=entered_by,
                )
        except IntegrityError:
            # Another administrator stored the same year a moment ago.
            raise field_error(
                "year",
                _("The calendar of %(year)s was entered meanwhile by someone else.")
                % {"year": year},
                "already_loaded",
            ) from None

    OfficialCalendarDay.objects.bulk_create(
        [
            OfficialCalendarDay(
                year=calendar_year, date=day, kind=OfficialCalendarDay.Kind.REST, name=name
            )
            for day, name in sorted(rest_days.items())
        ]
        + [
            OfficialCalendarDay(
                year=calendar_year,
                date=day,
                kind=OfficialCalendarDay.Kind.WORK,
                name=MAKEUP_WORKDAY_NAME,
            )
            for day in makeup_workdays
        ]
    )
    audit.record(
        actor=entered_by,
        action="calendar.enter",
        obj=calendar_year,
        details={"year": year, "replace": replace},
    )
    calendar_year_entered.send(sender=OfficialCalendarYear, year=year)
    return calendar_year
