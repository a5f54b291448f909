"""The rotation planner: one city's month of duty as a CP-SAT model (issue 5, DOMAIN.md).

Pure: plain values in, plain values out, no ORM and no Django. `ortools` is imported inside
`plan()` only, because importing it costs about 0.3 s and most processes never plan.

Hard rules: a counsellor serves only offices they may serve, never when unavailable, in one place
per half-day and in one office per day, within weekly and monthly caps pro-rated for leave (duties
of the previous month in the same week count), within room capacity; pinned duties stay.
Soft rules, strictly in this order (each tier is optimised with the tiers above held at their
optimum): coverage shortfall and a missing qualified counsellor; changes against the published
roster (repair); fairness (load above a target pro-rated by each one's capped availability);
home office; requests; over-cover.
Shortfalls are slack, so the planner always returns a roster and a list of explained gaps.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: importing ortools at run time waits for plan()
    from ortools.sat.python.cp_model import IntVar, LinearExprT

AM = "AM"
PM = "PM"
HALVES = (AM, PM)

# Gap kinds and reason codes (the service turns them into sentences).
COVERAGE = "coverage"
QUALIFIED = "qualified"
NO_ONE_ELIGIBLE = "no_one_eligible"
NO_ONE_AVAILABLE = "no_one_available"
CAPS = "caps"
QUALIFIED_CAPACITY_EXHAUSTED = "qualified_capacity_exhausted"
NEEDED_ELSEWHERE = "needed_elsewhere"
ONE_OFFICE_A_DAY = "one_office_a_day"
ROOM_FULL = "room_full"
FROZEN = "frozen"
TIME_LIMIT = "time_limit"

OPTIMAL = "optimal"
FEASIBLE = "feasible"
UNKNOWN = "unknown"

TIERS = ("coverage", "changes", "fairness", "home_office", "requests", "over_cover")

Slot = tuple[date, str]


@dataclass(frozen=True)
class Counselor:
    """One counsellor as the planner sees them.

    `unavailable` are the half-days they cannot serve (any kind); `on_leave` is the part of it
    that pro-rates their caps (leave and sudden absence, not declared unavailable half-days).
    `qualified_until`: last day of a valid psychological-counsellor qualification (None: none).
    """

    id: int
    offices: tuple[str, ...]
    week_cap: int
    month_cap: int
    home_office: str | None = None
    qualified_until: date | None = None
    unavailable: frozenset[Slot] = frozenset()
    on_leave: frozenset[Slot] = frozenset()
    prefer_off: frozenset[Slot] = frozenset()
    prefer_on: frozenset[Slot] = frozenset()

    def qualified_on(self, day: date) -> bool:
        return self.qualified_until is not None and day <= self.qualified_until


@dataclass(frozen=True)
class Office:
    """An office's coverage rule: counsellors needed per half-day on working days."""

    code: str
    needed_am: int
    needed_pm: int
    qualified_required: bool
    capacity: int

    def needed(self, half: str) -> int:
        return min(self.needed_am if half == AM else self.needed_pm, self.capacity)


@dataclass(frozen=True, order=True)
class Duty:
    day: date
    half: str
    office: str
    counselor: int


@dataclass(frozen=True)
class Problem:
    """A city's month.

    `days`: every day of the month. `working_days`: the official working days of the month and of
    the ISO weeks that touch it (weekly caps are pro-rated over whole weeks). `frozen`: days that
    must not change (repair: the past and the days before the repair starts); only `pinned`
    duties stand on them. `prior`: duties before the month in its first week (they use up weekly
    caps). `reference`: the published roster; in repair every change against it is penalised.
    """

    days: tuple[date, ...]
    working_days: frozenset[date]
    offices: tuple[Office, ...]
    counselors: tuple[Counselor, ...]
    pinned: tuple[Duty, ...] = ()
    prior: tuple[Duty, ...] = ()
    reference: tuple[Duty, ...] = ()
    frozen: frozenset[date] = frozenset()
    repair: bool = False


@dataclass(frozen=True)
class SolverSettings:
    """Explicit solver settings: one worker with linearization level 2 proves a city's month
    optimal quickly where the defaults on two cores may never prove it; the seed makes runs
    repeatable; the wall-clock guard bounds a run; tests use deterministic time instead."""

    random_seed: int = 20210301
    max_time_in_seconds: float = 30.0
    max_deterministic_time: float | None = None


@dataclass(frozen=True)
class Gap:
    office: str
    day: date
    half: str
    kind: str
    missing: int
    reason: str
    facts: dict[str, int | list[int]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class WeekBalance:
    """Demand against capacity in one ISO week (the part inside the month)."""

    week_start: date
    demand: int
    capacity: int
    qualified_demand: int
    qualified_capacity: int
    covered: int


@dataclass(frozen=True)
class Change:
    duty: Duty
    added: bool


@dataclass
class Plan:
    status: str
    duties: list[Duty]
    gaps: list[Gap]
    objective: dict[str, int]
    changes: list[Change]
    weeks: list[WeekBalance]
    seconds: float
    targets: dict[int, int]
    demanded: list[tuple[str, date, str]]

    def coverage(self) -> dict[str, tuple[int, int]]:
        """Per office: (half-days fully covered, half-days short of cover)."""
        short = {(g.office, g.day, g.half) for g in self.gaps if g.kind == COVERAGE}
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for office, day, half in self.demanded:
            counts[office][(office, day, half) in short] += 1
        return {office: (ok, bad) for office, (ok, bad) in sorted(counts.items())}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def prorate(cap: int, available: int, total: int) -> int:
    """A cap scaled by the share of working half-days not on leave, rounded half up."""
    if total <= 0:
        return cap
    return (2 * cap * available + total) // (2 * total)


@dataclass
class Tier:
    name: str
    expr: LinearExprT
    constant: int
    bound: int


# Tiers share one solve, with weights that keep their order strict, while the largest possible
# objective stays below this (exact in a double, far inside int64); beyond it the higher tiers
# get solves of their own, each solved with the tiers above held at their optimum. One solve is
# several times faster than one per tier.
WEIGHT_LIMIT = 2**50


def tier_groups(tiers: Sequence[Tier]) -> list[list[tuple[Tier, int]]]:
    """Split tiers (highest priority first) into solves, each tier with its exact weight.

    Lower tiers are gathered from the bottom up, so the common case is one solve and the rare
    large one is the top tier alone, then the rest. A tier's weight exceeds the largest possible
    value of all lower tiers of its group together, so one unit of a higher tier always
    outweighs any amount of the lower ones.
    """
    groups: list[list[Tier]] = []
    current: list[Tier] = []
    span = 1
    for tier in reversed(tiers):
        if current and span * (tier.bound + 1) > WEIGHT_LIMIT:
            groups.append(current)
            current, span = [], 1
        current.insert(0, tier)
        span *= tier.bound + 1
    if current:
        groups.append(current)
    return [_weighted(group) for group in reversed(groups)]


def _weighted(tiers: list[Tier]) -> list[tuple[Tier, int]]:
    weight = 1
    result = []
    for tier in reversed(tiers):
        result.append((tier, weight))
        weight *= tier.bound + 1
    return list(reversed(result))


class _Model:
    """Builds the variables and constraints; kept apart from the solving loop for clarity."""

    def __init__(self, problem: Problem, cp_model: ModuleType) -> None:
        self.p = problem
        self.cp = cp_model
        self.model = cp_model.CpModel()
        self.counselors = {c.id: c for c in sorted(problem.counselors, key=lambda c: c.id)}
        self.offices = {o.code: o for o in sorted(problem.offices, key=lambda o: o.code)}
        self.month_days = tuple(sorted(problem.days))
        self.work = [d for d in self.month_days if d in problem.working_days]
        self.slots = [(d, h) for d in self.work for h in HALVES]
        self.x: dict[tuple[int, str, date, str], IntVar] = {}
        self.pinned: dict[tuple[int, date, str], str] = {}
        for duty in sorted(problem.pinned):
            self.pinned[(duty.counselor, duty.day, duty.half)] = duty.office
        self._caps()
        self._variables()
        self._constraints()
        self._objectives()

    def qualified(self, cid: int, day: date) -> bool:
        """Pinned duties may name someone no longer in the rotation: they count as unqualified."""
        counselor = self.counselors.get(cid)
        return counselor is not None and counselor.qualified_on(day)

    # --- caps ---------------------------------------------------------------------------------
    def _caps(self) -> None:
        p = self.p
        weeks = sorted({week_start(d) for d in self.month_days})
        self.weeks = weeks
        self.week_days = {
            w: [w + timedelta(days=i) for i in range(7) if w + timedelta(days=i) in p.working_days]
            for w in weeks
        }
        prior_in_week: dict[tuple[int, date], int] = defaultdict(int)
        for duty in p.prior:
            prior_in_week[(duty.counselor, week_start(duty.day))] += 1
        self.week_rhs: dict[tuple[int, date], int] = {}
        self.month_rhs: dict[int, int] = {}
        self.month_cap_eff: dict[int, int] = {}
        self.week_cap_eff: dict[tuple[int, date], int] = {}
        month_halves = 2 * len(self.work)
        for cid, c in self.counselors.items():
            for w in weeks:
                total = 2 * len(self.week_days[w])
                avail = sum(
                    1 for d in self.week_days[w] for h in HALVES if (d, h) not in c.on_leave
                )
                cap = prorate(c.week_cap, avail, total)
                self.week_cap_eff[(cid, w)] = cap
                self.week_rhs[(cid, w)] = cap - prior_in_week[(cid, w)]
            avail = sum(1 for d, h in self.slots if (d, h) not in c.on_leave)
            self.month_cap_eff[cid] = prorate(c.month_cap, avail, month_halves)

    # --- variables ----------------------------------------------------------------------------
    def _variables(self) -> None:
        p = self.p
        m = self.model
        self.day_office: dict[tuple[int, date], list[str]] = {}
        for cid, c in self.counselors.items():
            allowed = tuple(sorted(o for o in c.offices if o in self.offices))
            for d in self.work:
                if d in p.frozen:
                    continue
                pinned_offices = {
                    self.pinned[(cid, d, h)] for h in HALVES if (cid, d, h) in self.pinned
                }
                if len(pinned_offices) > 1:
                    continue
                possible = [o for o in allowed if not pinned_offices or o in pinned_offices]
                used = []
                for o in possible:
                    for h in HALVES:
                        if (cid, d, h) in self.pinned or (d, h) in c.unavailable:
                            continue
                        self.x[(cid, o, d, h)] = m.new_bool_var(f"x_{cid}_{o}_{d:%m%d}{h}")
                        if o not in used:
                            used.append(o)
                self.day_office[(cid, d)] = used

    def _one_office_per_day(self) -> None:
        """One office per day (which also means one place per half-day)."""
        m = self.model
        x = self.x
        for (cid, d), used in self.day_office.items():
            if len(used) > 1:
                ys = []
                for o in used:
                    y = m.new_bool_var(f"y_{cid}_{o}_{d:%m%d}")
                    for h in HALVES:
                        if (cid, o, d, h) in x:
                            m.add_implication(x[(cid, o, d, h)], y)
                    ys.append(y)
                m.add_at_most_one(ys)

    def _constraints(self) -> None:
        m = self.model
        x = self.x
        self._one_office_per_day()
        by_counselor: dict[int, list[IntVar]] = defaultdict(list)
        by_counselor_week: dict[tuple[int, date], list[IntVar]] = defaultdict(list)
        self.by_slot: dict[tuple[str, date, str], list[tuple[int, IntVar]]] = defaultdict(list)
        for (cid, o, d, h), var in x.items():
            by_counselor[cid].append(var)
            by_counselor_week[(cid, week_start(d))].append(var)
            self.by_slot[(o, d, h)].append((cid, var))
        self.by_counselor = by_counselor
        pinned_count: dict[int, int] = defaultdict(int)
        pinned_week: dict[tuple[int, date], int] = defaultdict(int)
        self.pinned_slot: dict[tuple[str, date, str], list[int]] = defaultdict(list)
        for (cid, d, h), o in self.pinned.items():
            if d in self.month_days:
                pinned_count[cid] += 1
                pinned_week[(cid, week_start(d))] += 1
            self.pinned_slot[(o, d, h)].append(cid)
        self.pinned_count = pinned_count
        for key, vars_ in by_counselor_week.items():
            m.add(sum(vars_) <= max(0, self.week_rhs[key] - pinned_week[key]))
        for cid, vars_ in by_counselor.items():
            m.add(sum(vars_) <= max(0, self.month_cap_eff[cid] - pinned_count[cid]))
        for (o, d, h), pairs in self.by_slot.items():
            room = self.offices[o].capacity - len(self.pinned_slot[(o, d, h)])
            m.add(sum(v for _, v in pairs) <= max(0, room))

    # --- objectives ---------------------------------------------------------------------------
    def _objectives(self) -> None:
        terms: dict[str, list[LinearExprT]] = {tier: [] for tier in TIERS}
        constants = dict.fromkeys(TIERS, 0)
        bounds = dict.fromkeys(TIERS, 0)
        # At most this many duties can be added: every tier that counts duties is bounded by it.
        free_duties = sum(
            max(0, self.month_cap_eff[cid] - self.pinned_count[cid]) for cid in self.counselors
        )
        self._coverage_terms(terms, bounds)
        self._change_terms(terms, constants, bounds, free_duties)
        self._fairness_terms(terms, bounds)
        self._preference_terms(terms)
        bounds["home_office"] = min(len(terms["home_office"]), free_duties)
        bounds["requests"] = len(terms["requests"])
        bounds["over_cover"] = min(
            sum(o.capacity for o in self.offices.values()) * len(self.slots),
            free_duties + len(self.pinned),
        )
        self.tiers = [
            Tier(tier, self.cp.LinearExpr.sum(terms[tier]), constants[tier], bounds[tier])
            for tier in TIERS
            if terms[tier]
        ]
        self.constants = constants

    def _coverage_terms(self, terms: dict[str, list[LinearExprT]], bounds: dict[str, int]) -> None:
        """Half-days short of the need, over the need, or without a qualified counsellor."""
        m = self.model
        self.short: dict[tuple[str, date, str], IntVar] = {}
        self.qmiss: dict[tuple[str, date, str], IntVar] = {}
        self.demanded = []
        for o, office in self.offices.items():
            for d, h in self.slots:
                need = office.needed(h)
                if need <= 0:
                    continue
                self.demanded.append((o, d, h))
                pairs = self.by_slot.get((o, d, h), [])
                pinned_here = self.pinned_slot.get((o, d, h), [])
                covered = len(pinned_here) + self.cp.LinearExpr.sum([v for _, v in pairs])
                if len(pinned_here) < need:
                    s = m.new_int_var(0, need, f"s_{o}_{d:%m%d}{h}")
                    m.add(s >= need - covered)
                    self.short[(o, d, h)] = s
                    terms["coverage"].append(s)
                    bounds["coverage"] += need
                over = m.new_int_var(0, office.capacity, f"o_{o}_{d:%m%d}{h}")
                m.add(over >= covered - need)
                terms["over_cover"].append(over)
                if office.qualified_required:
                    if any(self.qualified(c, d) for c in pinned_here):
                        continue
                    qualified = [v for c, v in pairs if self.counselors[c].qualified_on(d)]
                    q = m.new_bool_var(f"q_{o}_{d:%m%d}{h}")
                    m.add(q + sum(qualified) >= 1)
                    self.qmiss[(o, d, h)] = q
                    terms["coverage"].append(q)
                    bounds["coverage"] += 1

    def _change_terms(
        self,
        terms: dict[str, list[LinearExprT]],
        constants: dict[str, int],
        bounds: dict[str, int],
        free_duties: int,
    ) -> None:
        """Changes against the published roster (repair)."""
        p = self.p
        if not p.repair:
            self.reference = set()
            return
        reference = {
            (r.counselor, r.office, r.day, r.half)
            for r in p.reference
            if r.day not in p.frozen and r.office in self.offices
        }
        for key in sorted(reference):
            if key in self.x:
                terms["changes"].append(1 - self.x[key])
            elif (key[0], key[2], key[3]) not in self.pinned:
                constants["changes"] += 1
        for key, var in self.x.items():
            if key not in reference:
                terms["changes"].append(var)
        self.reference = reference
        bounds["changes"] = min(len(terms["changes"]), len(reference) + free_duties)

    def _fairness_terms(self, terms: dict[str, list[LinearExprT]], bounds: dict[str, int]) -> None:
        """Each counsellor's month load against a target pro-rated by their cap."""
        m = self.model
        pinned_elsewhere = sum(
            1
            for (cid, d, h), o in self.pinned.items()
            if o not in self.offices and d in self.month_days
        )
        work_total = sum(self.offices[o].needed(h) for o, d, h in self.demanded) + pinned_elsewhere
        cap_total = sum(self.month_cap_eff.values()) or 1
        self.targets = {}
        excesses = []
        for cid in self.counselors:
            cap = self.month_cap_eff[cid]
            target = min(cap, (2 * work_total * cap + cap_total) // (2 * cap_total))
            self.targets[cid] = target
            load = self.pinned_count[cid] + self.cp.LinearExpr.sum(self.by_counselor.get(cid, []))
            # Only load above the fair share counts: since every needed half-day is covered
            # first and the shares add up to the work, no one above their share means everyone
            # at it; penalising load below the share instead would make the solver invent
            # duties nobody needs to lift someone who cannot reach theirs.
            most = max(0, max(cap, self.pinned_count[cid]) - target)
            if most:
                excess = m.new_int_var(0, most, f"excess_{cid}")
                m.add(excess >= load - target)
                excesses.append((excess, most))
        # Where someone must go above their share, spread it: the largest excess first, then
        # their sum (both strictly inside the fairness tier).
        if excesses:
            total = sum(most for _, most in excesses)
            top = max(most for _, most in excesses)
            peak = m.new_int_var(0, top, "excess_peak")
            for excess, _ in excesses:
                m.add(peak >= excess)
            terms["fairness"] = [(total + 1) * peak, *(e for e, _ in excesses)]
            bounds["fairness"] = (total + 1) * top + total

    def _preference_terms(self, terms: dict[str, list[LinearExprT]]) -> None:
        """Duties away from the home office, and half-days asked off or asked for."""
        p = self.p
        for (cid, o, d, h), var in self.x.items():
            c = self.counselors[cid]
            if c.home_office and o != c.home_office:
                terms["home_office"].append(var)
            if (d, h) in c.prefer_off:
                terms["requests"].append(var)
        for cid, c in self.counselors.items():
            for d, h in sorted(c.prefer_on):
                if d in p.frozen or d not in p.working_days or (cid, d, h) in self.pinned:
                    continue
                options = [self.x[(cid, o, d, h)] for o in self.offices if (cid, o, d, h) in self.x]
                if options:
                    terms["requests"].append(1 - sum(options))


def plan(problem: Problem, settings: SolverSettings | None = None) -> Plan:
    """Solve one city's month; always returns a roster, its gaps with reasons and the status."""
    from ortools.sat.python import cp_model  # noqa: PLC0415  (heavy: loaded only to plan)

    settings = settings or SolverSettings()
    started = time.perf_counter()
    built = _Model(problem, cp_model)
    model = built.model
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = settings.random_seed
    variables = sorted(built.x.items(), key=lambda item: (item[0][0], item[0][1], item[0][2:]))
    # Start from the published roster (repair) or from nothing; both satisfy every hard rule
    # except, for the roster, duties that are no longer allowed, which the solver drops.
    values = {key: int(key in built.reference) for key, _ in variables}
    objective: dict[str, int] = dict(built.constants)
    all_optimal = True
    solved_once = False
    for group in tier_groups(built.tiers):
        model.clear_hints()
        if solved_once or problem.repair:
            for key, var in variables:
                model.add_hint(var, values[key])
        expr = cp_model.LinearExpr.weighted_sum([t.expr for t, _ in group], [w for _, w in group])
        model.minimize(expr)
        remaining = settings.max_time_in_seconds - (time.perf_counter() - started)
        solver.parameters.max_time_in_seconds = max(remaining, 0.05)
        if settings.max_deterministic_time is not None:
            solver.parameters.max_deterministic_time = settings.max_deterministic_time
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            all_optimal = False
            break
        solved_once = True
        all_optimal = all_optimal and status == cp_model.OPTIMAL
        values = {key: int(solver.value(var)) for key, var in variables}
        reached = 0
        for tier, weight in group:
            value = int(solver.value(tier.expr))
            objective[tier.name] = tier.constant + value
            reached += weight * value
        model.add(expr <= reached)
    if not solved_once:
        values = {key: 0 for key, _ in variables}
        status_name = UNKNOWN
    else:
        status_name = OPTIMAL if all_optimal else FEASIBLE
    return _result(built, values, status_name, objective, time.perf_counter() - started)


def _result(
    built: _Model,
    values: dict[tuple[int, str, date, str], int],
    status: str,
    objective: dict[str, int],
    seconds: float,
) -> Plan:
    p = built.p
    duties = sorted(
        [Duty(d, h, o, cid) for (cid, d, h), o in built.pinned.items() if d in built.month_days]
        + [Duty(d, h, o, cid) for (cid, o, d, h), v in values.items() if v]
    )
    changes: list[Change] = []
    if p.repair:
        now = {(x.counselor, x.office, x.day, x.half) for x in duties}
        reference = {(r.counselor, r.office, r.day, r.half) for r in p.reference}
        for cid, o, d, h in sorted(reference - now, key=lambda k: (k[2], k[3], k[1], k[0])):
            changes.append(Change(Duty(d, h, o, cid), added=False))
        for cid, o, d, h in sorted(now - reference, key=lambda k: (k[2], k[3], k[1], k[0])):
            changes.append(Change(Duty(d, h, o, cid), added=True))
    gaps = explain(built, duties, status)
    return Plan(
        status=status,
        duties=duties,
        gaps=gaps,
        objective=objective,
        changes=changes,
        weeks=_balance(built, duties),
        seconds=seconds,
        targets=dict(built.targets),
        demanded=list(built.demanded),
    )


def explain(built: _Model, duties: Sequence[Duty], status: str) -> list[Gap]:
    """Every slot short of cover, or without a qualified counsellor, with the reason why.

    The reason is the first that holds: the day was frozen; nobody may serve this office (or
    nobody qualified); everyone who may is unavailable; those available reached their caps
    (weekly caps of qualified counsellors: 'qualified capacity exhausted that week'); they are
    on duty elsewhere then, or in another office that day; the room is full; or the solver
    stopped at its time limit before proving no better roster exists.
    """
    at: dict[tuple[int, date, str], str] = {}
    load_week: dict[tuple[int, date], int] = defaultdict(int)
    load_month: dict[int, int] = defaultdict(int)
    in_slot: dict[tuple[str, date, str], list[int]] = defaultdict(list)
    for duty in duties:
        at[(duty.counselor, duty.day, duty.half)] = duty.office
        load_week[(duty.counselor, week_start(duty.day))] += 1
        load_month[duty.counselor] += 1
        in_slot[(duty.office, duty.day, duty.half)].append(duty.counselor)
    gaps = []
    for o, d, h in built.demanded:
        office = built.offices[o]
        present = in_slot[(o, d, h)]
        missing = office.needed(h) - len(present)
        if missing > 0:
            reason, facts = _reason(built, o, d, h, at, load_week, load_month, status, False)
            gaps.append(Gap(o, d, h, COVERAGE, missing, reason, facts))
        if office.qualified_required and not any(built.qualified(c, d) for c in present):
            reason, facts = _reason(built, o, d, h, at, load_week, load_month, status, True)
            gaps.append(Gap(o, d, h, QUALIFIED, 1, reason, facts))
    return gaps


def _reason(
    built: _Model,
    o: str,
    d: date,
    h: str,
    at: dict[tuple[int, date, str], str],
    load_week: dict[tuple[int, date], int],
    load_month: dict[int, int],
    status: str,
    qualified: bool,
) -> tuple[str, dict[str, int | list[int]]]:
    """Sort the counsellors who might have filled the slot by what kept them away."""
    p = built.p
    eligible = [
        c
        for c in built.counselors.values()
        if o in c.offices and (not qualified or c.qualified_on(d))
    ]
    facts: dict[str, int | list[int]] = {"eligible": len(eligible)}
    if d in p.frozen:
        return FROZEN, facts
    if not eligible:
        return NO_ONE_ELIGIBLE, facts
    available = [c for c in eligible if (d, h) not in c.unavailable and at.get((c.id, d, h)) != o]
    facts["available"] = len(available)
    if not available:
        return NO_ONE_AVAILABLE, facts
    groups = _group_by_obstacle(built, available, o, d, h, at, load_week, load_month)
    facts.update(groups)
    return _reason_of_groups(groups, status, qualified), facts


def _group_by_obstacle(
    built: _Model,
    available: list[Counselor],
    o: str,
    d: date,
    h: str,
    at: dict[tuple[int, date, str], str],
    load_week: dict[tuple[int, date], int],
    load_month: dict[int, int],
) -> dict[str, list[int]]:
    """The available counsellors' ids by the first thing that kept each from the slot."""
    w = week_start(d)
    other_half = PM if h == AM else AM
    groups: dict[str, list[int]] = {
        "busy": [],
        "week_capped": [],
        "month_capped": [],
        "elsewhere_today": [],
        "free": [],
    }
    for c in available:
        if (c.id, d, h) in at:
            groups["busy"].append(c.id)
        elif load_week[(c.id, w)] >= built.week_rhs[(c.id, w)]:
            groups["week_capped"].append(c.id)
        elif load_month[c.id] >= built.month_cap_eff[c.id]:
            groups["month_capped"].append(c.id)
        elif at.get((c.id, d, other_half), o) != o:
            groups["elsewhere_today"].append(c.id)
        else:
            groups["free"].append(c.id)
    return groups


def _reason_of_groups(groups: dict[str, list[int]], status: str, qualified: bool) -> str:
    """The main reason, from how many counsellors each obstacle kept away."""
    if groups["free"]:
        return ROOM_FULL if status == OPTIMAL else TIME_LIMIT
    capped = len(groups["week_capped"]) + len(groups["month_capped"])
    if capped and capped >= max(len(groups["busy"]), len(groups["elsewhere_today"])):
        if qualified and len(groups["week_capped"]) >= len(groups["month_capped"]):
            return QUALIFIED_CAPACITY_EXHAUSTED
        return CAPS
    if len(groups["busy"]) >= len(groups["elsewhere_today"]):
        return NEEDED_ELSEWHERE
    return ONE_OFFICE_A_DAY


def _balance(built: _Model, duties: Iterable[Duty]) -> list[WeekBalance]:
    covered_in: dict[tuple[str, date, str], int] = defaultdict(int)
    for duty in duties:
        covered_in[(duty.office, duty.day, duty.half)] += 1
    result = []
    for w in built.weeks:
        days = [d for d in built.work if week_start(d) == w]
        slots = [(d, h) for d in days for h in HALVES]
        demand = covered = qdemand = 0
        for o, office in built.offices.items():
            for d, h in slots:
                need = office.needed(h)
                demand += need
                covered += min(need, covered_in[(o, d, h)])
                if need and office.qualified_required:
                    qdemand += 1
        capacity = qcapacity = 0
        for cid, c in built.counselors.items():
            if not any(o in built.offices for o in c.offices):
                continue
            free = sum(1 for d, h in slots if (d, h) not in c.unavailable)
            can = min(free, max(0, built.week_rhs[(cid, w)]))
            capacity += can
            if any(c.qualified_on(d) for d in days):
                qcapacity += can
        result.append(WeekBalance(w, demand, capacity, qdemand, qcapacity, covered))
    return result
