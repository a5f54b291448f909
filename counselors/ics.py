"""A counsellor's duty as an iCalendar feed (RFC 5545), built with the icalendar library, which
does the escaping, line folding and time zones. Pure: plain values in, bytes out; no ORM, no Django.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText

PRODID = "-//Tongxin//Duty//ZH"
TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class FeedDuty:
    """One half-day of duty as a calendar event: aware start and end, the words to show."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str


def duty_calendar(
    *, name: str, duties: Iterable[FeedDuty], stamp: datetime, time_zone: str = TIME_ZONE
) -> bytes:
    """The published calendar: one event per duty, with its times in `time_zone` (and that zone's
    definition inside the calendar, so every calendar app shows Beijing time)."""
    zone = ZoneInfo(time_zone)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Calendar apps read the subscription's name and zone from these two extension properties.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", vText(time_zone))
    for duty in duties:
        event = Event()
        event.add("uid", duty.uid)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("dtstart", duty.starts_at.astimezone(zone))
        event.add("dtend", duty.ends_at.astimezone(zone))
        event.add("summary", duty.summary)
        event.add("location", duty.location)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()  # icalendar leaves this method unannotated
    return body
