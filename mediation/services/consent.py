"""Consent: per party and per purpose, given, refused or withdrawn against a versioned agreement,
idempotent under repeats, and what a withdrawal stops. May import models, audit, agreements and
signatures; the other services ask require_consent."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import (
    CancelReason,
    Case,
    ConsentRecord,
    ConsentText,
    CounselingSession,
    FollowUp,
    Party,
    Purpose,
    User,
)
from .agreements import CONSENT_FLAGS, consent_text_for
from .errors import field_error
from .signatures import record_signature


def require_consent(party: Party, purpose: str, message: str, code: str) -> None:
    """Refuse with `code` unless the party's consent for `purpose` is in force (DOMAIN.md:
    nothing happens without the party's consent)."""
    if not getattr(party, CONSENT_FLAGS[purpose]):
        raise ValidationError(message, code=code)


@dataclass(frozen=True)
class ConsentState:
    """One purpose of one party on the consent page: given, refused or not yet asked, under
    which agreement, and the decision in force."""

    purpose: Purpose
    given: bool
    text: ConsentText
    decision: ConsentRecord | None = None

    @property
    def value(self) -> str:
        return self.purpose.value

    @property
    def label(self) -> str:
        return str(self.purpose.label)

    @property
    def refused(self) -> bool:
        return (
            not self.given
            and self.decision is not None
            and self.decision.action == ConsentRecord.Action.REFUSED
        )


def consent_states(party: Party) -> list[ConsentState]:
    """The party's consent per purpose, in the order of Purpose, with the agreement in force."""
    decisions = {
        record.purpose: record
        for record in ConsentRecord.objects.in_force().filter(party=party).order_by("recorded_at")
    }
    return [
        ConsentState(
            purpose=purpose,
            given=getattr(party, CONSENT_FLAGS[purpose]),
            text=consent_text_for(purpose),
            decision=decisions.get(purpose),
        )
        for purpose in Purpose
    ]


def _repeat(record: ConsentRecord) -> ConsentRecord:
    record.repeat = True
    return record


def _create_decision(
    *, party: Party, purpose: str, action: str, text: ConsentText, by: User, now: datetime
) -> ConsentRecord:
    """The decision, or the one in force already when a parallel submission won the race (the
    constraint consent_one_decision_in_force decides, on both engines)."""
    try:
        with transaction.atomic():
            return ConsentRecord.objects.create(
                party=party,
                purpose=purpose,
                action=action,
                text=text,
                recorded_by=by,
                recorded_at=now,
            )
    except IntegrityError:
        existing = ConsentRecord.objects.in_force().get(party=party, purpose=purpose, text=text)
        return _repeat(existing)


def _before_agreement(
    *,
    party: Party,
    purpose: str,
    flag: str,
    text: ConsentText,
    in_force: QuerySet[ConsentRecord],
    now: datetime,
) -> ConsentRecord | None:
    """The agreement in force if this one repeats it; else ends a refusal in force."""
    if purpose != Purpose.COUNSELLING and not party.consent_counselling:
        raise ValidationError(
            _("Record the consent to counselling first."), code="counselling_consent_first"
        )
    current = in_force.filter(action=ConsentRecord.Action.GIVEN, text=text).first()
    if getattr(party, flag) and current is not None:
        return _repeat(current)
    in_force.filter(action=ConsentRecord.Action.REFUSED).update(ended_at=now)
    return None


def _before_refusal(
    *, party: Party, flag: str, text: ConsentText, in_force: QuerySet[ConsentRecord]
) -> ConsentRecord | None:
    """The refusal in force if this one repeats it; a purpose agreed cannot be refused."""
    if getattr(party, flag):
        raise ValidationError(
            _("This purpose is agreed. To take the agreement back, withdraw it."),
            code="already_given",
        )
    current = in_force.filter(action=ConsentRecord.Action.REFUSED, text=text).first()
    if current is not None:
        return _repeat(current)
    return None


def _before_withdrawal(
    *, party: Party, purpose: str, flag: str, in_force: QuerySet[ConsentRecord], now: datetime
) -> ConsentRecord | None:
    """The last withdrawal if this one repeats it; else ends the decisions in force."""
    if not getattr(party, flag):
        withdrawn = (
            party.consents.filter(purpose=purpose, action=ConsentRecord.Action.WITHDRAWN)
            .order_by("-recorded_at", "-pk")
            .first()
        )
        if withdrawn is not None:
            return _repeat(withdrawn)
        raise ValidationError(
            _("This purpose was never agreed, so there is nothing to withdraw."),
            code="not_given",
        )
    in_force.update(ended_at=now)
    return None


def _set_consent_flag(
    *, party: Party, purpose: str, flag: str, given: bool, keep_data: bool, now: datetime
) -> dict[str, str]:
    """Set the party's flag for the purpose; for counselling consent, schedule the deletion of
    their data on a withdrawal (unless they keep it) or cancel it on agreement. Returns what the
    audit event adds."""
    setattr(party, flag, given)
    update = [flag]
    added: dict[str, str] = {}
    if purpose == Purpose.COUNSELLING:
        party.erasure_due_on = erasure_due(now) if not given and not keep_data else None
        update.append("erasure_due_on")
        if party.erasure_due_on:
            added["erasure_due_on"] = party.erasure_due_on.isoformat()
    party.save(update_fields=update)
    return added


@transaction.atomic
def record_consent(
    *,
    case: Case,
    party: Party,
    purpose: str,
    given: bool,
    recorded_by: User,
    refusal: bool = False,
    text: ConsentText | None = None,
    keep_data: bool = False,
    request: HttpRequest | None = None,
) -> ConsentRecord:
    """Consent per party and per purpose (PIPL art. 29: sensitive information apart), against a
    versioned agreement, with who and when. `given` records agreement; `refusal` a refusal (the
    statistics' offered-not-taken-up); neither, a withdrawal, as easy as giving, which stops what
    it covers (withdrawal_effects). Idempotent: a repeat of the decision in force (a double
    submit, parallel tablets) returns the record in force with `repeat` set and writes nothing.
    Codes: party_not_in_case, purpose, counselling_consent_first (every purpose rests on
    counselling consent), already_given (a refusal of a purpose agreed: withdraw it instead),
    not_given (nothing to withdraw). Withdrawing counselling consent also schedules the deletion
    of the party's personal data after the grace period (settings.TONGXIN_ERASURE_GRACE_DAYS;
    PIPL art. 47), unless the person asks to keep it (`keep_data`); giving it again cancels
    that."""
    if party.case_id != case.pk:
        raise ValidationError(
            _("This person is not a party to this case."), code="party_not_in_case"
        )
    if purpose not in CONSENT_FLAGS:
        raise ValidationError(_("Unknown consent purpose."), code="purpose")
    party = Party.objects.select_for_update().get(pk=party.pk)
    flag = CONSENT_FLAGS[purpose]
    text = text or consent_text_for(purpose)
    now = timezone.now()
    in_force = ConsentRecord.objects.in_force().filter(party=party, purpose=purpose)
    if given:
        repeat = _before_agreement(
            party=party, purpose=purpose, flag=flag, text=text, in_force=in_force, now=now
        )
        action = ConsentRecord.Action.GIVEN
    elif refusal:
        repeat = _before_refusal(party=party, flag=flag, text=text, in_force=in_force)
        action = ConsentRecord.Action.REFUSED
    else:
        repeat = _before_withdrawal(
            party=party, purpose=purpose, flag=flag, in_force=in_force, now=now
        )
        action = ConsentRecord.Action.WITHDRAWN
    if repeat is not None:
        return repeat
    if action == ConsentRecord.Action.WITHDRAWN:
        consent = ConsentRecord.objects.create(
            party=party,
            purpose=purpose,
            action=action,
            text=text,
            recorded_by=recorded_by,
            recorded_at=now,
        )
    else:
        consent = _create_decision(
            party=party, purpose=purpose, action=action, text=text, by=recorded_by, now=now
        )
        if consent.repeat:
            return consent
    details = {"purpose": purpose, "text": text.version}
    if action != ConsentRecord.Action.REFUSED:
        details |= _set_consent_flag(
            party=party, purpose=purpose, flag=flag, given=given, keep_data=keep_data, now=now
        )
    if action == ConsentRecord.Action.WITHDRAWN:
        _stop_what_consent_covered(party=party, purpose=purpose, now=now, by=recorded_by)
    audit.record(
        actor=recorded_by,
        action={"given": "consent.give", "refused": "consent.refuse"}.get(
            action, "consent.withdraw"
        ),
        obj=party,
        request=request,
        details=details,
    )
    return consent


def erasure_due(now: datetime) -> date:
    """The day a withdrawn counselling consent's personal data is deleted: after the grace
    period (settings.TONGXIN_ERASURE_GRACE_DAYS, 30 days by default)."""
    return timezone.localdate(now) + timedelta(days=settings.TONGXIN_ERASURE_GRACE_DAYS)


@dataclass
class WithdrawalEffects:
    """What withdrawing a consent stops, listed on the confirmation page before it is done."""

    purposes: list[Purpose] = field(default_factory=list)
    sessions: list[CounselingSession] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    note_text_stops: bool = False


def withdrawal_effects(
    *, party: Party, purpose: str, now: datetime | None = None
) -> WithdrawalEffects:
    """Every purpose rests on counselling consent, so withdrawing it withdraws the others too
    and cancels the party's booked sessions to come and the joint ones; follow-up calls stop
    with counselling or follow-up consent; no note text is kept without sensitive consent."""
    now = now or timezone.now()
    effects = WithdrawalEffects(note_text_stops=purpose in (Purpose.COUNSELLING, Purpose.SENSITIVE))
    if purpose == Purpose.COUNSELLING:
        effects.purposes = [
            other
            for other in Purpose
            if other != Purpose.COUNSELLING and getattr(party, CONSENT_FLAGS[other])
        ]
        future = CounselingSession.objects.filter(
            case_id=party.case_id, status=CounselingSession.Status.BOOKED, starts_at__gte=now
        )
        effects.sessions = list(
            future.filter(party=party) | future.filter(kind=CounselingSession.Kind.JOINT)
        )
    if purpose in (Purpose.COUNSELLING, Purpose.FOLLOW_UP):
        effects.follow_ups = list(FollowUp.objects.filter(party=party, status=FollowUp.Status.DUE))
    return effects


def _stop_what_consent_covered(*, party: Party, purpose: str, now: datetime, by: User) -> None:
    effects = withdrawal_effects(party=party, purpose=purpose, now=now)
    for other in effects.purposes:
        setattr(party, CONSENT_FLAGS[other], False)
        ConsentRecord.objects.in_force().filter(party=party, purpose=other).update(ended_at=now)
        ConsentRecord.objects.create(
            party=party,
            purpose=other,
            action=ConsentRecord.Action.WITHDRAWN,
            text=consent_text_for(other),
            recorded_by=by,
            recorded_at=now,
        )
    if effects.purposes:
        party.save(update_fields=[CONSENT_FLAGS[other] for other in effects.purposes])
    CounselingSession.objects.filter(pk__in=[s.pk for s in effects.sessions]).update(
        status=CounselingSession.Status.CANCELLED,
        cancelled_by=by,
        cancelled_at=now,
        cancel_reason=CancelReason.CONSENT_WITHDRAWN,
    )
    FollowUp.objects.filter(pk__in=[f.pk for f in effects.follow_ups]).update(
        status=FollowUp.Status.CANCELLED
    )


@dataclass
class ConsentPage:
    """What one submission of the consent page recorded: new records, and repeats that landed
    on records already in force (said to the user as a note, not an error)."""

    recorded: list[ConsentRecord] = field(default_factory=list)
    repeats: list[ConsentRecord] = field(default_factory=list)
    signed: list[Party] = field(default_factory=list)


@transaction.atomic
def record_consents(
    *,
    case: Case,
    decisions: Sequence[tuple[Party, str, bool]],
    signatures: Iterable[tuple[Party, str]] = (),
    recorded_by: User,
    request: HttpRequest | None = None,
) -> ConsentPage:
    """The consent page for both parties in one go: each (party, purpose, agreed) decision,
    counselling first so the others can rest on it, then each party's finger signature. All or
    nothing: an error names the form field `p<position>_<purpose>` (or `_signature`)."""
    page = ConsentPage()
    order = list(Purpose)
    for party, purpose, agreed in sorted(
        decisions, key=lambda d: (d[0].position, order.index(Purpose(d[1])))
    ):
        try:
            record = record_consent(
                case=case,
                party=party,
                purpose=purpose,
                given=agreed,
                refusal=not agreed,
                recorded_by=recorded_by,
                request=request,
            )
        except ValidationError as error:
            raise field_error(
                f"p{party.position}_{purpose}", " ".join(error.messages), error.code or "consent"
            ) from None
        (page.repeats if record.repeat else page.recorded).append(record)
    for party, image in signatures:
        try:
            record_signature(party=party, image=image, recorded_by=recorded_by, request=request)
        except ValidationError as error:
            raise field_error(
                f"p{party.position}_signature", " ".join(error.messages), error.code or "signature"
            ) from None
        page.signed.append(party)
    return page
