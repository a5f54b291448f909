"""The 2021 Panjin pilot as published (DOMAIN.md): `seed_demo --profile panjin-2021`.

The four rooms opened on 1 March 2021; from March to August they reconciled 369 couples, the
Xinglongtai room most. Around them: lapses, divorces, declines and referrals, counselled and
uncounselled couples, safety screens, sessions with their services, results, follow-ups and
satisfaction. Deterministic (a fixed seed) and idempotent: a second run changes nothing.

Some 1,300 cases and 9,000 audit events through the services one call at a time took minutes;
here the same steps are taken in memory (`Ledger`), each under the rule its service enforces —
deadlines from mediation.clock and the official calendar, case numbers from the office's yearly
counter, consent before any detail, session or follow-up, one consent decision in force until
the next ends it, withdrawn consent taking what rests on it, no joint session after a positive
screen, follow-ups only for parties who may be contacted, the one outcome of a case inside its
legal window — and written in bulk in one transaction, with the audit events the services
write, linked under the audit key. `check_rules` reads the result back in that transaction and
refuses it if any rule is broken.
"""

import json
import random
import time as clock_time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Model, OuterRef, Q
from django.utils import timezone

from . import audit, audit_verify, clock, demo, keyring, sealing, services
from .calendar import OfficialCalendar, add_months, month_days
from .models import (
    AuditEvent,
    Case,
    CaseAssignment,
    CaseNumberCounter,
    Category,
    ConsentRecord,
    CounselingSession,
    FollowUp,
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
    Service,
    User,
)
from .roles import roles_of

MONTHS = (3, 4, 5, 6, 7, 8)
# Reconciliations (withdrawn applications) per office and month, March to August 2021: 369.
RECONCILED = {
    "XLT": (12, 21, 25, 26, 28, 28),
    "STZ": (8, 14, 17, 18, 19, 19),
    "DW": (5, 11, 12, 14, 15, 15),
    "PS": (5, 9, 11, 12, 13, 12),
}
# The other outcomes of applications received March to August, per office over the period.
# Lapses far outnumber withdrawals where nobody helps; counselling makes withdrawals common.
OTHERS = {
    "XLT": {"lapsed": 125, "divorced": 126, "declined": 30, "referred": 11},
    "STZ": {"lapsed": 86, "divorced": 86, "declined": 21, "referred": 8},
    "DW": {"lapsed": 65, "divorced": 64, "declined": 16, "referred": 6},
    "PS": {"lapsed": 54, "divorced": 54, "declined": 13, "referred": 5},
}
# Share of each outcome's couples who had at least one counselling session.
COUNSELLED = {
    "reconciled": 0.76,
    "lapsed": 0.12,
    "divorced": 0.3,
    "declined": 0.0,
    "referred": 0.5,
}
# Counselled couples who reconciled after a referral for one of them (legal advice on property,
# mental-health care): their follow-up calls are the women's federation's "referred parties".
REFERRED_AND_RECONCILED = 0.06
PREMARITAL = {"XLT": 46, "STZ": 31, "DW": 24, "PS": 20}
WALK_IN = {"XLT": 18, "STZ": 12, "DW": 9, "PS": 8}
COUNSELORS = {
    "XLT": ("counselor_xlt", "counselor_xlt", "counselor_xlt2"),
    "STZ": ("counselor_stz", "counselor_stz", "counselor_xlt2"),
    "DW": ("counselor_dw",),
    "PS": ("counselor_ps",),
}
HOURS = (9, 10, 11, 14, 15, 16)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")
EDUCATION = ("junior", "senior", "senior", "college", "college", "university", "primary")
SATISFACTION = ("satisfied",) * 17 + ("fairly",) * 5 + ("unsatisfied",)
LAST_DAY = date(2021, 12, 31)
FOLLOW_UP_MONTHS = (3, 6)


class RuleBroken(RuntimeError):
    """A row of the pilot would break a rule the services enforce: nothing is written."""


@dataclass
class Planner:
    """Free session slots: a counsellor and a room are never booked twice for the same time."""

    calendar: OfficialCalendar
    rng: random.Random
    counselor_busy: set = field(default_factory=set)
    room_busy: set = field(default_factory=set)

    def working_days(self, first: date, last: date) -> list[date]:
        return self.calendar.working_days(first, last) if first <= last else []

    def slot(self, office: RegistryOffice, counselor: User, first: date, last: date):
        """The first free (start, room) on a working day from `first` to `last`, or None."""
        for day in self.working_days(first, last):
            hours = list(HOURS)
            self.rng.shuffle(hours)
            for hour in hours:
                starts_at = timezone.make_aware(datetime.combine(day, time(hour)))
                if (counselor.pk, starts_at) in self.counselor_busy:
                    continue
                for room in range(1, office.rooms + 1):
                    if (office.pk, room, starts_at) not in self.room_busy:
                        self.counselor_busy.add((counselor.pk, starts_at))
                        self.room_busy.add((office.pk, room, starts_at))
                        return starts_at, str(room)
        return None


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RuleBroken(message)


def _cooling_off_end(case: Case) -> date:
    """Every divorce application of the pilot has its deadlines from the clock."""
    if case.cooling_off_ends_on is None:
        raise RuleBroken(f"{case.number}: no cooling-off period")
    return case.cooling_off_ends_on


@dataclass
class Ledger:
    """The rows of the pilot and their audit events, made in memory under the services' rules
    (each method names the service it stands for), then written in bulk (`write`)."""

    calendar: OfficialCalendar
    now: datetime = field(default_factory=timezone.now)
    cases: list[Case] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    assignments: list[CaseAssignment] = field(default_factory=list)
    consents: list[ConsentRecord] = field(default_factory=list)
    screens: list[SafetyScreen] = field(default_factory=list)
    sessions: list[CounselingSession] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    satisfaction: list[Satisfaction] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    sequences: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)
    in_force: dict = field(default_factory=dict)
    parties_of: dict = field(default_factory=dict)

    def event(self, actor, action: str, obj, office: RegistryOffice, details=None) -> None:
        self.events.append((actor, action, obj, office, details or {}))

    def text(self, purpose: str):
        if purpose not in self.texts:
            self.texts[purpose] = services.consent_text_for(purpose)
        return self.texts[purpose]

    def _decide(self, party, purpose: str, given: bool, by) -> None:
        """One consent record; it ends the decision in force of the party and purpose."""
        record = ConsentRecord(
            party=party,
            purpose=purpose,
            action=ConsentRecord.Action.GIVEN if given else ConsentRecord.Action.WITHDRAWN,
            text=self.text(purpose),
            recorded_by=by,
            recorded_at=self.now,
        )
        self.consents.append(record)
        ended = self.in_force.pop((id(party), purpose), None)
        if ended is not None:
            ended.ended_at = self.now
        if given:
            self.in_force[(id(party), purpose)] = record
        setattr(party, services.CONSENT_FLAGS[purpose], given)

    # --- services.open_case ----------------------------------------------------------------
    def open_case(
        self, *, office, port, category, opened_by, opened_at, received_on=None,
        counselling_offered=True,
    ) -> Case:  # fmt: skip
        today = timezone.localdate(self.now)
        if port == Port.DIVORCE:
            _require(received_on is not None, "a divorce case needs its date of receipt")
            _require(date(2021, 1, 1) <= received_on <= today, "receipt outside the law's time")
        year = timezone.localdate(opened_at).year
        key = (office.pk, year)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        sequence = self.sequences[key]
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
        if case.received_on is not None:
            deadlines = clock.deadlines(case.received_on, self.calendar)
            case.cooling_off_ends_on = deadlines.cooling_off_ends_on
            case.certificate_window_ends_on = deadlines.certificate_window_ends_on
            case.deadlines_provisional = deadlines.provisional
        self.cases.append(case)
        parties = [Party(case=case, position=position) for position in (1, 2)]
        self.parties.extend(parties)
        self.parties_of[id(case)] = parties
        self.assignments.append(
            CaseAssignment(
                case=case, counselor=opened_by, assigned_by=opened_by, assigned_at=opened_at
            )
        )
        self.event(opened_by, "case.open", case, office, {"port": port, "category": category})
        return case

    # --- services.record_consent -----------------------------------------------------------
    def record_consent(self, *, case, party, purpose, given, by) -> None:
        """A decision in force until the next record of its party and purpose ends it; giving
        what is given, or withdrawing what is not, is refused (the service makes it a repeat)."""
        flag = services.CONSENT_FLAGS[purpose]
        if given and purpose != Purpose.COUNSELLING:
            _require(party.consent_counselling, "counselling consent comes first")
        _require(getattr(party, flag) != given, "a consent decision repeated")
        self._decide(party, purpose, given, by)
        if not given and purpose == Purpose.COUNSELLING:
            # Every purpose rests on counselling consent: withdrawing it withdraws them all.
            for other, other_flag in services.CONSENT_FLAGS.items():
                if other != Purpose.COUNSELLING and getattr(party, other_flag):
                    self._decide(party, other, False, by)
        self.event(
            by,
            "consent.give" if given else "consent.withdraw",
            party,
            case.office,
            {"purpose": purpose, "text": self.text(purpose).version},
        )

    # --- services.update_party --------------------------------------------------------------
    def update_party(self, *, case, party, by, name="", **details) -> None:
        _require(party.consent_counselling, "nothing about a party without counselling consent")
        sealing.seal(party, name=name.strip(), id_number="", phone="", address="")
        party.name_index = services.name_index_of(name)
        for attribute, value in details.items():
            setattr(party, attribute, value)
        self.event(by, "party.update", party, case.office)

    # --- services.screen_party --------------------------------------------------------------
    def screen_party(self, *, case, party, positive: bool, by, at: datetime) -> None:
        _require(party.consent_counselling, "a screen needs counselling consent")
        screen = SafetyScreen(party=party, positive=positive, screened_by=by, screened_at=at)
        self.screens.append(screen)
        if positive:
            party.screened_positive = True
            case.joint_sessions_blocked = True
        self.event(by, "screen.record", screen, case.office, {"positive": positive})

    # --- services.book_session and services.hold_session ------------------------------------
    def hold_session(self, *, case, kind, starts_at, room, counselor, delivered, duration,
                     party=None) -> None:  # fmt: skip
        _require(case.status == Case.Status.OPEN, "sessions are booked in open cases")
        if kind == CounselingSession.Kind.JOINT:
            _require(not case.joint_sessions_blocked, "no joint session after a positive screen")
            attending = self.parties_of[id(case)]
        else:
            attending = [party]
        _require(all(p.consent_counselling for p in attending), "sessions need consent")
        _require(starts_at <= self.now, "a session is held only once it has started")
        session = CounselingSession(
            case=case,
            office=case.office,
            kind=kind,
            party=party,
            starts_at=starts_at,
            duration_minutes=duration,
            room=room,
            lead_counselor=counselor,
            booked_by=counselor,
            booked_at=self.now,
            status=CounselingSession.Status.HELD,
        )
        session.set_services(delivered)
        self.sessions.append(session)
        self.event(counselor, "session.book", session, case.office, {"kind": kind})
        self.event(counselor, "session.hold", session, case.office)

    # --- services.record_result -------------------------------------------------------------
    def record_result(self, *, case, result, result_on, by) -> None:
        _require(result_on <= timezone.localdate(self.now), "no result dated in the future")
        _require(not case.received_on or result_on >= case.received_on, "result before receipt")
        case.result, case.result_on, case.result_recorded_by = result, result_on, by
        self.event(by, "case.result", case, case.office, {"result": result})

    # --- services.record_satisfaction -------------------------------------------------------
    def record_satisfaction(self, *, case, party, rating, by, recorded_on) -> None:
        answer = Satisfaction(case=case, party=party, rating=rating, recorded_by=by)
        answer.recorded_on = recorded_on
        self.satisfaction.append(answer)
        self.event(by, "satisfaction.record", case, case.office)

    # --- services.refer ---------------------------------------------------------------------
    def refer(self, *, case, destination, reason, referred_on, by, party=None) -> Referral:
        _require(referred_on <= timezone.localdate(self.now), "no referral in the future")
        referral = Referral(
            case=case, party=party, destination=destination, referred_on=referred_on, referred_by=by
        )
        sealing.seal(referral, reason=reason)
        self.referrals.append(referral)
        self.event(by, "referral.create", referral, case.office, {"destination": destination})
        return referral

    # --- services.close_case ----------------------------------------------------------------
    def close_case(self, *, case, kind, decided_on, by, by_clock=False) -> list[FollowUp]:
        """The one outcome, inside its legal window (DOMAIN.md, 'Each registry outcome has a
        legal window'); a reconciliation schedules follow-ups for parties who may be
        contacted."""
        _require(case.port == Port.DIVORCE, "only a divorce application has an outcome")
        _require(decided_on >= case.received_on, "outcome before receipt")
        _require(decided_on <= timezone.localdate(self.now), "outcome in the future")
        if kind == OutcomeKind.RECONCILED:
            _require(decided_on <= case.cooling_off_ends_on, "withdrawn after cooling-off")
        elif kind == OutcomeKind.DIVORCED:
            _require(
                case.cooling_off_ends_on < decided_on <= case.certificate_window_ends_on,
                "certificate outside its window",
            )
        elif kind == OutcomeKind.LAPSED:
            _require(by_clock and decided_on == case.certificate_window_ends_on, "lapse")
        elif kind == OutcomeKind.REFERRED:
            _require(any(r.case is case for r in self.referrals[-3:]), "referral first")
        self.outcomes.append(
            Outcome(
                case=case,
                kind=kind,
                decided_on=decided_on,
                recorded_by=by,
                recorded_at=self.now,
                by_clock=by_clock,
                provisional=case.deadlines_provisional,
            )
        )
        case.status, case.closed_at = Case.Status.CLOSED, self.now
        made = []
        if kind == OutcomeKind.RECONCILED:
            parties = self.parties_of[id(case)]
            for party in parties:
                spouse_positive = any(p.screened_positive for p in parties if p is not party)
                if party.consent_follow_up and not spouse_positive:
                    for months in FOLLOW_UP_MONTHS:
                        made.append(
                            FollowUp(
                                case=case,
                                party=party,
                                months=months,
                                due_on=add_months(decided_on, months),
                            )
                        )
            self.follow_ups.extend(made)
        details = {
            "outcome": kind,
            "by_clock": by_clock,
            "provisional": case.deadlines_provisional,
            "sessions_cancelled": 0,  # the pilot books no session it does not hold
        }
        self.event(by, "case.close", case, case.office, details)
        return made

    # --- services.record_follow_up ----------------------------------------------------------
    def record_follow_up(self, *, follow_up, status, by, done_on, held=None) -> None:
        _require(follow_up.status == FollowUp.Status.DUE, "a follow-up is recorded once")
        _require(done_on <= timezone.localdate(self.now), "no call in the future")
        follow_up.status, follow_up.done_on, follow_up.recorded_by = status, done_on, by
        follow_up.reconciliation_held = held if status == FollowUp.Status.DONE else None
        self.event(
            by,
            "follow_up.record",
            follow_up.case,
            follow_up.case.office,
            {"status": status, "months": follow_up.months},
        )

    # --- services.finish_case ---------------------------------------------------------------
    def finish_case(self, *, case, by) -> None:
        _require(case.port != Port.DIVORCE, "a divorce case is closed by its outcome")
        case.status, case.closed_at = Case.Status.CLOSED, self.now
        self.event(by, "case.close", case, case.office)

    # --- writing ----------------------------------------------------------------------------
    def write(self, progress: Callable[[str], None]) -> None:
        """Everything in one transaction, table by table, then the audit events chained on."""
        keyring.ring().active_audit_key()  # no audit key, no events: fail before writing
        with transaction.atomic():
            steps: list[tuple[str, type[Model], Sequence[Model]]] = [
                ("cases", Case, self.cases),
                ("parties", Party, self.parties),
                ("assignments", CaseAssignment, self.assignments),
                ("consents", ConsentRecord, self.consents),
                ("safety screens", SafetyScreen, self.screens),
                ("sessions", CounselingSession, self.sessions),
                ("referrals", Referral, self.referrals),
                ("outcomes", Outcome, self.outcomes),
                ("follow-ups", FollowUp, self.follow_ups),
                ("satisfaction answers", Satisfaction, self.satisfaction),
            ]
            for label, model, rows in steps:
                model._default_manager.bulk_create(rows, batch_size=500)
                progress(f"  {len(rows):>5} {label}")
            for (office_id, year), last in self.sequences.items():
                counter, _made = CaseNumberCounter.objects.get_or_create(
                    office_id=office_id, year=year
                )
                _require(counter.last == 0, "case numbers of 2021 already taken")
                counter.last = last
                counter.save(update_fields=["last"])
            self._chain_events()
            progress(f"  {len(self.events):>5} audit events, linked")
            _refresh_planner_statistics([*(model for _label, model, _rows in steps), AuditEvent])

    def _chain_events(self) -> None:
        """The events as `audit.record` writes them (the database queues each for its link),
        linked in this transaction under the chain's lock."""
        roles: dict[int, str] = {}
        rows = []
        for index, (actor, action, obj, office, details) in enumerate(self.events):
            if actor is not None and actor.pk not in roles:
                roles[actor.pk] = ",".join(role.value for role in roles_of(actor))
            rows.append(
                AuditEvent(
                    at=self.now + timedelta(microseconds=index),
                    actor=actor,
                    actor_username=actor.username if actor else "",
                    role=roles[actor.pk] if actor else "system",
                    office_code=office.code,
                    action=action,
                    object_type=obj._meta.model_name,
                    object_uuid=str(obj.uuid),
                    outcome=AuditEvent.Outcome.OK,
                    request_id="",
                    details=json.loads(json.dumps(details)),
                    prev_hash="",
                    hash=None,
                )
            )
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
        audit.link_waiting_in_transaction()


def _refresh_planner_statistics(models) -> None:
    """PostgreSQL plans queries on its table statistics, which a bulk load leaves stale until
    autovacuum comes round (and never refreshes inside the loading transaction): the first
    report after a load would read every consent once per case. ANALYZE sees the transaction's
    own rows and takes milliseconds at this size."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class Pilot:
    """The pilot's plan: which couples came when, and what happened to them."""

    def __init__(self, seed: int = 2021):
        self.rng = random.Random(seed)
        self.offices = {o.code: o for o in RegistryOffice.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__startswith="counselor")}
        calendar = OfficialCalendarYear.objects.calendar([2021, 2022])
        self.planner = Planner(calendar, self.rng)
        self.ledger = Ledger(calendar)
        self.named = 0

    # --- small steps -----------------------------------------------------------------------
    def counselor(self, code: str) -> User:
        return self.users[self.rng.choice(COUNSELORS[code])]

    def working_day_in(self, first: date, last: date) -> date:
        days = self.planner.working_days(first, last)
        return self.rng.choice(days) if days else first

    def consent(self, case: Case, counselor: User, parties, *, follow_up: bool) -> None:
        for party in parties:
            self.ledger.record_consent(
                case=case, party=party, purpose=Purpose.COUNSELLING, given=True, by=counselor
            )
            if self.rng.random() < 0.45:
                self.ledger.record_consent(
                    case=case, party=party, purpose=Purpose.STATISTICS, given=True, by=counselor
                )
                self.describe(case, party, counselor)
            if follow_up and self.rng.random() < 0.75:
                self.ledger.record_consent(
                    case=case, party=party, purpose=Purpose.FOLLOW_UP, given=True, by=counselor
                )

    def describe(self, case: Case, party: Party, counselor: User) -> None:
        """The MZ/T 084 record-form fields; a few parties also get a (made-up) sealed name."""
        details = {
            "sex": "F" if party.position == 1 else "M",
            "birth_year": self.rng.randint(1966, 1998),
            "education": self.rng.choice(EDUCATION),
            "years_married": self.rng.randint(1, 25),
            "marital_status": "first",
        }
        name = ""
        if self.named < 40:
            self.named += 1
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.sample(GIVEN, self.rng.randint(1, 2))
            )
        self.ledger.update_party(case=case, party=party, by=counselor, name=name, **details)

    def screen(self, case: Case, party: Party, counselor: User, day: date, *, positive: bool):
        self.ledger.screen_party(
            case=case,
            party=party,
            positive=positive,
            by=counselor,
            at=_at(day, self.rng.choice(HOURS)),
        )

    def sessions(self, case, counselor, first: date, last: date, services_pool, joint=True):
        """One to three held sessions between two dates; returns the day of the last one."""
        parties = self.ledger.parties_of[id(case)]
        last_day = None
        for _n in range(self.rng.choice((1, 1, 2, 2, 3))):
            slot = self.planner.slot(case.office, counselor, first, last)
            if slot is None:
                break
            starts_at, room = slot
            kind = CounselingSession.Kind.JOINT if joint else CounselingSession.Kind.INDIVIDUAL
            delivered = self.rng.sample(
                services_pool, self.rng.randint(1, min(2, len(services_pool)))
            )
            self.ledger.hold_session(
                case=case,
                kind=kind,
                party=None if joint else parties[0],
                starts_at=starts_at,
                room=room,
                counselor=counselor,
                delivered=delivered,
                duration=self.rng.choice((45, 50, 60, 60, 90)),
            )
            last_day = timezone.localdate(starts_at)
            first = last_day + timedelta(days=1)
        return last_day

    def satisfaction(self, case: Case, counselor: User, day: date) -> None:
        for party in self.ledger.parties_of[id(case)]:
            if self.rng.random() < 0.8:
                self.ledger.record_satisfaction(
                    case=case,
                    party=party,
                    rating=self.rng.choice(SATISFACTION),
                    by=counselor,
                    recorded_on=min(day, LAST_DAY),
                )

    # --- cases -----------------------------------------------------------------------------
    def decided_by_the_clock(self, case, kind: str) -> date:
        """A lapsed case's day (the end of the certificate window) or a divorce's (a working day
        inside the certificate window)."""
        if kind == "lapsed":
            return case.certificate_window_ends_on
        return self.working_day_in(
            case.cooling_off_ends_on + timedelta(days=1),
            min(case.certificate_window_ends_on, LAST_DAY),
        )

    def divorce_case(self, code: str, kind: str, received_on: date, decided_on: date | None):
        office, counselor = self.offices[code], self.counselor(code)
        case = self.ledger.open_case(
            office=office,
            port=Port.DIVORCE,
            category=self.rng.choice(
                (Category.MARITAL, Category.MARITAL, Category.DIVORCE_ADJUSTMENT, Category.FAMILY)
            ),
            opened_by=counselor,
            received_on=received_on,
            opened_at=_at(received_on, self.rng.choice(HOURS)),
            counselling_offered=self.rng.random() < 0.93,
        )
        parties = self.ledger.parties_of[id(case)]
        counselled = case.counselling_offered and self.rng.random() < COUNSELLED[kind]
        if decided_on is None:
            decided_on = self.decided_by_the_clock(case, kind)
        session_last = min(decided_on, _cooling_off_end(case)) - timedelta(days=1)
        if kind == "referred":
            self.consent(case, counselor, parties[:1], follow_up=False)
            self.screen(case, parties[0], counselor, received_on, positive=True)
            if counselled:
                self.sessions(
                    case,
                    counselor,
                    received_on + timedelta(days=1),
                    decided_on - timedelta(days=1),
                    [Service.PSYCHOLOGICAL],
                    joint=False,
                )
            self.ledger.refer(
                case=case,
                destination=self.rng.choice(
                    (Referral.Destination.WOMENS_FEDERATION,) * 3
                    + (Referral.Destination.LEGAL_AID, Referral.Destination.MENTAL_HEALTH)
                ),
                reason="安全评估阳性，转介专业机构。",
                referred_on=decided_on,
                by=counselor,
                party=parties[0],
            )
        elif kind == "declined":
            if case.counselling_offered and self.rng.random() < 0.4:
                # Gave consent, then withdrew it.
                self.consent(case, counselor, parties[:1], follow_up=False)
                self.ledger.record_consent(
                    case=case,
                    party=parties[0],
                    purpose=Purpose.COUNSELLING,
                    given=False,
                    by=counselor,
                )
        elif counselled:
            self.consent(case, counselor, parties, follow_up=kind == "reconciled")
            for party in parties:
                self.screen(case, party, counselor, received_on, positive=False)
            pool = [Service.MARRIAGE_GUIDANCE, Service.RELATIONSHIP, Service.PSYCHOLOGICAL]
            last = self.sessions(
                case, counselor, received_on + timedelta(days=1), session_last, pool
            )
            if last is not None:
                if kind == "reconciled" and self.rng.random() < REFERRED_AND_RECONCILED:
                    self.ledger.refer(
                        case=case,
                        destination=self.rng.choice(
                            (Referral.Destination.LEGAL_AID, Referral.Destination.MENTAL_HEALTH)
                        ),
                        reason="财产问题咨询，转介法律援助。",
                        referred_on=last,
                        by=counselor,
                    )
                result = {"reconciled": "reconcile", "divorced": "divorce"}.get(kind, "postpone")
                self.ledger.record_result(case=case, result=result, result_on=last, by=counselor)
                self.satisfaction(case, counselor, last)
        follow_ups = self.ledger.close_case(
            case=case,
            kind=kind,
            decided_on=decided_on,
            by=None if kind == "lapsed" else counselor,
            by_clock=kind == "lapsed",
        )
        self.follow_ups(follow_ups, counselor)
        return case

    def follow_ups(self, follow_ups: list[FollowUp], counselor: User) -> None:
        for follow_up in sorted(follow_ups, key=lambda f: (f.due_on, f.party.position)):
            if follow_up.due_on > LAST_DAY:
                continue
            roll = self.rng.random()
            if roll < 0.05:
                continue  # still due: the room has not called yet
            done_on = min(follow_up.due_on + timedelta(days=self.rng.randint(0, 6)), LAST_DAY)
            if roll < 0.15:
                self.ledger.record_follow_up(
                    follow_up=follow_up,
                    status=FollowUp.Status.UNREACHABLE,
                    by=counselor,
                    done_on=done_on,
                )
            else:
                self.ledger.record_follow_up(
                    follow_up=follow_up,
                    status=FollowUp.Status.DONE,
                    by=counselor,
                    done_on=done_on,
                    held=self.rng.random() < (0.9 if follow_up.months == 3 else 0.85),
                )

    def reconciled(self, code: str, month: int) -> None:
        first = date(2021, month, 1)
        last = month_days(first)[-1]
        decided_on = self.working_day_in(first + timedelta(days=2), last)
        earliest = max(date(2021, 3, 1), decided_on - timedelta(days=26))
        received_on = self.working_day_in(earliest, decided_on - timedelta(days=2))
        self.divorce_case(code, "reconciled", received_on, decided_on)

    def other(self, code: str, kind: str) -> None:
        month = self.rng.choice(MONTHS)
        first = date(2021, month, 1)
        last = month_days(first)[-1]
        received_on = self.working_day_in(first, last)
        decided_on = None
        if kind in ("declined", "referred"):
            decided_on = self.working_day_in(
                received_on + timedelta(days=1), received_on + timedelta(days=12)
            )
        self.divorce_case(code, kind, received_on, decided_on)

    def family_case(self, code: str, port: str) -> None:
        office, counselor = self.offices[code], self.counselor(code)
        month = self.rng.choice(MONTHS)
        first = date(2021, month, 1)
        opened = self.working_day_in(first, month_days(first)[-1])
        category = (
            Category.PREMARITAL
            if port == Port.MARRIAGE
            else self.rng.choice((Category.FAMILY, Category.MARITAL))
        )
        case = self.ledger.open_case(
            office=office,
            port=port,
            category=category,
            opened_by=counselor,
            opened_at=_at(opened, self.rng.choice(HOURS)),
        )
        self.consent(case, counselor, self.ledger.parties_of[id(case)], follow_up=False)
        pool = (
            [Service.MARRIAGE_GUIDANCE, Service.PRENATAL]
            if port == Port.MARRIAGE
            else [Service.RELATIONSHIP, Service.PSYCHOLOGICAL]
        )
        last = self.sessions(case, counselor, opened, opened + timedelta(days=20), pool)
        if last is not None:
            self.satisfaction(case, counselor, last)
        self.ledger.finish_case(case=case, by=counselor)

    def plan(self) -> list[tuple[str, str, int | None]]:
        plan: list[tuple[str, str, int | None]] = []
        for code, months in RECONCILED.items():
            for month, n in zip(MONTHS, months, strict=True):
                plan += [("reconciled", code, month)] * n
            for kind, n in OTHERS[code].items():
                plan += [(kind, code, None)] * n
            plan += [("premarital", code, None)] * PREMARITAL[code]
            plan += [("walk_in", code, None)] * WALK_IN[code]
        self.rng.shuffle(plan)
        return plan

    def run(self, progress: Callable[[str], None] = lambda line: None) -> dict[str, int]:
        start = clock_time.perf_counter()
        plan = self.plan()
        for done, (kind, code, month) in enumerate(plan, start=1):
            if kind == "reconciled" and month is not None:
                self.reconciled(code, month)
            elif kind == "premarital":
                self.family_case(code, Port.MARRIAGE)
            elif kind == "walk_in":
                self.family_case(code, Port.WALK_IN)
            else:
                self.other(code, kind)
            if done % 250 == 0 or done == len(plan):
                progress(f"  {done:>5}/{len(plan)} cases planned")
        progress(f"Writing ({clock_time.perf_counter() - start:.1f} s so far):")
        with transaction.atomic():  # a rule broken leaves nothing behind
            self.ledger.write(progress)
            check_rules()
        progress(f"Rules checked ({clock_time.perf_counter() - start:.1f} s in all).")
        return {
            "cases": len(self.ledger.cases),
            "reconciled": sum(map(sum, RECONCILED.values())),
            "sessions": len(self.ledger.sessions),
            "satisfaction": len(self.ledger.satisfaction),
        }


def check_rules() -> None:
    """Read the pilot back and refuse it if it breaks a rule of the services (RuleBroken): every
    outcome in its legal window, deadlines as the clock gives them, sessions only with consent
    and before the outcome, follow-ups only for parties who consented, the trail unbroken."""
    pilot = Case.objects.filter(office__code__in=list(RECONCILED), year=2021)
    calendar = OfficialCalendarYear.objects.calendar([2021, 2022])
    divorces = pilot.filter(port=Port.DIVORCE)
    outcomes = Outcome.objects.in_force().filter(case__in=divorces).select_related("case")
    _require(outcomes.count() == divorces.count(), "a divorce case without its one outcome")
    for outcome in outcomes.iterator():
        case = outcome.case
        if case.received_on is None:
            raise RuleBroken(f"{case.number}: a divorce case without its received day")
        deadlines = clock.deadlines(case.received_on, calendar)
        _require(
            (case.cooling_off_ends_on, case.certificate_window_ends_on)
            == (deadlines.cooling_off_ends_on, deadlines.certificate_window_ends_on),
            f"{case.number}: deadlines not the clock's",
        )
        window = clock.window_for(outcome.kind, deadlines)
        if window is None:  # declined, referred: the law gives no date, the application does
            window = clock.LegalWindow(
                outcome.kind, case.received_on, deadlines.certificate_window_ends_on, False
            )
        _require(window.contains(outcome.decided_on), f"{case.number}: outcome date")
    sessions = CounselingSession.objects.filter(case__in=pilot)
    unconsented = sessions.filter(
        Q(party__consent_counselling=False)
        | Q(kind=CounselingSession.Kind.JOINT, case__parties__consent_counselling=False)
    )
    _require(not unconsented.exists(), "a session without counselling consent")
    late = sessions.filter(
        case__outcome__voided_at=None, starts_at__date__gt=F("case__outcome__decided_on")
    )
    _require(not late.exists(), "a session after the case's outcome")
    _require(not sessions.filter(starts_at__gt=timezone.now()).exists(), "a session to come")
    _require(
        not sessions.filter(
            kind=CounselingSession.Kind.JOINT, case__joint_sessions_blocked=True
        ).exists(),
        "a joint session after a positive screen",
    )
    _require(
        not FollowUp.objects.filter(case__in=pilot, party__consent_follow_up=False).exists(),
        "a follow-up without follow-up consent",
    )
    crowded = (
        Satisfaction.objects.filter(case__in=pilot)
        .values("case")
        .annotate(n=Count("id"))
        .filter(n__gt=2)
    )
    _require(not crowded.exists(), "more satisfaction answers than parties")
    withdrawn_later = ConsentRecord.objects.filter(
        party=OuterRef("party"),
        purpose=OuterRef("purpose"),
        action=ConsentRecord.Action.WITHDRAWN,
        pk__gt=OuterRef("pk"),
    )
    _require(
        not ConsentRecord.objects.in_force()
        .filter(party__case__in=pilot)
        .filter(Exists(withdrawn_later))
        .exists(),
        "a consent decision still in force after its withdrawal",
    )
    # The links and the head; the signed checkpoint follows once the load commits.
    _require(audit_verify.verify_chain().ok, "the audit trail does not verify")


def is_seeded() -> bool:
    return Case.objects.filter(
        office__code__in=list(RECONCILED), opened_at__year=2021, port=Port.DIVORCE
    ).exists()


def seed_panjin_2021(progress: Callable[[str], None] = lambda line: None) -> dict[str, int] | None:
    """Recreate the pilot. Returns what was made, or None if it already was. One transaction:
    a run that fails or is interrupted leaves nothing behind."""
    demo.seed_accounts()
    if is_seeded():
        return None
    return Pilot().run(progress)
