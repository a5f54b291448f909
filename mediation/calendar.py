"""The official calendar (rest days, make-up working days) and legal period arithmetic.

Pure: plain dates in and out, no ORM and no Django models. Rows are turned into an
OfficialCalendar by `OfficialCalendarYear.objects.calendar()`.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)
SATURDAY = 5


class YearNotLoaded(Exception):
    """The State Council's calendar of this year is not loaded (DOMAIN.md: never guess it)."""

    def __init__(self, year: int) -> None:
        super().__init__(f"The official calendar for {year} is not loaded.")
        self.year = year


@dataclass(frozen=True)
class OfficialCalendar:
    """The official rest and working days of the years that are loaded.

    rest_days: official public holidays (法定节假日), including the weekend days inside a holiday
    block; makeup_workdays: weekend days declared working days (调休上班); loaded_years: the years
    whose State Council notice is known. For any other year only the weekend rule is applied, and
    callers that must not guess ask `knows(year)` first.
    """

    rest_days: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    loaded_years: frozenset[int] = frozenset()

    def knows(self, year: int) -> bool:
        return year in self.loaded_years

    def is_rest_day(self, day: date) -> bool:
        """法定休假日: an official holiday, or a weekend day that is not a make-up working day."""
        if day in self.rest_days:
            return True
        return day.weekday() >= SATURDAY and day not in self.makeup_workdays

    def is_working_day(self, day: date) -> bool:
        return not self.is_rest_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day on or after `day`."""
        while self.is_rest_day(day):
            day += ONE_DAY
        return day

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from `start` to `end`, both included."""
        days = []
        day = start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += ONE_DAY
        return days

    def require(self, year: int) -> None:
        """Raise YearNotLoaded unless the year's calendar is known."""
        if not self.knows(year):
            raise YearNotLoaded(year)


@dataclass(frozen=True)
class PeriodEnd:
    """The last day of a legal period; provisional when it rests on a year that is not loaded."""

    day: date
    provisional: bool


def period_end(start_exclusive: date, days: int, calendar: OfficialCalendar) -> PeriodEnd:
    """The last day of a period of `days` days that starts after `start_exclusive`.

    Civil Code art. 201: the day of the event is not counted, so day N is start + N.
    Civil Code art. 203: if day N is a rest day (a weekend day that is not a make-up working day,
    or an official public holiday), the period ends on the first working day after it.
    The result is provisional when any year from day N to the final day (inclusive) is not
    loaded: that year was judged by the weekend rule alone (DOMAIN.md, 'The law that sets the
    clock', point 4).
    """
    if days < 1:
        raise ValueError("A legal period lasts at least one day.")
    last = start_exclusive + timedelta(days=days)
    final = calendar.next_working_day(last)
    provisional = any(not calendar.knows(year) for year in range(last.year, final.year + 1))
    return PeriodEnd(day=final, provisional=provisional)


# --- Months -----------------------------------------------------------------------------------


def month_start(day: date) -> date:
    """The first day of the month `day` falls in."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative); the month's last day when the
    target month is shorter (31 January + 1 month = 28 or 29 February)."""
    return day + relativedelta(months=months)


def next_month(day: date) -> date:
    """The first day of the month after the one `day` falls in."""
    return add_months(month_start(day), 1)


def previous_month(day: date) -> date:
    """The first day of the month before the one `day` falls in."""
    return add_months(month_start(day), -1)


def month_days(day: date) -> list[date]:
    """Every day of the month `day` falls in."""
    first = month_start(day)
    return [first + timedelta(days=i) for i in range((next_month(first) - first).days)]


def months_between(first: date, last: date) -> list[date]:
    """The first days of every month from `first`'s to `last`'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months
