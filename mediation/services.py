"""Every change of state with a rule in the core app: one keyword-only function, one transaction.

Views and management commands call these; they may import models, the pure modules and signals.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OfficialCalendarDay, OfficialCalendarYear, User
from .signals import calendar_year_entered

MAKEUP_WORKDAY_NAME = "调休上班"


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
    """Store one year of the State Council's holiday notice (DOMAIN.md, the clock's law).

    `holidays` are (first day, last day, name) ranges, both days included, weekend days inside a
    range included; `makeup_workdays` are the weekend days declared working days (调休上班).
    Rules: the source is named; the year is not loaded yet, except that `replace=True` may
    overwrite a year an administrator entered (never one seeded from the package); every day lies
    inside the year; ranges do not end before they start nor overlap; a make-up day is a Saturday
    or Sunday and not inside a holiday. Errors are raised together as one ValidationError keyed
    by field (year, holidays, makeup_workdays, source). Sends `calendar_year_entered(year=...)`
    at the end, inside the transaction, so recomputed deadlines commit with the calendar.
    """
    holidays = [(start, end, (name or "").strip()) for start, end, name in holidays]
    makeup_workdays = sorted(set(makeup_workdays))
    source = (source or "").strip()
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not source:
        refuse("source", _("Name the source: the State Council notice and its number."))

    existing = OfficialCalendarYear.objects.select_for_update().filter(year=year).first()
    if existing is not None:
        if existing.origin != OfficialCalendarYear.Origin.ENTERED:
            refuse(
                "year",
                _("The calendar of %(year)s comes with the software and cannot be replaced.")
                % {"year": year},
            )
        elif not replace:
            refuse(
                "year",
                _("The calendar of %(year)s is already loaded. Tick 'replace' to enter it again.")
                % {"year": year},
            )

    rest_days: dict[date, str] = {}
    if not holidays:
        refuse("holidays", _("Enter at least one holiday."))
    for start, end, name in holidays:
        label = _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
        if not name:
            refuse("holidays", _("The holiday %(range)s has no name.") % {"range": label})
        if end < start:
            refuse("holidays", _("The holiday %(range)s ends before it starts.") % {"range": label})
            continue
        if start.year != year or end.year != year:
            refuse(
                "holidays",
                _("The holiday %(range)s is not inside the year %(year)s.")
                % {"range": label, "year": year},
            )
            continue
        day = start
        while day <= end:
            if day in rest_days:
                refuse(
                    "holidays",
                    _("%(day)s is in two holidays (%(first)s and %(second)s).")
                    % {"day": day.isoformat(), "first": rest_days[day], "second": name},
                )
                break
            rest_days[day] = name
            day += timedelta(days=1)

    for day in makeup_workdays:
        if day.year != year:
            refuse(
                "makeup_workdays",
                _("The make-up working day %(day)s is not inside the year %(year)s.")
                % {"day": day.isoformat(), "year": year},
            )
        elif day.weekday() < 5:
            refuse(
                "makeup_workdays",
                _(
                    "%(day)s is not a Saturday or Sunday: a make-up working day is always a "
                    "weekend day."
                )
                % {"day": day.isoformat()},
            )
        elif day in rest_days:
            refuse(
                "makeup_workdays",
                _("%(day)s is a make-up working day and also inside the holiday %(name)s.")
                % {"day": day.isoformat(), "name": rest_days[day]},
            )

    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    if existing is not None:
        existing.days.all().delete()
        existing.source = source
        existing.entered_by = entered_by
        existing.entered_at = now
        existing.save(update_fields=["source", "entered_by", "entered_at"])
        calendar_year = existing
    else:
        try:
            with transaction.atomic():
                calendar_year = OfficialCalendarYear.objects.create(
                    year=year,
                    source=source,
                    origin=OfficialCalendarYear.Origin.ENTERED,
                    entered_by=entered_by,
                )
        except IntegrityError:
            # Another administrator stored the same year a moment ago.
            raise ValidationError(
                {
                    "year": _("The calendar of %(year)s was entered meanwhile by someone else.")
                    % {"year": year}
                },
                code="already_loaded",
            ) from None

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
    calendar_year_entered.send(sender=OfficialCalendarYear, year=year)
    return calendar_year
