"""The rotation planner at two scales, against a clerk's greedy round-robin.

Plan and repair times and solver status for 4 offices x 30 counsellors and for 40 offices in
10 cities x 300 counsellors (one model per city); the duties a repair after a five-day absence
changes against a from-scratch re-plan of the same days; and the greedy round-robin baseline:
uncovered half-days, qualified gaps and load spread. Synthetic data, fixed seeds; the official
calendar of 2026 (National Day holiday, make-up Saturday 10 October) from chinese-calendar.
"""

import random
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta

import chinese_calendar

from counselors import planner
from counselors.planner import AM, HALVES, PM, Counselor, Duty, Office, Problem

MONTHS = (date(2026, 10, 1), date(2026, 11, 1))
SEEDS = (1, 2, 3)
SETTINGS = planner.SolverSettings(max_time_in_seconds=30)


def month_days(first: date) -> tuple[date, ...]:
    following = (first + timedelta(days=32)).replace(day=1)
    return tuple(first + timedelta(days=i) for i in range((following - first).days))


def working_days(days) -> frozenset[date]:
    start = planner.week_start(days[0])
    end = planner.week_start(days[-1]) + timedelta(days=6)
    span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return frozenset(d for d in span if chinese_calendar.is_workday(d))


def city(rng: random.Random, prefix: str, offices: int, counselors: int, first: date) -> Problem:
    """One city: offices needing 1-2 counsellors a half-day, most wanting a qualified one;
    counsellors who may serve their home office and up to two more, some on leave."""
    days = month_days(first)
    work = working_days(days)
    codes = [f"{prefix}{i}" for i in range(offices)]
    office_list = tuple(
        Office(code, rng.choice((1, 1, 2)), 1, rng.random() < 0.6, 3) for code in codes
    )
    people = []
    working_in_month = [d for d in days if d in work]
    for i in range(counselors):
        home = codes[i % offices]
        extra = rng.sample([c for c in codes if c != home], min(rng.randint(0, 2), offices - 1))
        qualified = date(2030, 1, 1) if rng.random() < 0.5 else None
        leave = frozenset()
        if rng.random() < 0.15:
            start = rng.randrange(len(working_in_month) - 5)
            leave = frozenset((d, h) for d in working_in_month[start : start + 5] for h in HALVES)
        declared = frozenset(
            (rng.choice(working_in_month), rng.choice(HALVES)) for _ in range(rng.randint(0, 3))
        )
        prefer_off = frozenset(
            (rng.choice(working_in_month), rng.choice(HALVES)) for _ in range(rng.randint(0, 2))
        )
        registry = rng.random() < 0.2
        people.append(
            Counselor(
                id=len(prefix) * 100_000 + sum(map(ord, prefix)) * 1000 + i,
                offices=tuple(sorted({home, *extra})),
                week_cap=6 if registry else 4,
                month_cap=20 if registry else 16,
                home_office=home,
                qualified_until=qualified,
                unavailable=leave | declared,
                on_leave=leave,
                prefer_off=prefer_off,
            )
        )
    return Problem(days=days, working_days=work, offices=office_list, counselors=tuple(people))


# --- the clerk's greedy round-robin ---------------------------------------------------------


def _next_free(people, start, want_qualified, free, d):
    """The next person in the list from `start` who is free; a qualified one first if wanted."""
    for attempt in (True, False) if want_qualified else (False,):
        for k in range(len(people)):
            c = people[(start + k) % len(people)]
            if attempt and not c.qualified_on(d):
                continue
            if free(c):
                return c
    return None


def greedy(problem: Problem) -> list[Duty]:
    """Day by day, office by office, seat by seat: the next person in the office's list who is
    free, allowed and under their (pro-rated) caps; for a seat that needs a qualified counsellor,
    the next qualified one first. No lookahead, no repair."""
    built_caps = planner._Model.__new__(planner._Model)
    built_caps.p = problem
    built_caps.counselors = {c.id: c for c in problem.counselors}
    built_caps.month_days = tuple(sorted(problem.days))
    built_caps.work = [d for d in built_caps.month_days if d in problem.working_days]
    built_caps.slots = [(d, h) for d in built_caps.work for h in HALVES]
    built_caps._caps()
    lists = {
        o.code: sorted((c for c in problem.counselors if o.code in c.offices), key=lambda c: c.id)
        for o in problem.offices
    }
    pointer = dict.fromkeys(lists, 0)
    week_load, month_load = defaultdict(int), defaultdict(int)
    day_office: dict[tuple[int, date], str] = {}
    busy: set[tuple[int, date, str]] = set()
    duties = []
    for d in built_caps.work:
        w = planner.week_start(d)
        for h in (AM, PM):
            for office in problem.offices:
                people = lists[office.code]
                for seat in range(office.needed(h)):
                    want_qualified = office.qualified_required and seat == 0
                    chosen = _next_free(
                        people,
                        pointer[office.code],
                        want_qualified,
                        lambda c, d=d, h=h, w=w, code=office.code: (
                            not (
                                (d, h) in c.unavailable
                                or (c.id, d, h) in busy
                                or day_office.get((c.id, d), code) != code
                                or week_load[(c.id, w)] >= built_caps.week_rhs[(c.id, w)]
                                or month_load[c.id] >= built_caps.month_cap_eff[c.id]
                            )
                        ),
                        d,
                    )
                    if chosen is None:
                        continue
                    pointer[office.code] = (people.index(chosen) + 1) % len(people)
                    busy.add((chosen.id, d, h))
                    day_office[(chosen.id, d)] = office.code
                    week_load[(chosen.id, w)] += 1
                    month_load[chosen.id] += 1
                    duties.append(Duty(d, h, office.code, chosen.id))
    return duties


def measure(problem: Problem, duties) -> dict:
    """Uncovered half-days, qualified gaps and load spread of a roster."""
    counselors = {c.id: c for c in problem.counselors}
    present = defaultdict(list)
    load = defaultdict(int)
    for duty in duties:
        present[(duty.office, duty.day, duty.half)].append(duty.counselor)
        load[duty.counselor] += 1
    uncovered = qualified_gaps = 0
    for office in problem.offices:
        for d in problem.days:
            if d not in problem.working_days:
                continue
            for h in HALVES:
                here = present[(office.code, d, h)]
                uncovered += max(0, office.needed(h) - len(here))
                if office.qualified_required and not any(
                    counselors[c].qualified_on(d) for c in here
                ):
                    qualified_gaps += 1
    loads = [load[c.id] for c in problem.counselors]
    return {
        "uncovered": uncovered,
        "qualified_gaps": qualified_gaps,
        "spread": max(loads) - min(loads),
        "stdev": statistics.pstdev(loads),
    }


# --- runs ----------------------------------------------------------------------------------


def absence_repair(problem: Problem, published: list[Duty], rng: random.Random):
    """The busiest counsellor of the second week is away five working days from its Monday."""
    work = [d for d in problem.days if d in problem.working_days]
    start = work[len(work) // 3]
    window = [d for d in work if d >= start][:5]
    counts = defaultdict(int)
    for duty in published:
        if duty.day in window:
            counts[duty.counselor] += 1
    absent_id = max(sorted(counts), key=lambda c: counts[c])
    gone = frozenset((d, h) for d in window for h in HALVES)
    people = tuple(
        Counselor(
            c.id,
            c.offices,
            c.week_cap,
            c.month_cap,
            c.home_office,
            c.qualified_until,
            c.unavailable | gone,
            c.on_leave | gone,
            c.prefer_off,
            c.prefer_on,
        )
        if c.id == absent_id
        else c
        for c in problem.counselors
    )
    frozen = frozenset(d for d in problem.days if d < start)
    pinned = tuple(d for d in published if d.day in frozen)
    repair = Problem(
        problem.days,
        problem.working_days,
        problem.offices,
        people,
        pinned=pinned,
        reference=tuple(published),
        frozen=frozen,
        repair=True,
    )
    scratch = Problem(
        problem.days, problem.working_days, problem.offices, people, pinned=pinned, frozen=frozen
    )
    repaired = planner.plan(repair, SETTINGS)
    replanned = planner.plan(scratch, SETTINGS)
    before = set(published)
    lost = sum(1 for d in published if d.counselor == absent_id and d.day in window)
    return {
        "repair_seconds": repaired.seconds,
        "repair_status": repaired.status,
        "repair_changes": len(repaired.changes),
        "replan_changes": len(before ^ set(replanned.duties)),
        "lost": lost,
        "repair_people": len({c.duty.counselor for c in repaired.changes}),
    }


def median(values) -> float:
    return statistics.median(values)


def run_small(counselors: int = 30) -> None:
    print(f"\n4 offices x {counselors} counsellors (one city), per month and seed")
    rows = []
    for first in MONTHS:
        for seed in SEEDS:
            rng = random.Random(seed)
            problem = city(rng, "O", 4, counselors, first)
            result = planner.plan(problem, SETTINGS)
            base = measure(problem, greedy(problem))
            mine = measure(problem, result.duties)
            repair = absence_repair(problem, result.duties, rng)
            rows.append((first, seed, result, mine, base, repair))
            print(
                f"  {first:%Y-%m} seed {seed}: plan {result.status} {result.seconds:.2f} s; "
                f"uncovered {mine['uncovered']} vs greedy {base['uncovered']}; qualified gaps "
                f"{mine['qualified_gaps']} vs {base['qualified_gaps']}; load spread "
                f"{mine['spread']} (sd {mine['stdev']:.1f}) vs {base['spread']} "
                f"(sd {base['stdev']:.1f}); repair {repair['repair_status']} "
                f"{repair['repair_seconds']:.2f} s, {repair['repair_changes']} changes "
                f"({repair['lost']} duties lost, {repair['repair_people']} people) vs re-plan "
                f"{repair['replan_changes']}"
            )
    print("  medians:")
    print(
        f"    plan time {median([r[2].seconds for r in rows]):.2f} s, statuses "
        f"{sorted({r[2].status for r in rows})}"
    )
    print(
        f"    repair time {median([r[5]['repair_seconds'] for r in rows]):.2f} s, statuses "
        f"{sorted({r[5]['repair_status'] for r in rows})}"
    )
    print(
        f"    changes: repair {median([r[5]['repair_changes'] for r in rows])}, "
        f"from-scratch re-plan {median([r[5]['replan_changes'] for r in rows])}"
    )
    for key, label in (
        ("uncovered", "uncovered half-days"),
        ("qualified_gaps", "qualified gaps"),
        ("spread", "load spread (max-min)"),
        ("stdev", "load sd"),
    ):
        print(
            f"    {label}: planner {median([r[3][key] for r in rows]):.1f}, greedy "
            f"{median([r[4][key] for r in rows]):.1f}"
        )


def run_large() -> None:
    print("\n40 offices in 10 cities x 300 counsellors (one model per city), per month and seed")
    totals, statuses, worst = [], set(), []
    repairs, repair_changes, replan_changes = [], [], []
    mine_unc, base_unc, mine_q, base_q = [], [], [], []
    for first in MONTHS:
        for seed in SEEDS:
            rng = random.Random(1000 + seed)
            started = time.perf_counter()
            slowest = 0.0
            for k in range(10):
                problem = city(rng, f"C{k}-", 4, 30, first)
                result = planner.plan(problem, SETTINGS)
                statuses.add(result.status)
                slowest = max(slowest, result.seconds)
                mine, base = measure(problem, result.duties), measure(problem, greedy(problem))
                mine_unc.append(mine["uncovered"])
                base_unc.append(base["uncovered"])
                mine_q.append(mine["qualified_gaps"])
                base_q.append(base["qualified_gaps"])
                if k == 0:
                    repair = absence_repair(problem, result.duties, rng)
                    repairs.append(repair["repair_seconds"])
                    repair_changes.append(repair["repair_changes"])
                    replan_changes.append(repair["replan_changes"])
            elapsed = time.perf_counter() - started
            totals.append(elapsed)
            worst.append(slowest)
            print(
                f"  {first:%Y-%m} seed {seed}: 10 cities in {elapsed:.2f} s "
                f"(slowest city {slowest:.2f} s)"
            )
    print("  medians:")
    print(
        f"    all 10 cities {median(totals):.2f} s; slowest city {median(worst):.2f} s; "
        f"statuses {sorted(statuses)}"
    )
    print(
        f"    repair {median(repairs):.2f} s, {median(repair_changes)} changes vs re-plan "
        f"{median(replan_changes)}"
    )
    print(
        f"    per city: uncovered {median(mine_unc)} vs greedy {median(base_unc)}; qualified "
        f"gaps {median(mine_q)} vs greedy {median(base_q)}"
    )


def main() -> None:
    print(__doc__.strip().splitlines()[0])
    planner.plan(city(random.Random(0), "W", 2, 6, MONTHS[1]), SETTINGS)  # import and warm up
    run_small()
    run_small(counselors=16)  # a tight month: fewer people than the offices would like
    run_large()
