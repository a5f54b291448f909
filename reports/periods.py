"""Reporting periods: a month, a quarter, a year or any run of months; their names in Chinese,
the periods they are compared with, the dashboard's presets and when a scheduled report is due.
Pure: dates in, dates and text out; imports mediation's calendar arithmetic only.

A period is always whole months, from the first day of its first month to the first day of its
last month (`first`, `last`), as every figure is attributed to a month (reports/figures.py).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.calendar import OfficialCalendar, add_months, month_start, months_between


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


# The report kinds, as the archive and the forms name them (a range is not a report).
REPORT_KINDS = (Kind.MONTH, Kind.QUARTER, Kind.YEAR)
KIND_LABELS = {
    Kind.MONTH: gettext_lazy("monthly report"),
    Kind.QUARTER: gettext_lazy("quarterly report"),
    Kind.YEAR: gettext_lazy("annual report"),
    Kind.RANGE: gettext_lazy("statistics"),
}
QUARTER_NAMES = {
    1: gettext_lazy("first quarter"),
    2: gettext_lazy("second quarter"),
    3: gettext_lazy("third quarter"),
    4: gettext_lazy("fourth quarter"),
}


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(day: date) -> date:
    return date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first != month_start(self.first) or self.last != month_start(self.last):
            raise ValueError("a period runs from the first day of a month")
        if self.last < self.first:
            raise ValueError("a period cannot end before it starts")

    # --- what it is -----------------------------------------------------------------------
    @property
    def months(self) -> list[date]:
        return months_between(self.first, self.last)

    @property
    def length(self) -> int:
        return len(self.months)

    @property
    def kind(self) -> Kind:
        if self.first == self.last:
            return Kind.MONTH
        if self.length == 3 and self.first == quarter_start(self.first):
            return Kind.QUARTER
        if self.first == date(self.first.year, 1, 1) and self.last == date(self.first.year, 12, 1):
            return Kind.YEAR
        return Kind.RANGE

    @property
    def key(self) -> tuple[date, date]:
        """The (first, last) pair the tables use as a cell's period."""
        return (self.first, self.last)

    def contains(self, month: date) -> bool:
        return self.first <= month_start(month) <= self.last

    # --- its neighbours -------------------------------------------------------------------
    def previous(self) -> "Period":
        """The period of the same length just before (环比)."""
        return Period(add_months(self.first, -self.length), add_months(self.first, -1))

    def year_before(self) -> "Period":
        """The same months a year earlier (同比)."""
        return Period(add_months(self.first, -12), add_months(self.last, -12))

    def clipped(self, since: date) -> "Period":
        """The part from `since` on (a period cannot start before the rooms opened)."""
        return Period(max(self.first, month_start(since)), self.last)

    # --- its name -------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """2021年8月, 2021年第三季度, 2021年, 2021年3月至2021年8月 (in the active language)."""
        kind = self.kind
        if kind is Kind.MONTH:
            return date_format(self.first, "YEAR_MONTH_FORMAT")
        if kind is Kind.QUARTER:
            return _("%(quarter)s of %(year)s") % {
                "quarter": QUARTER_NAMES[quarter_of(self.first)],
                "year": self.first.year,
            }
        if kind is Kind.YEAR:
            return _("the year %(year)s") % {"year": self.first.year}
        return _("%(first)s to %(last)s") % {
            "first": date_format(self.first, "YEAR_MONTH_FORMAT"),
            "last": date_format(self.last, "YEAR_MONTH_FORMAT"),
        }

    @property
    def slug(self) -> str:
        """2021-08, 2021-Q3, 2021, 2021-03_2021-08: for file names."""
        kind = self.kind
        if kind is Kind.MONTH:
            return f"{self.first:%Y-%m}"
        if kind is Kind.QUARTER:
            return f"{self.first.year}-Q{quarter_of(self.first)}"
        if kind is Kind.YEAR:
            return f"{self.first.year}"
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"


def month(day: date) -> Period:
    return Period(month_start(day), month_start(day))


def quarter(year: int, number: int) -> Period:
    if not 1 <= number <= 4:
        raise ValueError("a year has four quarters")
    first = date(year, 3 * (number - 1) + 1, 1)
    return Period(first, add_months(first, 2))


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 1))


def of_kind(kind: str, day: date) -> Period:
    """The month, quarter or year that `day` falls in."""
    if kind == Kind.MONTH:
        return month(day)
    if kind == Kind.QUARTER:
        return quarter(day.year, quarter_of(day))
    if kind == Kind.YEAR:
        return year(day.year)
    raise ValueError(f"not a report kind: {kind!r}")


def last_full_month(today: date) -> Period:
    """The month before the current one: the last month whose figures are complete."""
    return month(add_months(month_start(today), -1))


# --- The dashboard's presets ----------------------------------------------------------------


class Preset(StrEnum):
    LAST_MONTH = "last_month"
    THIS_QUARTER = "this_quarter"
    THIS_YEAR = "this_year"
    SINCE_OPENING = "since_opening"


PRESET_LABELS = {
    Preset.LAST_MONTH: gettext_lazy("Last month"),
    Preset.THIS_QUARTER: gettext_lazy("This quarter"),
    Preset.THIS_YEAR: gettext_lazy("This year"),
    Preset.SINCE_OPENING: gettext_lazy("Since the rooms opened"),
}


def preset(name: str, today: date, opened: date) -> Period:
    """上月: the last full month. 本季度 and 本年: this quarter and this year so far, the current
    month included (its figures grow day by day). 自开设以来: from the month the first room
    opened to the current month."""
    current = month_start(today)
    if name == Preset.LAST_MONTH:
        return last_full_month(today)
    if name == Preset.THIS_QUARTER:
        return Period(quarter_start(today), current)
    if name == Preset.THIS_YEAR:
        return Period(date(today.year, 1, 1), current)
    if name == Preset.SINCE_OPENING:
        return Period(min(month_start(opened), current), current)
    raise ValueError(f"not a preset: {name!r}")


# --- Scheduled reports ----------------------------------------------------------------------


def due_reports(today: date, calendar: OfficialCalendar) -> list[Period]:
    """The reports the schedule makes on `today`: last month's from the first working day of a
    month; last quarter's from the first working day of a quarter; last year's from the first
    working day of a year. A run missed on that day is made up later in the same month, never
    after it."""
    current = month_start(today)
    if today < calendar.next_working_day(current):
        return []
    due = [month(add_months(current, -1))]
    if current.month in (1, 4, 7, 10):
        previous = add_months(current, -3)
        due.append(quarter(previous.year, quarter_of(previous)))
    if current.month == 1:
        due.append(year(today.year - 1))
    return due
