"""The official calendar and the deadlines it decides: entering a year of the State Council's
notice, recomputing provisional deadlines, the rest-day warning. May import models, audit, clock
and corrections."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..clock import deadlines
from ..formats import long_date
from ..models import Case, OfficialCalendarDay, OfficialCalendarYear, Port, User
from .corrections import recheck_provisional_outcomes
from .errors import field_error

MAKEUP_WORKDAY_NAME = "调休上班"

DEADLINE_FIELDS = ("cooling_off_ends_on", "certificate_window_ends_on", "deadlines_provisional")


def apply_deadlines(case: Case) -> None:
    """Set a case's two legal deadlines from its receipt date (Civil Code art. 1077; DOMAIN.md,
    'The law that sets the clock'), provisional while a year they reach is not loaded. Not saved."""
    if case.received_on is None:
        case.cooling_off_ends_on = case.certificate_window_ends_on = None
        case.deadlines_provisional = False
        return
    years = range(case.received_on.year, case.received_on.year + 2)
    result = deadlines(case.received_on, OfficialCalendarYear.objects.calendar(years))
    case.cooling_off_ends_on = result.cooling_off_ends_on
    case.certificate_window_ends_on = result.certificate_window_ends_on
    case.deadlines_provisional = result.provisional


@transaction.atomic
def recompute_deadlines(*, year: int | None = None) -> int:
    """Recompute the deadlines of divorce cases whose deadlines were provisional, after an
    official calendar year is entered (DOMAIN.md: never guess a year), and re-check the outcomes
    recorded on them (corrections.recheck_provisional_outcomes). Returns how many changed."""
    changed = 0
    cases = list(
        Case.objects.select_for_update().filter(port=Port.DIVORCE, deadlines_provisional=True)
    )
    for case in cases:
        before = tuple(getattr(case, name) for name in DEADLINE_FIELDS)
        apply_deadlines(case)
        if tuple(getattr(case, name) for name in DEADLINE_FIELDS) != before:
            case.save(update_fields=list(DEADLINE_FIELDS))
            changed += 1
    mismatched = recheck_provisional_outcomes(cases)
    audit.record(
        actor=None,
        action="case.deadlines.recompute",
        details={"year": year, "changed": changed, "outcomes_mismatched": len(mismatched)},
    )
    return changed


def rest_day_warning(received_on: date | None) -> str:
    """A receipt date on a rest day is unusual (registries close) but possible: warn, not block."""
    if received_on is None:
        return ""
    calendar = OfficialCalendarYear.objects.calendar([received_on.year])
    if calendar.knows(received_on.year) and calendar.is_rest_day(received_on):
        return _(
            "%(day)s is an official rest day. Please check the date the application was received."
        ) % {"day": long_date(received_on)}
    return ""


class _Refusals:
    """Every problem of a notice, collected by field, so that all of them are shown at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field_name: str, message: str, code: str) -> None:
        self.errors.setdefault(field_name, []).append(ValidationError(message, code=code))

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _check_year(
    existing: OfficialCalendarYear | None, year: int, replace: bool, refusals: _Refusals
) -> None:
    if existing is None:
        return
    if existing.origin != OfficialCalendarYear.Origin.ENTERED:
        refusals.add(
            "year",
            _("The calendar of %(year)s comes with the software and cannot be replaced.")
            % {"year": year},
            "from_package",
        )
    elif not replace:
        refusals.add(
            "year",
            _("The calendar of %(year)s is already loaded. Tick 'replace' to enter it again.")
            % {"year": year},
            "already_loaded",
        )


def _rest_days(
    holidays: list[tuple[date, date, str]], year: int, refusals: _Refusals
) -> dict[date, str]:
    """Every day of every holiday range, with its name; overlapping ranges are refused."""
    rest_days: dict[date, str] = {}
    if not holidays:
        refusals.add("holidays", _("Enter at least one holiday."), "no_holidays")
    for start, end, name in holidays:
        label = _("%(start)s to %(end)s") % {"start": long_date(start), "end": long_date(end)}
        if not name:
            refusals.add(
                "holidays", _("The holiday %(range)s has no name.") % {"range": label}, "no_name"
            )
        if end < start:
            refusals.add(
                "holidays",
                _("The holiday %(range)s ends before it starts.") % {"range": label},
                "ends_before_start",
            )
            continue
        if start.year != year or end.year != year:
            refusals.add(
                "holidays",
                _("The holiday %(range)s is not inside the year %(year)s.")
                % {"range": label, "year": year},
                "outside_year",
            )
            continue
        day = start
        while day <= end:
            if day in rest_days:
                refusals.add(
                    "holidays",
                    _("%(day)s is in two holidays (%(first)s and %(second)s).")
                    % {"day": long_date(day), "first": rest_days[day], "second": name},
                    "overlap",
                )
                break
            rest_days[day] = name
            day += timedelta(days=1)
    return rest_days


def _check_makeup_workdays(
    makeup_workdays: list[date], year: int, rest_days: dict[date, str], refusals: _Refusals
) -> None:
    for day in makeup_workdays:
        if day.year != year:
            refusals.add(
                "makeup_workdays",
                _("The make-up working day %(day)s is not inside the year %(year)s.")
                % {"day": long_date(day), "year": year},
                "outside_year",
            )
        elif day.weekday() < 5:
            refusals.add(
                "makeup_workdays",
                _(
                    "%(day)s is not a Saturday or Sunday: a make-up working day is always a "
                    "weekend day."
                )
                % {"day": long_date(day)},
                "not_weekend",
            )
        elif day in rest_days:
            refusals.add(
                "makeup_workdays",
                _("%(day)s is a make-up working day and also inside the holiday %(name)s.")
                % {"day": long_date(day), "name": rest_days[day]},
                "inside_holiday",
            )


def _store_year(
    *, existing: OfficialCalendarYear | None, year: int, source: str, entered_by: User
) -> OfficialCalendarYear:
    if existing is not None:
        existing.days.all().delete()
        existing.source = source
        existing.entered_by = entered_by
        existing.entered_at = timezone.now()
        existing.save(update_fields=["source", "entered_by", "entered_at"])
        return existing
    try:
        with transaction.atomic():
            return OfficialCalendarYear.objects.create(
                year=year,
                source=source,
                origin=OfficialCalendarYear.Origin.ENTERED,
                entered_by=entered_by,
            )
    except IntegrityError:
        # Another administrator stored the same year a moment ago.
        raise field_error(
            "year",
            _("The calendar of %(year)s was entered meanwhile by someone else.") % {"year": year},
            "already_loaded",
        ) from None


@transaction.atomic
def enter_calendar_year(
    *,
    year: int,
    holidays: Iterable[tuple[date, date, str]],
    makeup_workdays: Iterable[date],
    source: str,
    entered_by: User,
    replace: bool = False,
) -> OfficialCalendarYear:
    """Store one year of the State Council's holiday notice (DOMAIN.md, the clock's law), then
    recompute the provisional deadlines in the same transaction, so they commit with it.

    `holidays` are (first day, last day, name) ranges, both days included, weekend days inside a
    range included; `makeup_workdays` are the weekend days declared working days (调休上班).
    Rules: the source is named; the year is not loaded yet, except that `replace=True` may
    overwrite a year an administrator entered (never one seeded from the package); every day lies
    inside the year; ranges do not end before they start nor overlap; a make-up day is a Saturday
    or Sunday and not inside a holiday. Errors are raised together as one ValidationError keyed
    by field (year, holidays, makeup_workdays, source), each with a code.
    """
    holidays = [(start, end, (name or "").strip()) for start, end, name in holidays]
    makeup_workdays = sorted(set(makeup_workdays))
    source = (source or "").strip()
    refusals = _Refusals()
    if not source:
        refusals.add(
            "source", _("Name the source: the State Council notice and its number."), "no_source"
        )
    existing = OfficialCalendarYear.objects.select_for_update().filter(year=year).first()
    _check_year(existing, year, replace, refusals)
    rest_days = _rest_days(holidays, year, refusals)
    _check_makeup_workdays(makeup_workdays, year, rest_days, refusals)
    refusals.raise_any()

    calendar_year = _store_year(existing=existing, year=year, source=source, entered_by=entered_by)
    OfficialCalendarDay.objects.bulk_create(
        [
            OfficialCalendarDay(
                year=calendar_year, date=day, kind=OfficialCalendarDay.Kind.REST, name=name
            )
            for day, name in sorted(rest_days.items())
        ]
        + [
            OfficialCalendarDay(
                year=calendar_year,
                date=day,
                kind=OfficialCalendarDay.Kind.WORK,
                name=MAKEUP_WORKDAY_NAME,
            )
            for day in makeup_workdays
        ]
    )
    audit.record(
        actor=entered_by,
        action="calendar.enter",
        obj=calendar_year,
        details={"year": year, "replace": replace},
    )
    recompute_deadlines(year=year)
    return calendar_year
