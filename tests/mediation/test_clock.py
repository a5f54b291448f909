"""The cooling-off clock agrees with DOMAIN.md's worked examples and with the official calendar."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from mediation.clock import Deadlines, deadlines, next_deadline
from mediation.models import OfficialCalendarYear
from mediation.services import enter_calendar_year


@pytest.fixture
def calendar(db):
    return OfficialCalendarYear.objects.calendar()


@pytest.mark.parametrize(
    ("received", "cooling_off_ends", "certificate_window_ends"),
    [
        # day 30 is National Day -> Thu 8 Oct; day 30 of the window is Sat 7 Nov -> Mon 9 Nov
        (date(2026, 9, 1), date(2026, 10, 8), date(2026, 11, 9)),
        # Wed 1 Apr stays; day 30 of the window is Labour Day (1-5 May) -> Wed 6 May
        (date(2026, 3, 2), date(2026, 4, 1), date(2026, 5, 6)),
        # two ordinary weekdays
        (date(2026, 7, 6), date(2026, 8, 5), date(2026, 9, 4)),
    ],
)
def test_the_worked_examples_of_domain_md(
    calendar, received, cooling_off_ends, certificate_window_ends
):
    assert deadlines(received, calendar) == Deadlines(
        received_on=received,
        cooling_off_ends_on=cooling_off_ends,
        certificate_window_ends_on=certificate_window_ends,
        provisional=False,
    )


def test_a_cooling_off_period_ending_on_a_make_up_working_saturday_is_not_moved(calendar):
    result = deadlines(date(2021, 4, 8), calendar)

    assert result.cooling_off_ends_on == date(2021, 5, 8)  # 调休上班 after Labour Day 2021
    assert result.cooling_off_ends_on.weekday() == 5


def test_a_day_30_on_the_first_day_of_spring_festival_moves_past_the_whole_festival(calendar):
    assert deadlines(date(2026, 1, 16), calendar).cooling_off_ends_on == date(2026, 2, 24)


def test_deadlines_crossing_new_year_into_a_year_not_loaded_are_provisional(calendar):
    result = deadlines(date(2026, 12, 15), calendar)

    assert result.cooling_off_ends_on == date(2027, 1, 14)
    assert result.provisional


def test_only_the_certificate_window_in_the_next_year_is_enough_to_be_provisional(calendar):
    result = deadlines(date(2026, 11, 10), calendar)

    assert result.cooling_off_ends_on == date(2026, 12, 10)
    assert result.certificate_window_ends_on == date(2027, 1, 11)
    assert result.provisional


def test_entering_2027_makes_the_deadlines_final_and_moves_those_on_its_holidays(civil_affairs):
    before = {
        day: deadlines(day, OfficialCalendarYear.objects.calendar())
        for day in (date(2026, 12, 2), date(2026, 12, 8))
    }
    enter_calendar_year(
        year=2027,
        holidays=[
            (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
            (date(2027, 2, 6), date(2027, 2, 14), "春节"),
        ],
        makeup_workdays=[date(2027, 2, 20)],
        source="国务院办公厅关于2027年部分节假日安排的通知（测试）",
        entered_by=civil_affairs,
    )
    calendar = OfficialCalendarYear.objects.calendar()
    after = {day: deadlines(day, calendar) for day in before}

    # Fri 1 Jan 2027 looked like a working day until New Year's Day was known.
    assert before[date(2026, 12, 2)].cooling_off_ends_on == date(2027, 1, 1)
    assert before[date(2026, 12, 2)].provisional
    assert after[date(2026, 12, 2)].cooling_off_ends_on == date(2027, 1, 4)
    # Sat 6 Feb 2027 would have moved to Monday 8 Feb; the Spring Festival moves it to 15 Feb.
    assert before[date(2026, 12, 8)].certificate_window_ends_on == date(2027, 2, 8)
    assert after[date(2026, 12, 8)].certificate_window_ends_on == date(2027, 2, 15)
    assert not any(result.provisional for result in after.values())


def independent_period_end(start: date, days: int) -> date:
    """Art. 201/203 counted with the chinese-calendar package itself, not with our code."""
    day = start + timedelta(days=days)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def test_the_clock_agrees_with_the_law_for_every_receipt_date_in_2021_to_2026(calendar):
    checked = 0
    day = date(2021, 1, 1)
    while day <= date(2026, 12, 31):
        try:
            cooling_off = independent_period_end(day, 30)
            window = independent_period_end(cooling_off, 30)
        except NotImplementedError:  # the deadlines leave the years the package knows
            day += timedelta(days=1)
            continue
        assert deadlines(day, calendar) == Deadlines(day, cooling_off, window, False), day
        checked += 1
        day += timedelta(days=1)

    assert checked > 365 * 6 - 70


def test_the_next_deadline_is_the_cooling_off_end_until_it_has_passed():
    cooling_off, window = date(2026, 10, 8), date(2026, 11, 9)

    assert next_deadline(date(2026, 10, 8), cooling_off, window) == cooling_off
    assert next_deadline(date(2026, 10, 9), cooling_off, window) == window
    assert next_deadline(date(2026, 10, 9), None, None) is None
