"""Turning case plans into rows: model instances with values from the models' own choices,
sealed with the real envelope (a fresh data key per sealed row, SECURITY.md), and the audit
events the services would have written, linked by mediation.audit's own chainer.

Rows are bulk-inserted a batch at a time in one transaction; audit events wait in time order
until no later case can precede them, so the trail's sequence follows time as a live trail's
does. The events go in with the batch (the database queues each for its link, as it does a
service's) and `audit.chain_pending` links them once the batch is committed, with a signed
checkpoint after each run of links. Imports only the core (models, sealing, crypto, identity,
audit).
"""

import heapq
import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Model

from .. import audit, crypto, keyring, sealing
from ..identity import normalise_id_number
from ..models import (
    AuditEvent,
    Case,
    CaseAssignment,
    ConsentRecord,
    ConsentText,
    CounselingSession,
    FollowUp,
    Outcome,
    Party,
    Referral,
    SafetyScreen,
    Satisfaction,
    SessionNote,
)
from ..models.cases import CANCEL_REASONS, NO_SHOW_REASONS
from . import store, texts
from .offices import Office, Person
from .shape import CasePlan, party_details

TZ = ZoneInfo(settings.TIME_ZONE)
SYSTEM = Person(id=0, username="", role="system")

# Insert order: parents before children (their ids are taken ahead, see store.Ids).
MODELS: tuple[type[Model], ...] = (
    Case,
    CaseAssignment,
    Party,
    ConsentRecord,
    SafetyScreen,
    CounselingSession,
    SessionNote,
    Outcome,
    Referral,
    FollowUp,
    Satisfaction,
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


# An audit event waiting for its turn in the trail: (time, order of making, column values); a
# plain tuple, so that the heap compares in C.
type Pending = tuple[datetime, int, dict]


# Events take their sequence numbers as every row does, in time order (the chainer links them
# in that order).
MAKE: dict[type[Model], store.Factory] = {model: store.Factory(model) for model in MODELS} | {
    AuditEvent: store.Factory(AuditEvent)
}


def make[M: Model](model: type[M], **values) -> M:
    return cast(M, MAKE[model](**values))


def prime_ids() -> None:
    """Where ids are counted here rather than taken from a sequence (SQLite), start from the
    tables as this thread's transaction sees them, before building moves to another thread."""
    for factory in MAKE.values():
        if factory.ids is not None:
            factory.ids.prime()


@dataclass
class Batch:
    """Rows of some cases, and the audit events whose turn has come."""

    rows: dict[type[Model], list[Model]] = field(
        default_factory=lambda: {model: [] for model in MODELS}
    )
    events: list[Pending] = field(default_factory=list)

    def add[M: Model](self, model: type[M], **values) -> M:
        obj = make(model, **values)
        self.rows[model].append(obj)
        return obj

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class Trail:
    """Audit events waiting, in time order, until no case still to come can precede them."""

    def __init__(self) -> None:
        self.heap: list[Pending] = []
        self.counter = itertools.count()

    def add(self, when: datetime, actor: Person, action: str, office: Office, obj=None, **kw):
        values = {
            "actor_id": actor.id or None,
            "actor_username": actor.username,
            "role": actor.role,
            "office_code": office.code,
            "action": action,
            "object_type": obj._meta.model_name if obj is not None else "",
            "object_uuid": str(obj.uuid) if obj is not None else "",
            "request_id": kw.pop("request_id", ""),
            "details": kw.pop("details", {}),
        }
        heapq.heappush(self.heap, (when, next(self.counter), values))

    def ready(self, before: datetime | None) -> list[Pending]:
        """The events older than `before` (all when None), oldest first."""
        found = []
        while self.heap and (before is None or self.heap[0][0] < before):
            found.append(heapq.heappop(self.heap))
        return found


class Writer:
    """Stores batches: rows and their events in one transaction per batch, and with `link` the
    events' links too, made by the audit trail's chainer in that transaction (one disk flush
    and one checkpoint per batch); without, the events wait in the queue for another process
    to link them."""

    def __init__(self, method: str, *, link: bool = True) -> None:
        self.method = method
        self.link = link

    def write(self, batch: Batch) -> tuple[int, int]:
        with transaction.atomic():
            for model, objects in batch.rows.items():
                if objects:
                    store.check_sample(objects[0])
                    store.store(model, objects, method=self.method)
            events = self._events(batch.events)
            if events and self.link:
                audit.link_waiting_in_transaction()
        return batch.count, events

    def _events(self, ready: list[Pending]) -> int:
        """Insert the events whose turn has come, unlinked (prev_hash and hash are the legacy
        chain's); the database's trigger queues each for its link."""
        if not ready:
            return 0
        events = [
            make(AuditEvent, at=when, outcome="ok", prev_hash="", hash=None, **values)
            for when, _, values in ready
        ]
        store.check_sample(events[0], exclude=("prev_hash",))  # empty on every keyed event
        store.store(AuditEvent, events, method=self.method)
        return len(events)


class Builder:
    """Rows and events of one case at a time (`add_case`), into the current batch."""

    def __init__(self, rng: random.Random, *, consent_texts: dict[str, ConsentText], now):
        self.rng = rng
        self.texts = consent_texts
        self.now = now
        self.blind_key = keyring.ring().blind_index_key
        self.trail = Trail()
        self.batch = Batch()
        self.sealed = 0

    def request_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def add_case(
        self,
        plan: CasePlan,
        *,
        office: Office,
        number: tuple[int, int],
        lead: Person,
        deadlines,
    ) -> Case:
        add, trail = self.batch.add, self.trail
        year, sequence = number
        opened_at = at(plan.opened_on, plan.hour, plan.minute)
        case = add(
            Case,
            office_id=office.id,
            year=year,
            sequence=sequence,
            number=f"{office.code}-{year}-{sequence:04d}",
            port=plan.port,
            category=plan.category,
            received_on=plan.received_on,
            cooling_off_ends_on=deadlines.cooling_off_ends_on if deadlines else None,
            certificate_window_ends_on=(
                deadlines.certificate_window_ends_on if deadlines else None
            ),
            deadlines_provisional=deadlines.provisional if deadlines else False,
            counselling_offered=plan.offered,
            status="closed" if plan.closed else "open",
            joint_sessions_blocked=plan.joint_blocked,
            result=plan.result,
            result_on=plan.result_on,
            result_recorded_by_id=lead.id if plan.result else None,
            opened_by_id=lead.id,
            opened_at=opened_at,
        )
        add(
            CaseAssignment,
            case_id=case.pk,
            counselor_id=lead.id,
            assigned_by_id=lead.id,
            assigned_at=opened_at,
        )
        web = self.request_id()
        trail.add(
            opened_at,
            lead,
            "case.open",
            office,
            case,
            request_id=web,
            details={"port": plan.port, "category": plan.category},
        )
        minute = itertools.count(2)
        parties = {}
        for party_plan in plan.parties:
            party = add(Party, case_id=case.pk, position=party_plan.position, created_at=opened_at)
            parties[party_plan.position] = party
            self._consents(party, party_plan, lead, office, opened_at, minute, web)
            if party_plan.identity:
                self._identity(party, party_plan, office, plan.opened_on)
                trail.add(
                    opened_at + timedelta(minutes=next(minute)),
                    lead,
                    "party.update",
                    office,
                    party,
                    request_id=self.request_id(),
                )
            if party_plan.screened:
                self._screen(
                    party, party_plan, lead, office, opened_at + timedelta(minutes=next(minute))
                )
        self._sessions(plan, case, parties, lead, office, opened_at)
        if plan.result and plan.result_on:
            trail.add(
                at(plan.result_on, 17, 30),
                lead,
                "case.result",
                office,
                case,
                request_id=self.request_id(),
                details={"result": plan.result},
            )
        self._closing(plan, case, parties, lead, office)
        return case

    # --- parties -------------------------------------------------------------------------
    def _consents(self, party, plan, lead, office, opened_at, minute, web) -> None:
        if not plan.counselling:
            return
        purposes = ["counselling"]
        purposes += ["sensitive"] if plan.sensitive else []
        purposes += ["statistics"] if plan.statistics else []
        purposes += ["follow_up"] if plan.follow_up else []
        given_at = opened_at + timedelta(minutes=next(minute))
        for purpose in purposes:
            text = self.texts[purpose]
            self.batch.add(
                ConsentRecord,
                party_id=party.pk,
                purpose=purpose,
                action="given",
                text_id=text.pk,
                recorded_by_id=lead.id,
                recorded_at=given_at,
            )
            self.trail.add(
                given_at,
                lead,
                "consent.give",
                office,
                party,
                request_id=web,
                details={"purpose": purpose, "text": text.version},
            )
        party.consent_counselling = not plan.withdrew
        party.consent_sensitive = plan.sensitive and not plan.withdrew
        party.consent_statistics = plan.statistics and not plan.withdrew
        party.consent_follow_up = plan.follow_up and not plan.withdrew
        party.screened_positive = plan.positive
        if plan.withdrew:
            withdrawn_at = given_at + timedelta(days=self.rng.randint(1, 5), hours=1)
            for purpose in purposes:
                self.batch.add(
                    ConsentRecord,
                    party_id=party.pk,
                    purpose=purpose,
                    action="withdrawn",
                    text_id=self.texts[purpose].pk,
                    recorded_by_id=lead.id,
                    recorded_at=withdrawn_at,
                )
            self.trail.add(
                withdrawn_at,
                lead,
                "consent.withdraw",
                office,
                party,
                request_id=self.request_id(),
                details={"purpose": "counselling", "text": self.texts["counselling"].version},
            )

    def _identity(self, party: Party, plan, office: Office, opened_on: date) -> None:
        rng = self.rng
        details = party_details(rng, plan, opened_on)
        born = date(details["birth_year"], rng.randint(1, 12), rng.randint(1, 28))
        number = normalise_id_number(
            texts.id_number(rng, area=office.area, born=born, female=plan.female)
        )
        sealing.seal(
            party,
            name=texts.person_name(rng, female=plan.female),
            id_number=number,
            phone=texts.mobile(rng) if rng.random() < 0.9 else "",
            address=(
                texts.address(rng, city=office.city, county=office.county)
                if rng.random() < 0.5
                else ""
            ),
        )
        self.sealed += 1
        party.id_index = crypto.blind_index(self.blind_key, number)
        party.occupation = texts.occupation(rng)
        for name, value in details.items():
            setattr(party, name, value)

    def _screen(self, party: Party, plan, lead: Person, office: Office, when: datetime) -> None:
        screen = self.batch.add(
            SafetyScreen,
            party_id=party.pk,
            positive=plan.positive,
            screened_by_id=lead.id,
            screened_at=when,
        )
        if plan.sensitive:
            answers = texts.screen_answers(positive=plan.positive, rng=self.rng)
            sealing.seal(screen, answers=json.dumps(answers))
            self.sealed += 1
        self.trail.add(
            when,
            lead,
            "screen.record",
            office,
            screen,
            request_id=self.request_id(),
            details={"positive": plan.positive},
        )

    # --- sessions and notes ----------------------------------------------------------------
    def _sessions(self, plan, case, parties, lead, office, opened_at) -> None:
        rng, trail = self.rng, self.trail
        booked_at = opened_at + timedelta(minutes=25)
        for session_plan in plan.sessions:
            starts_at = at(session_plan.day, session_plan.hour)
            session = self.batch.add(
                CounselingSession,
                case_id=case.pk,
                office_id=office.id,
                kind=session_plan.kind,
                party_id=parties[session_plan.party].pk if session_plan.party else None,
                starts_at=starts_at,
                duration_minutes=session_plan.duration,
                room=str(session_plan.room),
                lead_counselor_id=lead.id,
                status=session_plan.status,
                booked_by_id=lead.id,
                booked_at=max(
                    opened_at + timedelta(minutes=1),
                    min(booked_at, starts_at - timedelta(hours=1), self.now),
                ),
            )
            session.set_services(session_plan.services)
            trail.add(
                session.booked_at,
                lead,
                "session.book",
                office,
                session,
                request_id=self.request_id(),
                details={"kind": session_plan.kind},
            )
            ends_at = starts_at + timedelta(minutes=session_plan.duration)
            # The next session is booked as this one ends, or with it when this one is to come.
            booked_at = ends_at + timedelta(minutes=5) if ends_at < self.now else session.booked_at
            if session_plan.status in ("no_show", "cancelled"):
                # As services.cancel_session records it: who, when and a reason it offers.
                no_show = session_plan.status == "no_show"
                reason = str(rng.choice(NO_SHOW_REASONS if no_show else CANCEL_REASONS))
                session.cancelled_by_id = lead.id
                session.cancelled_at = starts_at + timedelta(minutes=20)
                session.cancel_reason = reason
                trail.add(
                    session.cancelled_at,
                    lead,
                    "session.cancel",
                    office,
                    session,
                    request_id=self.request_id(),
                    details={"no_show": no_show, "reason": reason},
                )
                continue
            if session_plan.status != "held":
                continue
            trail.add(ends_at, lead, "session.hold", office, session, request_id=self.request_id())
            for position in [session_plan.party] if session_plan.party else (1, 2):
                if parties[position].has_sealed("name"):
                    trail.add(
                        starts_at - timedelta(minutes=10),
                        lead,
                        "party.identity.read",
                        office,
                        parties[position],
                        request_id=self.request_id(),
                    )
            if session_plan.note:
                written = ends_at + timedelta(minutes=rng.randint(5, 40))
                signed = written + timedelta(hours=rng.randint(1, 30))
                is_signed = session_plan.note_signed and signed < self.now
                note = self.batch.add(
                    SessionNote,
                    session_id=session.pk,
                    author_id=lead.id,
                    status="signed" if is_signed else "draft",
                    created_at=written,
                    updated_at=written,
                    signed_at=signed if is_signed else None,
                )
                sealing.seal(note, body=texts.note_body(rng), assessment=texts.note_assessment(rng))
                self.sealed += 1
                trail.add(written, lead, "note.create", office, note, request_id=self.request_id())
                if is_signed:
                    request = self.request_id()
                    trail.add(signed, lead, "note.read", office, note, request_id=request)
                    trail.add(signed, lead, "note.sign", office, note, request_id=request)

    # --- the end of a case -----------------------------------------------------------------
    def _closing(self, plan, case, parties, lead, office) -> None:
        rng, add, trail = self.rng, self.batch.add, self.trail
        if plan.destination and plan.closed:
            referral = add(
                Referral,
                case_id=case.pk,
                party_id=parties[1].pk,
                destination=plan.destination,
                referred_on=plan.decided_on,
                referred_by_id=lead.id,
            )
            sealing.seal(referral, reason=texts.referral_reason(rng, plan.destination))
            self.sealed += 1
            trail.add(
                at(plan.decided_on, 11),
                lead,
                "referral.create",
                office,
                referral,
                request_id=self.request_id(),
                details={"destination": plan.destination},
            )
        satisfaction_on = plan.result_on or (plan.held[-1].day if plan.held else None)
        for party_plan in plan.parties:
            if party_plan.satisfaction and satisfaction_on:
                add(
                    Satisfaction,
                    case_id=case.pk,
                    party_id=None if party_plan.anonymous else parties[party_plan.position].pk,
                    rating=party_plan.satisfaction,
                    anonymous=party_plan.anonymous,
                    recorded_on=satisfaction_on,
                    recorded_by_id=lead.id,
                )
                trail.add(
                    at(satisfaction_on, 17, 40),
                    lead,
                    "satisfaction.record",
                    office,
                    case,
                    request_id=self.request_id(),
                )
        if not plan.closed:
            return
        if plan.kind:
            by_clock = plan.kind == "lapsed"
            closed_at = (
                at(plan.closed_on, 1, 5)
                if by_clock
                else at(plan.closed_on, rng.choice((10, 11, 15, 16)), rng.randrange(60))
            )
            add(
                Outcome,
                case_id=case.pk,
                kind=plan.kind,
                decided_on=plan.decided_on,
                recorded_by_id=None if by_clock else lead.id,
                recorded_at=closed_at,
                by_clock=by_clock,
            )
            trail.add(
                closed_at,
                SYSTEM if by_clock else lead,
                "case.close",
                office,
                case,
                request_id="" if by_clock else self.request_id(),
                details={"outcome": plan.kind, "by_clock": by_clock},
            )
        else:
            closed_at = at(plan.closed_on, 17, 50)
            trail.add(closed_at, lead, "case.close", office, case, request_id=self.request_id())
        case.closed_at = closed_at
        for follow_up in plan.follow_ups:
            recorded = follow_up.status != "due"
            add(
                FollowUp,
                case_id=case.pk,
                party_id=parties[follow_up.position].pk,
                months=follow_up.months,
                due_on=follow_up.due_on,
                status=follow_up.status,
                done_on=follow_up.done_on,
                reconciliation_held=follow_up.held,
                recorded_by_id=lead.id if recorded else None,
            )
            if recorded:
                trail.add(
                    at(follow_up.done_on, 10, rng.randrange(60)),
                    lead,
                    "follow_up.record",
                    office,
                    case,
                    request_id=self.request_id(),
                    details={"status": follow_up.status, "months": follow_up.months},
                )

    def take(self, *, events_before: datetime | None) -> Batch:
        """The rows made so far and the events whose turn has come; starts a new batch."""
        batch, self.batch = self.batch, Batch()
        batch.events = self.trail.ready(events_before)
        return batch
