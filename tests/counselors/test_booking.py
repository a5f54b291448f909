"""Booking sessions into duty slots: only inside published duty, continuity of care first, and
never twice for one counsellor at one time, even at the same moment (both engines)."""

import threading
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counselors.services import booking
from mediation import services as mediation_services
from mediation.models import CounselingSession, Notice, OutcomeKind, Room
from tests.factories import open_divorce_case
from tests.helpers import error_codes
from tests.sign_in import TongxinClient

THREADS = 12


@pytest.fixture
def case(upcoming, counselor, xlt):
    return open_divorce_case(xlt, counselor)


def first_duty(roster, user, office):
    return roster.duties.filter(counselor__user=user, office=office).earliest("day", "half_day")


def room(office, name="调解室一"):
    return Room.objects.get_or_create(office=office, name=name)[0]


def book(case, counselor, starts_at, room_name="调解室一"):
    return booking.book_into_duty(
        case=case,
        lead_counselor=counselor,
        starts_at=starts_at,
        kind="joint",
        room=room(case.office, room_name),
        booked_by=counselor,
    )


def slot(counselor, duty):
    return f"{counselor.pk}|{duty.starts_at().isoformat()}"


def test_a_session_is_booked_with_the_counsellor_on_duty(upcoming, case, counselor, xlt):
    duty = first_duty(upcoming, counselor, xlt)

    session = book(case, counselor, duty.starts_at())

    assert session.lead_counselor == counselor
    assert session.office == xlt


def test_booking_outside_duty_is_refused(upcoming, case, counselor, xlt):
    duty = first_duty(upcoming, counselor, xlt)
    off_duty = [
        duty.starts_at() - timedelta(hours=1),  # before the morning or afternoon starts
        duty.ends_at() - timedelta(minutes=20),  # would run past the end of duty
    ]
    on_days = set(upcoming.duties.filter(counselor__user=counselor).values_list("day", flat=True))
    free_day = next(d for d in upcoming.duties.values_list("day", flat=True) if d not in on_days)
    off_duty.append(duty.starts_at().replace(day=free_day.day, month=free_day.month))

    for moment in off_duty:
        with pytest.raises(ValidationError) as error:
            book(case, counselor, moment)
        assert error_codes(error.value) == {"outside_duty"}, moment
    assert not CounselingSession.objects.exists()


def test_a_slot_booked_already_is_refused_as_taken(upcoming, case, counselor, xlt):
    duty = first_duty(upcoming, counselor, xlt)
    book(case, counselor, duty.starts_at())
    other_case = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as error:
        book(other_case, counselor, duty.starts_at(), room_name="调解室二")

    assert error_codes(error.value) == {"slot_taken"}
    assert error.value.messages == ["该时段已被预约。"]


def test_the_counsellor_the_couple_has_seen_comes_first(upcoming, case, counselor, team, xlt):
    colleague = team[2].user
    mediation_services.assign_counselor(case=case, counselor=colleague, assigned_by=counselor)
    duty = first_duty(upcoming, colleague, xlt)
    book(case, colleague, duty.starts_at())

    slots = booking.booking_slots(case=case, days=40)

    seen = [slot for slot in slots if slot.continuity]
    assert seen
    assert all(slot.duty.counselor.user == colleague for slot in seen)
    assert slots[: len(seen)] == seen
    assert duty.starts_at() not in {
        s.starts_at for s in slots if s.duty.counselor.user == colleague
    }


def test_the_booking_page_offers_duty_slots_and_books_one(client, upcoming, case, counselor, xlt):
    client.force_login(counselor)
    url = reverse("counselors:case-book", args=[case.uuid])
    duty = first_duty(upcoming, counselor, xlt)

    page = client.get(url)
    response = client.post(
        url,
        {
            "slot": slot(counselor, duty),
            "kind": "joint",
            "room": room(xlt).pk,
            "week": duty.day.isoformat(),
        },
    )

    assert page.status_code == HTTPStatus.OK
    assert response.status_code == HTTPStatus.FOUND
    assert CounselingSession.objects.get().starts_at == duty.starts_at()


def test_a_closed_case_offers_no_booking_and_says_it_is_closed(
    client, upcoming, case, counselor, xlt
):
    mediation_services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 10), recorded_by=counselor
    )
    client.force_login(counselor)
    url = reverse("counselors:case-book", args=[case.uuid])
    duty = first_duty(upcoming, counselor, xlt)

    page = client.get(url)
    posted = client.post(
        url, {"slot": slot(counselor, duty), "kind": "joint", "room": room(xlt).pk}
    )

    assert page.status_code == posted.status_code == HTTPStatus.OK
    assert "已结案" in page.text
    assert 'name="slot"' not in page.text
    assert not CounselingSession.objects.exists()


def test_a_slot_taken_since_the_page_was_drawn_is_refused_with_a_message(
    client, upcoming, case, counselor, xlt
):
    client.force_login(counselor)
    url = reverse("counselors:case-book", args=[case.uuid])
    duty = first_duty(upcoming, counselor, xlt)
    book(open_divorce_case(xlt, counselor), counselor, duty.starts_at())

    response = client.post(
        url,
        {
            "slot": slot(counselor, duty),
            "kind": "joint",
            "room": room(xlt, "调解室二").pk,
            "week": duty.day.isoformat(),
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "该时段已被预约" in response.text
    assert CounselingSession.objects.count() == 1


def test_a_counsellor_taken_off_the_case_since_the_page_was_drawn_is_no_longer_offered(
    client, upcoming, case, counselor, supervisor, xlt
):
    client.force_login(supervisor)
    duty = first_duty(upcoming, counselor, xlt)
    mediation_services.unassign_counselor(case=case, counselor=counselor, unassigned_by=supervisor)

    response = client.post(
        reverse("counselors:case-book", args=[case.uuid]),
        {
            "slot": slot(counselor, duty),
            "kind": "joint",
            "room": room(xlt).pk,
            "week": duty.day.isoformat(),
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["slot"]
    assert CounselingSession.objects.count() == 0


def test_someone_not_on_the_case_gets_404_on_its_booking_page(client, case, other_counselor):
    client.force_login(other_counselor)

    response = client.get(reverse("counselors:case-book", args=[case.uuid]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def at_the_same_moment(count, action):
    """Run `action(i)` in `count` threads released together, each on its own connection;
    returns what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = action(i)
        except Exception as error:  # every outcome is asserted on by the caller
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_bookings_of_one_slot_at_the_same_moment_leave_exactly_one(
    upcoming, case, counselor, xlt
):
    duty = first_duty(upcoming, counselor, xlt)
    for i in range(THREADS):
        room(xlt, f"调解室{i}")

    outcomes = at_the_same_moment(
        THREADS, lambda i: book(case, counselor, duty.starts_at(), room_name=f"调解室{i}")
    )

    booked = [o for o in outcomes if isinstance(o, CounselingSession)]
    refused = [o for o in outcomes if not isinstance(o, CounselingSession)]
    assert len(booked) == 1
    assert all(isinstance(o, ValidationError) for o in refused), refused
    assert {code for o in refused for code in error_codes(o)} == {"slot_taken"}
    assert CounselingSession.objects.filter(lead_counselor=counselor).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_people_booking_one_slot_on_the_page_get_one_session_and_a_message_each(
    upcoming, case, counselor, xlt
):
    url = reverse("counselors:case-book", args=[case.uuid])
    duty = first_duty(upcoming, counselor, xlt)
    rooms = [room(xlt, f"调解室{i}").pk for i in range(THREADS)]
    clients = []
    for _ in range(THREADS):
        browser = TongxinClient()
        browser.force_login(counselor)
        clients.append(browser)

    responses = at_the_same_moment(
        THREADS,
        lambda i: clients[i].post(
            url,
            {
                "slot": slot(counselor, duty),
                "kind": "joint",
                "room": rooms[i],
                "week": duty.day.isoformat(),
            },
        ),
    )

    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == [HTTPStatus.OK] * (THREADS - 1) + [HTTPStatus.FOUND]
    refused = [r for r in responses if r.status_code == HTTPStatus.OK]
    assert all("该时段已被预约" in r.text for r in refused)
    assert CounselingSession.objects.filter(lead_counselor=counselor).count() == 1


def test_the_booking_page_is_a_week_grid_with_weekdays_half_days_and_free_places(
    client, upcoming, case, counselor, xlt
):
    duty = first_duty(upcoming, counselor, xlt)
    client.force_login(counselor)

    page = client.get(reverse("counselors:case-book", args=[case.uuid]), {"week": str(duty.day)})

    html = page.text
    assert 'data-testid="week-grid"' in html
    assert "（周一）" in html
    assert "上午" in html
    assert "下午" in html
    assert "个空闲时段" in html
    assert "间空闲" in html
    cell = f'data-testid="cell-{duty.day:%Y-%m-%d}-{duty.half_day}"'
    assert cell in html
    assert slot(counselor, duty) in html
    assert "调解室一" in html
    assert "调解室二" in html


def test_an_unpublished_month_says_when_it_will_be_and_offers_to_ask_for_more_duty(
    client, published, counselor, civil_affairs, xlt
):
    case = open_divorce_case(xlt, counselor)
    client.force_login(counselor)
    url = reverse("counselors:case-book", args=[case.uuid])

    page = client.get(url, {"week": "2026-12-07"})
    asked = client.post(
        reverse("counselors:extra-duty", args=["XLT"]), {"month": "2026-12", "next": url}
    )
    again = client.post(reverse("counselors:extra-duty", args=["XLT"]), {"month": "2026-12"})

    assert "2026年12月的排班尚未发布，预计于2026年11月25日（周三）前发布" in page.text
    assert "申请加派" in page.text
    assert asked.status_code == HTTPStatus.FOUND
    assert asked["Location"] == url
    notice = Notice.objects.get(recipient=civil_affairs)
    assert "兴隆台区婚姻登记处申请加派2026年12月的坐诊" in notice.text
    assert again.status_code == HTTPStatus.FOUND
    assert Notice.objects.filter(recipient=civil_affairs).count() == 1


def queries_for(client, url, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data).status_code == HTTPStatus.OK
    return len(queries)


def test_the_booking_page_costs_as_many_queries_for_twice_the_bookings(
    client, upcoming, case, counselor, team, xlt
):
    url = reverse("counselors:case-book", args=[case.uuid])
    week = {"week": "2026-12-07"}
    client.force_login(counselor)
    duties = list(
        upcoming.duties.filter(office=xlt, day__gte="2026-12-07", day__lte="2026-12-11")
        .exclude(counselor__user=counselor)
        .order_by("day", "half_day")
    )

    def book_one(duty, name):
        book(
            open_divorce_case(xlt, duty.counselor.user), duty.counselor.user, duty.starts_at(), name
        )

    book_one(duties[0], "调解室二")
    few = queries_for(client, url, week)
    for duty in duties[1:3]:
        book_one(duty, "调解室二")

    assert queries_for(client, url, week) == few
