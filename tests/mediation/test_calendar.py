"""The official calendar: rest days, make-up working days and the counting of legal periods."""

from datetime import date

import pytest

from mediation.calendar import OfficialCalendar, YearNotLoaded, period_end
from mediation.models import OfficialCalendarDay, OfficialCalendarYear

# A small calendar by hand: 2026's National Day block and its two make-up working days.
NATIONAL_DAY_2026 = OfficialCalendar(
    rest_days=frozenset(date(2026, 10, day) for day in range(1, 8)),
    makeup_workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
    loaded_years=frozenset({2026}),
)


def test_a_holiday_on_a_weekday_is_a_rest_day():
    assert NATIONAL_DAY_2026.is_rest_day(date(2026, 10, 1))
    assert not NATIONAL_DAY_2026.is_working_day(date(2026, 10, 1))


def test_a_make_up_sunday_is_a_working_day_and_an_ordinary_sunday_is_not():
    assert NATIONAL_DAY_2026.is_working_day(date(2026, 9, 20))
    assert NATIONAL_DAY_2026.is_rest_day(date(2026, 9, 13))


def test_next_working_day_skips_the_whole_holiday_block():
    assert NATIONAL_DAY_2026.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert NATIONAL_DAY_2026.next_working_day(date(2026, 10, 8)) == date(2026, 10, 8)


def test_working_days_counts_both_ends_and_the_make_up_saturday():
    days = NATIONAL_DAY_2026.working_days(date(2026, 10, 6), date(2026, 10, 12))

    assert days == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)]


def test_a_year_not_loaded_is_judged_by_the_weekend_rule_and_is_not_known():
    assert not NATIONAL_DAY_2026.knows(2027)
    assert NATIONAL_DAY_2026.is_working_day(date(2027, 1, 1))  # a Friday; the notice may differ
    assert NATIONAL_DAY_2026.is_rest_day(date(2027, 1, 2))
    with pytest.raises(YearNotLoaded) as refused:
        NATIONAL_DAY_2026.require(2027)
    assert refused.value.year == 2027


def test_the_start_day_is_not_counted():
    end = period_end(date(2026, 7, 6), 30, NATIONAL_DAY_2026)

    assert end.day == date(2026, 8, 5)
    assert not end.provisional


def test_a_last_day_on_a_make_up_saturday_is_not_moved():
    end = period_end(date(2026, 9, 10), 30, NATIONAL_DAY_2026)

    assert end.day == date(2026, 10, 10)
    assert end.day.weekday() == 5
    assert not end.provisional


def test_a_holiday_that_starts_on_the_last_day_moves_it_past_the_whole_block():
    end = period_end(date(2026, 9, 1), 30, NATIONAL_DAY_2026)

    assert end.day == date(2026, 10, 8)
    assert not end.provisional


def test_moving_a_last_day_into_a_year_not_loaded_makes_it_provisional():
    calendar = OfficialCalendar(
        rest_days=frozenset({date(2026, 12, 31)}), loaded_years=frozenset({2026})
    )

    end = period_end(date(2026, 12, 1), 30, calendar)

    assert end.day == date(2027, 1, 1)
    assert end.provisional


def test_a_last_day_in_a_year_not_loaded_is_provisional_even_on_a_weekday():
    end = period_end(date(2026, 12, 2), 30, NATIONAL_DAY_2026)

    assert end.day == date(2027, 1, 1)
    assert end.provisional


# The stored calendar, seeded from the chinese-calendar package.


def test_the_package_years_2004_to_2026_are_seeded_and_2027_is_not(db):
    years = set(OfficialCalendarYear.objects.values_list("year", flat=True))

    assert set(range(2004, 2027)) <= years
    assert 2027 not in years
    assert OfficialCalendarYear.objects.get(year=2026).origin == OfficialCalendarYear.Origin.PACKAGE
    assert OfficialCalendarYear.objects.get(year=2026).source.startswith("chinese-calendar ")


def test_the_seeded_2026_calendar_is_the_one_domain_md_describes(db):
    calendar = OfficialCalendarYear.objects.calendar([2026])

    assert all(calendar.is_rest_day(date(2026, 10, day)) for day in range(1, 8))
    assert calendar.is_working_day(date(2026, 9, 20))
    assert calendar.is_working_day(date(2026, 10, 10))
    assert calendar.loaded_years == {2026}
    assert OfficialCalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert OfficialCalendarDay.objects.get(date=date(2026, 10, 10)).name == "调休上班"


def test_a_weekend_day_the_package_leaves_out_of_a_holiday_block_is_filled_in(db):
    assert OfficialCalendarDay.objects.get(date=date(2011, 6, 5)).name == "端午"


def test_reading_the_whole_calendar_takes_two_queries(db, django_assert_num_queries):
    with django_assert_num_queries(2):
        calendar = OfficialCalendarYear.objects.calendar()

    assert calendar.knows(2004)
    assert calendar.knows(2026)
    assert not calendar.knows(2027)
