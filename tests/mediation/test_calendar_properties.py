"""`period_end` against a second, deliberately plain reading of Civil Code arts. 201 and 203, over
random official calendars and start days (Hypothesis)."""

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mediation.calendar import OfficialCalendar, PeriodEnd, period_end

SATURDAY, SUNDAY = 5, 6


def law_says(
    start: date, days: int, holidays: set[date], makeup: set[date], known_years: set[int]
) -> PeriodEnd:
    """Art. 201: the day of the event is not counted, so the period's day N is `start` + N.
    Art. 203: if day N is a 法定休假日 (an official holiday, or a Saturday or Sunday not declared a
    make-up working day), the period ends on the first day after it that is not one. The answer
    is provisional when any day from day N to the answer falls in a year whose notice is unknown.
    """

    def rest(day: date) -> bool:
        weekend = day.weekday() in (SATURDAY, SUNDAY)
        return day in holidays or (weekend and day not in makeup)

    day_n = start
    for _ in range(days):
        day_n = day_n + timedelta(days=1)
    looked_at = [day_n]
    while rest(looked_at[-1]):
        looked_at.append(looked_at[-1] + timedelta(days=1))
    unknown = [day for day in looked_at if day.year not in known_years]
    return PeriodEnd(day=looked_at[-1], provisional=bool(unknown))


@st.composite
def cases(draw):
    """A start day (often near a year's end), a period length, and a calendar around them: holiday
    blocks, make-up weekend days and a random choice of the years that are loaded."""
    start = draw(
        st.one_of(
            st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
            st.builds(
                lambda year, back: date(year, 12, 31) - timedelta(days=back),
                st.integers(2001, 2098),
                st.integers(0, 45),
            ),
        )
    )
    days = draw(st.sampled_from([1, 2, 7, 15, 30, 60]) | st.integers(1, 120))
    window = [start + timedelta(days=offset) for offset in range(days + 40)]
    holidays: set[date] = set()
    for first in draw(st.lists(st.sampled_from(window), max_size=6)):
        length = draw(st.integers(1, 9))
        holidays.update(first + timedelta(days=i) for i in range(length))
    weekend_days = [day for day in window if day.weekday() >= SATURDAY]
    makeup = (
        set(draw(st.lists(st.sampled_from(weekend_days), max_size=6))) if weekend_days else set()
    )
    years = sorted({day.year for day in window} | {day.year for day in holidays})
    known = set(draw(st.lists(st.sampled_from(years), unique=True)))
    return start, days, holidays, makeup, known


@given(cases())
@example((date(2026, 9, 10), 30, {date(2026, 10, d) for d in range(1, 8)}, set(), {2026}))
@example((date(2026, 12, 1), 30, {date(2026, 12, 31), date(2027, 1, 1)}, set(), {2026}))
@example((date(2026, 12, 3), 30, set(), set(), set()))
def test_period_end_agrees_with_the_civil_code_on_any_calendar(case):
    start, days, holidays, makeup, known = case
    calendar = OfficialCalendar(
        rest_days=frozenset(holidays),
        makeup_workdays=frozenset(makeup),
        loaded_years=frozenset(known),
    )

    assert period_end(start, days, calendar) == law_says(start, days, holidays, makeup, known)


@given(cases())
def test_a_period_ends_on_a_working_day_no_earlier_than_day_n(case):
    start, days, holidays, makeup, known = case
    calendar = OfficialCalendar(
        rest_days=frozenset(holidays),
        makeup_workdays=frozenset(makeup),
        loaded_years=frozenset(known),
    )

    end = period_end(start, days, calendar)

    assert end.day >= start + timedelta(days=days)
    assert calendar.is_working_day(end.day)
    assert calendar.working_days(start + timedelta(days=days), end.day) == [end.day]


@given(st.dates(), st.integers(max_value=0))
def test_a_period_of_no_days_is_refused(start, days):
    with pytest.raises(ValueError, match="at least one day"):
        period_end(start, days, OfficialCalendar())
