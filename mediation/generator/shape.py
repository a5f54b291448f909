"""The shape of generated case work: what happens to a case, and when.

Pure: dates, a random.Random and the official calendar in, plain plans out; no ORM. The
proportions follow DOMAIN.md ('Outcomes and what counts': lapses far outnumber active
withdrawals, 676 of 718 in one city; the two ports) and the published 2021 pilot
(mediation/demo_panjin.py: who is counselled for each outcome, sessions, results, follow-ups,
satisfaction). Every date obeys the legal windows of mediation.clock, as the services require.
"""

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..calendar import OfficialCalendar, add_months
from ..clock import Deadlines

PORTS = {"divorce": 85, "marriage": 10, "walk_in": 5}
# The registry outcome of a divorce application. Lapse (视为撤回) is seven times as common as
# an active withdrawal; with counselling, withdrawals grow (the pilot), without it they are rare.
OUTCOMES = {"divorced": 45, "lapsed": 36, "declined": 12, "reconciled": 5, "referred": 2}
OFFERED = 0.93
# Share of each outcome's couples who took up counselling (the pilot's figures).
COUNSELLED = {
    "reconciled": 0.76,
    "lapsed": 0.12,
    "divorced": 0.30,
    "declined": 0.0,
    "referred": 0.5,
}
CONSENT_THEN_WITHDRAW = 0.4  # of declined cases that were offered counselling
SENSITIVE = 0.9
STATISTICS = 0.45
FOLLOW_UP = 0.75
SCREENED = 0.7
SCREEN_POSITIVE = 0.03
SESSION_COUNTS = {1: 35, 2: 30, 3: 20, 4: 15}
SESSION_STATUS = {"held": 90, "no_show": 5, "cancelled": 5}
HOURS = (9, 10, 11, 14, 15, 16)
DURATIONS = (45, 50, 50, 60, 60, 90)
BOOK_AHEAD_DAYS = 14
SATISFACTION = {"satisfied": 17, "fairly": 5, "unsatisfied": 1}
ANONYMOUS = 0.1
DESTINATIONS = {"womens_federation": 3, "legal_aid": 1, "mental_health": 1}
CATEGORIES_DIVORCE = {"marital": 2, "divorce_adjustment": 1, "family": 1}
CATEGORIES_WALK_IN = {"family": 1, "marital": 1}
SERVICES = {
    "divorce": ("marriage_guidance", "relationship", "psychological"),
    "marriage": ("marriage_guidance", "prenatal"),
    "walk_in": ("relationship", "psychological"),
}
RESULTS = {"reconciled": "reconcile", "divorced": "divorce", "lapsed": "postpone"}
EDUCATION = ("junior", "senior", "senior", "college", "college", "university", "primary")


def pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class WorkingDays:
    """The official working days of a span, for fast 'a working day between these two'."""

    def __init__(self, calendar: OfficialCalendar, first: date, last: date) -> None:
        self.days = calendar.working_days(first, last)
        self.ordinals = [day.toordinal() for day in self.days]

    def between(self, first: date, last: date) -> Sequence[date]:
        lo = bisect.bisect_left(self.ordinals, first.toordinal())
        hi = bisect.bisect_right(self.ordinals, last.toordinal())
        return self.days[lo:hi]

    def pick(self, rng: random.Random, first: date, last: date) -> date | None:
        days = self.between(first, last)
        return rng.choice(days) if days else None


class Slots:
    """Free session times: a counsellor and a room are never booked twice at the same start
    (the conditional unique constraints of CounselingSession). Starts are minutes of the day;
    `busy` adds sessions already stored. Days behind the generation front are forgotten, so
    memory stays flat."""

    def __init__(self) -> None:
        self.rooms: dict[tuple[int, int], set[tuple[int, str]]] = {}
        self.counselors: dict[int, set[tuple[int, int]]] = {}

    def busy(self, *, office: int, room: str, counselor: int, day: date, minute: int) -> None:
        ordinal = day.toordinal()
        self.rooms.setdefault((office, ordinal), set()).add((minute, room))
        self.counselors.setdefault(ordinal, set()).add((counselor, minute))

    def take(
        self, rng: random.Random, *, office: int, rooms: int, counselor: int, day: date
    ) -> tuple[int, int] | None:
        """(hour, room number) of a free slot on that day, or None when the day is full."""
        ordinal = day.toordinal()
        used_rooms = self.rooms.setdefault((office, ordinal), set())
        busy = self.counselors.setdefault(ordinal, set())
        hours = list(HOURS)
        rng.shuffle(hours)
        for hour in hours:
            if (counselor, hour * 60) in busy:
                continue
            for room in range(1, rooms + 1):
                if (hour * 60, str(room)) not in used_rooms:
                    used_rooms.add((hour * 60, str(room)))
                    busy.add((counselor, hour * 60))
                    return hour, room
        return None

    def forget_before(self, day: date) -> None:
        ordinal = day.toordinal()
        for office_day in [key for key in self.rooms if key[1] < ordinal]:
            del self.rooms[office_day]
        for day_ordinal in [key for key in self.counselors if key < ordinal]:
            del self.counselors[day_ordinal]


@dataclass
class PartyPlan:
    position: int
    female: bool
    counselling: bool = False
    sensitive: bool = False
    statistics: bool = False
    follow_up: bool = False
    withdrew: bool = False  # gave counselling consent, then withdrew it (and with it the rest)
    identity: bool = False  # the record form is filled in (sealed name, ID number, phone...)
    screened: bool = False
    positive: bool = False
    satisfaction: str = ""
    anonymous: bool = False


@dataclass
class SessionPlan:
    day: date
    hour: int
    room: int
    kind: str
    party: int | None  # position of the party of an individual session
    status: str
    duration: int
    services: tuple[str, ...] = ()
    note: bool = False
    note_signed: bool = False


@dataclass
class FollowUpPlan:
    position: int
    months: int
    due_on: date
    status: str = "due"
    done_on: date | None = None
    held: bool | None = None


@dataclass
class CasePlan:
    port: str
    category: str
    opened_on: date
    hour: int
    minute: int
    received_on: date | None
    offered: bool = True
    counselled: bool = False
    kind: str = ""  # the registry outcome to come (divorce cases)
    decided_on: date | None = None
    closed: bool = False
    closed_on: date | None = None
    joint_blocked: bool = False
    parties: list[PartyPlan] = field(default_factory=list)
    sessions: list[SessionPlan] = field(default_factory=list)
    result: str = ""
    result_on: date | None = None
    destination: str = ""
    follow_ups: list[FollowUpPlan] = field(default_factory=list)

    @property
    def held(self) -> list[SessionPlan]:
        return [session for session in self.sessions if session.status == "held"]


@dataclass
class Context:
    """What planning a case needs besides the random source."""

    today: date
    working: WorkingDays
    slots: Slots
    office: int
    rooms: int
    counselor: int


def plan_case(
    rng: random.Random,
    ctx: Context,
    *,
    port: str,
    opened_on: date,
    hour: int,
    minute: int,
    deadlines: Deadlines | None,
) -> CasePlan:
    """Everything that happens to one case opened on `opened_on` (a divorce case: the day the
    registry received the application, with its deadlines)."""
    plan = CasePlan(
        port=port,
        category="premarital" if port == "marriage" else "",
        opened_on=opened_on,
        hour=hour,
        minute=minute,
        received_on=opened_on if port == "divorce" else None,
        parties=[PartyPlan(position=1, female=True), PartyPlan(position=2, female=False)],
    )
    if port == "divorce":
        assert deadlines is not None
        _plan_divorce(rng, ctx, plan, deadlines)
    else:
        plan.category = plan.category or pick(rng, CATEGORIES_WALK_IN)
        _plan_family(rng, ctx, plan)
    return plan


def _consent(rng: random.Random, party: PartyPlan, *, follow_up: bool) -> None:
    party.counselling = True
    party.sensitive = rng.random() < SENSITIVE
    party.statistics = rng.random() < STATISTICS
    party.follow_up = follow_up and rng.random() < FOLLOW_UP
    party.identity = True


def _decided_on(rng: random.Random, ctx: Context, kind: str, received: date, d: Deadlines) -> date:
    one = timedelta(days=1)
    if kind == "reconciled":
        first, last = received + 2 * one, d.cooling_off_ends_on
    elif kind == "divorced":
        first, last = d.cooling_off_ends_on + one, d.certificate_window_ends_on
    elif kind == "lapsed":
        return d.certificate_window_ends_on
    else:  # declined, referred
        first, last = received + one, received + 12 * one
    return ctx.working.pick(rng, first, last) or last


def _plan_divorce(rng: random.Random, ctx: Context, plan: CasePlan, d: Deadlines) -> None:
    received = d.received_on
    plan.category = pick(rng, CATEGORIES_DIVORCE)
    plan.kind = kind = pick(rng, OUTCOMES)
    plan.offered = rng.random() < OFFERED
    plan.decided_on = decided = _decided_on(rng, ctx, kind, received, d)
    # The clock lapses a case the morning after its window ends, never on provisional dates.
    if kind == "lapsed":
        plan.closed = decided < ctx.today and not d.provisional
    else:
        plan.closed = decided < ctx.today
    first = plan.parties[0]
    plan.counselled = plan.offered and rng.random() < COUNSELLED[kind]
    if kind == "declined":
        if plan.offered and rng.random() < CONSENT_THEN_WITHDRAW:
            first.counselling = first.withdrew = True
            first.statistics = rng.random() < STATISTICS
        _close(plan)
        return
    _plan_consents(rng, plan, kind)
    if plan.counselled:
        last = min(decided, d.cooling_off_ends_on) - timedelta(days=1)
        _plan_sessions(rng, ctx, plan, received + timedelta(days=1), last)
    if plan.closed:
        _plan_closing(rng, ctx, plan, kind)
    _close(plan)


def _plan_consents(rng: random.Random, plan: CasePlan, kind: str) -> None:
    """A referral: the first party consents and screens positive (no joint sessions). Counselled
    otherwise: both consent and are screened."""
    first, second = plan.parties
    if kind == "referred":
        _consent(rng, first, follow_up=False)
        first.screened = first.positive = True
        plan.joint_blocked = True
        plan.destination = pick(rng, DESTINATIONS)
    elif plan.counselled:
        for party in plan.parties:
            _consent(rng, party, follow_up=True)
            party.screened = rng.random() < SCREENED
            party.positive = party.screened and rng.random() < SCREEN_POSITIVE
        plan.joint_blocked = first.positive or second.positive


def _plan_closing(rng: random.Random, ctx: Context, plan: CasePlan, kind: str) -> None:
    """A closed case's result (from its last session held), satisfaction and follow-ups."""
    held = plan.held
    if held and kind in RESULTS:
        plan.result, plan.result_on = RESULTS[kind], held[-1].day
    if held:
        _satisfaction(rng, plan)
    if kind == "reconciled":
        _follow_ups(rng, ctx, plan)


def _plan_family(rng: random.Random, ctx: Context, plan: CasePlan) -> None:
    """Premarital guidance or a walk-in family: both consent; closed a week after the last
    session (finish_case), with no registry outcome."""
    plan.counselled = True
    for party in plan.parties:
        _consent(rng, party, follow_up=False)
    _plan_sessions(
        rng, ctx, plan, plan.opened_on + timedelta(days=1), plan.opened_on + timedelta(days=20)
    )
    held = plan.held
    last_day = plan.sessions[-1].day if plan.sessions else plan.opened_on
    if last_day + timedelta(days=7) < ctx.today and all(s.day < ctx.today for s in plan.sessions):
        plan.closed, plan.closed_on = True, last_day + timedelta(days=rng.randint(1, 7))
        if held:
            _satisfaction(rng, plan)


def _plan_sessions(
    rng: random.Random, ctx: Context, plan: CasePlan, first: date, last: date
) -> None:
    last = min(last, ctx.today + timedelta(days=BOOK_AHEAD_DAYS))
    days = ctx.working.between(first, last)
    wanted = int(pick(rng, SESSION_COUNTS))
    if not days:
        return
    consenting = [party for party in plan.parties if party.counselling]
    for day in sorted(rng.sample(list(days), min(wanted, len(days)))):
        slot = ctx.slots.take(
            rng, office=ctx.office, rooms=ctx.rooms, counselor=ctx.counselor, day=day
        )
        if slot is None:
            continue  # the rooms are full that day: this session did not happen
        hour, room = slot
        individual = plan.joint_blocked or len(consenting) < 2
        party = rng.choice(consenting).position if individual else None
        status = pick(rng, SESSION_STATUS) if day < ctx.today else "booked"
        session = SessionPlan(
            day=day,
            hour=hour,
            room=room,
            kind="individual" if individual else "joint",
            party=party,
            status=status,
            duration=rng.choice(DURATIONS),
        )
        if status == "held":
            pool = SERVICES[plan.port]
            session.services = tuple(rng.sample(pool, rng.randint(1, min(2, len(pool)))))
            in_note = [p for p in consenting if party is None or p.position == party]
            session.note = all(p.sensitive for p in in_note)
            # Notes are signed within days; some of last week's are still drafts, a few forgotten.
            recent = day >= ctx.today - timedelta(days=7)
            session.note_signed = session.note and rng.random() < (0.5 if recent else 0.97)
        plan.sessions.append(session)


def _satisfaction(rng: random.Random, plan: CasePlan) -> None:
    for party in plan.parties:
        if party.counselling and not party.withdrew and rng.random() < 0.8:
            party.satisfaction = pick(rng, SATISFACTION)
            party.anonymous = rng.random() < ANONYMOUS


def _follow_ups(rng: random.Random, ctx: Context, plan: CasePlan) -> None:
    """The 3- and 6-month calls after a reconciliation, for parties who agreed to be contacted
    and whose spouse did not screen positive (mediation.services.may_contact)."""
    assert plan.decided_on is not None
    for party in plan.parties:
        other = plan.parties[2 - party.position]
        if not party.follow_up or other.positive:
            continue
        for months in (3, 6):
            due = add_months(plan.decided_on, months)
            follow_up = FollowUpPlan(position=party.position, months=months, due_on=due)
            if due < ctx.today:
                roll = rng.random()
                if roll >= 0.05:
                    done = min(due + timedelta(days=rng.randint(0, 6)), ctx.today - timedelta(1))
                    follow_up.done_on = done
                    if roll < 0.15:
                        follow_up.status = "unreachable"
                    else:
                        follow_up.status = "done"
                        follow_up.held = rng.random() < (0.9 if months == 3 else 0.85)
            plan.follow_ups.append(follow_up)


def _close(plan: CasePlan) -> None:
    if plan.closed and plan.decided_on is not None:
        plan.closed_on = plan.decided_on
        if plan.kind == "lapsed":
            plan.closed_on = plan.decided_on + timedelta(days=1)


def party_details(rng: random.Random, party: PartyPlan, opened_on: date) -> dict:
    """The MZ/T 084 record-form fields of a party who consented."""
    age = rng.randint(23, 55)
    return {
        "sex": "F" if party.female else "M",
        "birth_year": opened_on.year - age,
        "education": rng.choice(EDUCATION),
        "marital_status": rng.choice(("first", "first", "first", "remarried")),
        "years_married": max(0, min(age - 21, rng.randint(0, 25))),
    }
