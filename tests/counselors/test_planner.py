"""The pure planner on small hand-made instances whose optimum can be stated."""

from datetime import date, timedelta

from counselors import planner
from counselors.planner import AM, PM, Counselor, Duty, Office, Problem, SolverSettings

# Tests bound the solver by deterministic time, never by the wall clock.
SETTINGS = SolverSettings(max_time_in_seconds=120, max_deterministic_time=10)

MONDAY = date(2026, 6, 1)  # an ordinary June week: Monday 1 to Friday 5, no holiday
WEEK = tuple(MONDAY + timedelta(days=i) for i in range(7))
WEEKDAYS = frozenset(WEEK[:5])


def whole_days(*days: date) -> frozenset:
    return frozenset((day, half) for day in days for half in (AM, PM))


def office(code="XLT", needed=1, qualified=False, capacity=2) -> Office:
    return Office(code, needed, needed, qualified, capacity)


def counselor(cid, offices=("XLT",), week_cap=10, month_cap=40, **fields) -> Counselor:
    return Counselor(cid, tuple(offices), week_cap, month_cap, **fields)


def solve(offices, counselors, days=WEEK, working=WEEKDAYS, **fields) -> planner.Plan:
    problem = Problem(
        days=tuple(days),
        working_days=frozenset(working),
        offices=tuple(offices),
        counselors=tuple(counselors),
        **fields,
    )
    return planner.plan(problem, SETTINGS)


def load(result, cid) -> int:
    return sum(1 for duty in result.duties if duty.counselor == cid)


def test_two_counsellors_cover_a_week_and_share_it_evenly():
    result = solve([office()], [counselor(1), counselor(2)])

    assert result.status == planner.OPTIMAL
    assert result.gaps == []
    assert len(result.duties) == 10
    assert load(result, 1) == load(result, 2) == 5
    assert result.coverage() == {"XLT": (10, 0)}


def test_no_duty_on_a_rest_day_and_none_at_an_office_one_may_not_serve():
    result = solve([office("XLT"), office("PS")], [counselor(1, offices=("XLT",))])

    assert {duty.office for duty in result.duties} == {"XLT"}
    assert all(duty.day in WEEKDAYS for duty in result.duties)
    assert {gap.reason for gap in result.gaps if gap.office == "PS"} == {planner.NO_ONE_ELIGIBLE}


def test_a_qualified_gap_that_cannot_be_avoided_is_proven_and_explained():
    # Ten half-days need a qualified counsellor; the only one may serve three a week.
    people = [
        counselor(1, week_cap=3, qualified_until=date(2030, 1, 1)),
        counselor(2),
        counselor(3),
    ]

    result = solve([office(qualified=True)], people)

    qualified_gaps = [gap for gap in result.gaps if gap.kind == planner.QUALIFIED]
    assert result.status == planner.OPTIMAL
    assert len(qualified_gaps) == 7
    assert {gap.reason for gap in qualified_gaps} == {planner.QUALIFIED_CAPACITY_EXHAUSTED}
    assert [gap for gap in result.gaps if gap.kind == planner.COVERAGE] == []
    assert load(result, 1) == 3


def test_an_expired_qualification_does_not_count():
    people = [counselor(1, qualified_until=date(2026, 6, 2))]

    result = solve([office(qualified=True)], people)

    missing = sorted({gap.day for gap in result.gaps if gap.kind == planner.QUALIFIED})
    assert missing == [date(2026, 6, 3), date(2026, 6, 4), date(2026, 6, 5)]
    assert {gap.reason for gap in result.gaps} == {planner.NO_ONE_ELIGIBLE}


def test_caps_are_pro_rated_for_leave():
    # Weekly cap 4; on leave three of five days, so 4 x 4/10 = 1.6, rounded to 2 half-days.
    leave = whole_days(*WEEK[:3])
    person = counselor(1, week_cap=4, unavailable=leave, on_leave=leave)

    result = solve([office()], [person])

    assert load(result, 1) == 2
    assert {duty.day for duty in result.duties} <= {WEEK[3], WEEK[4]}
    caps = {gap.reason for gap in result.gaps if gap.day in (WEEK[3], WEEK[4])}
    assert caps == {planner.CAPS}


def test_declared_unavailable_half_days_are_respected_but_do_not_reduce_the_cap():
    blocked = whole_days(*WEEK[:3])
    person = counselor(1, week_cap=4, unavailable=blocked)

    result = solve([office()], [person])

    assert load(result, 1) == 4
    assert all(duty.day in (WEEK[3], WEEK[4]) for duty in result.duties)


def test_previous_months_duties_in_the_same_week_use_up_the_weekly_cap():
    # Planning July 2026: Wednesday 1 July starts the month inside the week of Monday 29 June.
    july = tuple(date(2026, 7, 1) + timedelta(days=i) for i in range(31))
    working = frozenset(d for d in (*july, date(2026, 6, 29), date(2026, 6, 30)) if d.weekday() < 5)
    prior = (
        Duty(date(2026, 6, 29), AM, "XLT", 1),
        Duty(date(2026, 6, 29), PM, "XLT", 1),
        Duty(date(2026, 6, 30), AM, "XLT", 1),
    )

    result = solve(
        [office()],
        [counselor(1, week_cap=4, month_cap=80)],
        days=july,
        working=working,
        prior=prior,
    )

    first_week = [duty for duty in result.duties if duty.day <= date(2026, 7, 5)]
    assert len(first_week) == 1


def test_one_office_for_both_half_days_of_a_day_and_one_place_per_half_day():
    people = [counselor(1, offices=("XLT", "PS")), counselor(2, offices=("XLT", "PS"))]

    result = solve([office("XLT"), office("PS")], people)

    places = {}
    for duty in result.duties:
        places.setdefault((duty.counselor, duty.day), set()).add(duty.office)
        assert [d.half for d in result.duties if (d.counselor, d.day) == (duty.counselor, duty.day)]
    assert all(len(offices) == 1 for offices in places.values())
    assert result.gaps == []


def test_room_capacity_limits_how_many_serve_at_once():
    people = [counselor(i) for i in range(1, 5)]

    result = solve([Office("XLT", 3, 3, False, 2)], people)

    per_slot = {}
    for duty in result.duties:
        per_slot[(duty.day, duty.half)] = per_slot.get((duty.day, duty.half), 0) + 1
    assert max(per_slot.values()) == 2
    assert result.gaps == []  # a need above the room's capacity is clipped to it


def test_a_make_up_saturday_needs_cover_and_a_holiday_needs_none():
    # National Day 2026: 1-7 October are holidays, Saturday 10 October is a make-up working day.
    days = tuple(date(2026, 10, 5) + timedelta(days=i) for i in range(7))
    working = frozenset({date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)})

    result = solve([office()], [counselor(1)], days=days, working=working)

    assert sorted({duty.day for duty in result.duties}) == sorted(working)
    assert result.gaps == []


def test_home_office_and_requests_are_preferred_when_cover_allows():
    both = ("XLT", "PS")
    people = [
        counselor(1, offices=both, home_office="PS", week_cap=5),
        counselor(2, offices=both, home_office="PS", week_cap=5),
        counselor(3, offices=both, home_office="XLT", week_cap=5),
        counselor(
            4, offices=both, home_office="XLT", week_cap=5, prefer_off=frozenset({(WEEK[0], AM)})
        ),
    ]

    result = solve([office("XLT"), office("PS")], people)

    assert result.gaps == []
    assert all(duty.office == "PS" for duty in result.duties if duty.counselor in (1, 2))
    assert (WEEK[0], AM) not in {(d.day, d.half) for d in result.duties if d.counselor == 4}
    assert result.objective["home_office"] == 0
    assert result.objective["requests"] == 0


def test_pinned_duties_stay_even_where_the_rules_would_now_refuse_them():
    pinned = (Duty(WEEK[0], AM, "XLT", 1),)
    person = counselor(1, unavailable=whole_days(WEEK[0]))

    result = solve([office()], [person], pinned=pinned)

    assert Duty(WEEK[0], AM, "XLT", 1) in result.duties


def test_repair_after_an_absence_moves_only_the_absent_counsellors_duties():
    people = [counselor(i, offices=("XLT", "PS"), week_cap=5) for i in range(1, 7)]
    offices = [office("XLT"), office("PS")]
    published = solve(offices, people)
    absent = people[0]
    gone = whole_days(WEEK[2], WEEK[3], WEEK[4])
    people[0] = Counselor(
        absent.id,
        absent.offices,
        absent.week_cap,
        absent.month_cap,
        unavailable=gone,
        on_leave=gone,
    )
    frozen = frozenset(WEEK[:2])

    repaired = solve(
        offices,
        people,
        pinned=tuple(d for d in published.duties if d.day in frozen),
        reference=tuple(published.duties),
        frozen=frozen,
        repair=True,
    )

    removed = [c.duty for c in repaired.changes if not c.added]
    added = [c.duty for c in repaired.changes if c.added]
    lost = [d for d in published.duties if d.counselor == 1 and d.day >= WEEK[2]]
    assert sorted(removed) == sorted(lost)
    assert len(added) == len(lost)
    assert {(d.day, d.half, d.office) for d in added} == {(d.day, d.half, d.office) for d in lost}
    assert repaired.gaps == []
    untouched = set(published.duties) - set(lost)
    assert untouched <= set(repaired.duties)


def test_a_from_scratch_plan_moves_far_more_than_a_repair():
    people = [counselor(i, offices=("XLT", "PS"), week_cap=4) for i in range(1, 6)]
    offices = [office("XLT"), office("PS")]
    published = solve(offices, people, reference=())
    gone = whole_days(WEEK[3])
    people[0] = Counselor(1, ("XLT", "PS"), 4, 40, unavailable=gone, on_leave=gone)

    repaired = solve(offices, people, reference=tuple(published.duties), repair=True)

    assert len(repaired.changes) <= 2 * sum(
        1 for d in published.duties if d.counselor == 1 and d.day == WEEK[3]
    )


def test_the_same_problem_gives_the_same_roster():
    people = [
        counselor(i, offices=("XLT", "PS", "DW"), week_cap=3, qualified_until=date(2030, 1, 1))
        for i in range(1, 8)
    ]
    offices = [office("XLT", qualified=True), office("PS"), office("DW")]

    first = solve(offices, people)
    second = solve(offices, people)

    assert first.duties == second.duties
    assert first.objective == second.objective


def test_weekly_balance_shows_demand_against_capacity():
    result = solve([office()], [counselor(1, week_cap=3)])

    (week,) = result.weeks
    assert (week.demand, week.capacity, week.covered) == (10, 3, 3)


def test_a_shortage_names_the_slot_and_why_it_is_short():
    leave = whole_days(WEEK[0])
    result = solve([office()], [counselor(1, unavailable=leave, on_leave=leave)])

    monday = [gap for gap in result.gaps if gap.day == WEEK[0]]
    assert {(gap.office, gap.half, gap.reason) for gap in monday} == {
        ("XLT", AM, planner.NO_ONE_AVAILABLE),
        ("XLT", PM, planner.NO_ONE_AVAILABLE),
    }


def test_tiers_share_a_solve_only_while_their_weights_stay_exact():
    tiers = [planner.Tier(name, None, 0, bound) for name, bound in [("a", 10), ("b", 4), ("c", 9)]]

    (group,) = planner.tier_groups(tiers)

    assert [weight for _, weight in group] == [50, 10, 1]
    big = [planner.Tier("a", None, 0, 2**30), planner.Tier("b", None, 0, 2**30)]
    assert len(planner.tier_groups(big)) == 2
