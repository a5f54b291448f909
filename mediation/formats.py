"""How the interface writes days and half-days: 2026年12月3日（周四）, 12月3日（周四）, 上午/下午.

Used by the `tongxin` template filters and by services that put a day into a notice, so every
page and message writes a day the same way. Imports only Django's formatting and translation.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

AM, PM = "AM", "PM"


def weekday(day: date) -> str:
    """周一 … 周日 (Mon … Sun in English)."""
    names = (
        pgettext("weekday", "Mon"),
        pgettext("weekday", "Tue"),
        pgettext("weekday", "Wed"),
        pgettext("weekday", "Thu"),
        pgettext("weekday", "Fri"),
        pgettext("weekday", "Sat"),
        pgettext("weekday", "Sun"),
    )
    return names[day.weekday()]


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def long_date(value: date | datetime | None) -> str:
    """2026年12月3日（周四）: the date with its weekday, as the offices write it."""
    if value is None:
        return ""
    day = _as_date(value)
    return _("%(date)s (%(weekday)s)") % {
        "date": date_format(day, "DATE_FORMAT"),
        "weekday": weekday(day),
    }


def long_moment(value: date | datetime | None) -> str:
    """A day as long_date, and a moment of a day with its time: 2026年12月3日（周四） 14:30."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{long_date(local)} {local:%H:%M}"
    return long_date(value)


def short_date(value: date | datetime | None) -> str:
    """12月3日（周四）: for grids and lists where the year is plain from the page."""
    if value is None:
        return ""
    day = _as_date(value)
    return _("%(date)s (%(weekday)s)") % {
        "date": date_format(day, "MONTH_DAY_FORMAT"),
        "weekday": weekday(day),
    }


def half_day(code: str) -> str:
    """上午 or 下午 for a half-day code (AM, PM)."""
    return {AM: _("morning"), PM: _("afternoon")}.get(code, code)


def month_label(value: date) -> str:
    """2026年12月."""
    return date_format(value, "YEAR_MONTH_FORMAT")
