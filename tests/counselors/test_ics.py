"""The duty calendar feed: the pure builder (counselors.ics) read back with icalendar, and the
feed address a calendar app subscribes to."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

from django.urls import reverse
from icalendar import Calendar

from counselors import ics
from counselors.services import feed_tokens

BEIJING = ZoneInfo("Asia/Shanghai")
MORNING = ics.FeedDuty(
    uid="duty-7@tongxin",
    starts_at=datetime(2026, 12, 1, 8, 30, tzinfo=BEIJING),
    ends_at=datetime(2026, 12, 1, 12, 0, tzinfo=BEIJING),
    summary="兴隆台区婚姻登记处坐诊",
    location="盘锦市兴隆台区某某路1号, 婚姻登记处二楼; 调解室\\一号",
)
STAMP = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def parsed(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def test_each_duty_is_an_event_with_its_uid_summary_place_and_beijing_times():
    afternoon = ics.FeedDuty(
        uid="duty-8@tongxin",
        # Given in UTC, shown in Beijing time.
        starts_at=datetime(2026, 12, 2, 5, 30, tzinfo=UTC),
        ends_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        summary="双台子区婚姻登记处坐诊",
        location="双台子区婚姻登记处",
    )

    calendar = parsed(
        ics.duty_calendar(name="李咨询的排班", duties=[MORNING, afternoon], stamp=STAMP)
    )

    events = calendar.events
    assert [str(e.uid) for e in events] == ["duty-7@tongxin", "duty-8@tongxin"]
    assert [e.start for e in events] == [MORNING.starts_at, afternoon.starts_at]
    assert [e.end for e in events] == [MORNING.ends_at, afternoon.ends_at]
    assert {str(e.start.tzinfo) for e in events} | {str(e.end.tzinfo) for e in events} == {
        "Asia/Shanghai"
    }
    assert events[1].start.hour == 13  # 05:30 UTC is 13:30 in Beijing
    assert [str(e["summary"]) for e in events] == [MORNING.summary, afternoon.summary]
    assert str(events[0]["location"]) == MORNING.location  # commas, semicolons, backslashes
    assert events[0].DTSTAMP == STAMP
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]


def test_the_calendar_carries_its_name_zone_and_publishing_method():
    body = ics.duty_calendar(name="李咨询, 王咨询; 排班", duties=[], stamp=STAMP)

    calendar = parsed(body)

    assert str(calendar["prodid"]) == ics.PRODID
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["method"]) == "PUBLISH"
    # An extension property: icalendar reads it back as written, with RFC 5545's escapes.
    assert str(calendar["x-wr-calname"]) == r"李咨询\, 王咨询\; 排班"
    assert str(calendar["x-wr-timezone"]) == "Asia/Shanghai"
    assert calendar.events == []


def test_long_lines_are_folded_at_75_octets_and_lines_end_in_crlf():
    long_place = "盘锦市兴隆台区" * 20
    duty = ics.FeedDuty(
        uid=MORNING.uid,
        starts_at=MORNING.starts_at,
        ends_at=MORNING.ends_at,
        summary=MORNING.summary,
        location=long_place,
    )

    body = ics.duty_calendar(name="排班", duties=[duty], stamp=STAMP)

    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert str(parsed(body).events[0]["location"]) == long_place


def feed(client, profile):
    return client.get(reverse("counselors:duty-feed", args=[feed_tokens.feed_token(profile)]))


def test_the_feed_needs_no_sign_in_and_lists_the_published_duties(client, upcoming, team):
    response = feed(client, team[0])

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    calendar = parsed(response.content)
    duties = upcoming.duties.filter(counselor=team[0]).select_related("office")
    assert {str(e.uid) for e in calendar.events} == {f"duty-{d.pk}@tongxin" for d in duties}
    morning = duties.filter(half_day="AM").first()
    event = next(e for e in calendar.events if str(e.uid) == f"duty-{morning.pk}@tongxin")
    assert event.start == datetime.combine(morning.day, datetime.min.time(), BEIJING) + timedelta(
        hours=8, minutes=30
    )
    assert str(event.start.tzinfo) == "Asia/Shanghai"
    assert str(event["summary"]) == f"{morning.office.display_name}坐诊"
    assert str(calendar["x-wr-calname"]) == "李咨询的排班"
