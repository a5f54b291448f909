"""Booking sessions into duty slots: only inside published duty, continuity of care first, and
never twice for one counsellor at one time, even at the same moment (both engines)."""

import threading
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from counselors import services
from mediation.models import CounselingSession
from tests.factories import open_divorce_case


@pytest.fixture
def case(upcoming, counselor, xlt):
    return open_divorce_case(xlt, counselor)


def first_duty(roster, user, office):
    return roster.duties.filter(counselor__user=user, office=office).earliest("day", "half_day")


def test_a_session_is_booked_with_the_counsellor_on_duty(upcoming, case, counselor, xlt):
    duty = first_duty(upcoming, counselor, xlt)

    session = services.book_into_duty(
        case=case,
        lead_counselor=counselor,
        starts_at=duty.starts_at(),
        kind="joint",
        room="调解室一",
        booked_by=counselor,
    )

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
            services.book_into_duty(
                case=case,
                lead_counselor=counselor,
                starts_at=moment,
                kind="joint",
                room="调解室一",
                booked_by=counselor,
            )
        assert error.value.code == "outside_duty", moment
    assert not CounselingSession.objects.exists()


def test_the_counsellor_the_couple_has_seen_comes_first(upcoming, case, counselor, team, xlt):
    from mediation import services as mediation_services

    colleague = team[2].user
    mediation_services.assign_counselor(case=case, counselor=colleague, assigned_by=counselor)
    duty = first_duty(upcoming, colleague, xlt)
    services.book_into_duty(
        case=case,
        lead_counselor=colleague,
        starts_at=duty.starts_at(),
        kind="joint",
        room="调解室一",
        booked_by=counselor,
    )

    slots = services.booking_slots(case=case, days=40)

    seen = [slot for slot in slots if slot.continuity]
    assert seen and all(slot.duty.counselor.user == colleague for slot in seen)
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
            "slot": f"{counselor.pk}|{duty.starts_at().isoformat()}",
            "kind": "joint",
            "room": "调解室一",
        },
    )

    assert page.status_code == HTTPStatus.OK
    assert response.status_code == HTTPStatus.FOUND
    assert CounselingSession.objects.get().starts_at == duty.starts_at()


def test_someone_not_on_the_case_gets_404_on_its_booking_page(client, case, other_counselor):
    client.force_login(other_counselor)

    response = client.get(reverse("counselors:case-book", args=[case.uuid]))

    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_bookings_of_one_slot_at_the_same_moment_leave_exactly_one(
    upcoming, case, counselor, xlt
):
    duty = first_duty(upcoming, counselor, xlt)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def book(room):
        try:
            barrier.wait()
            results.append(
                services.book_into_duty(
                    case=case,
                    lead_counselor=counselor,
                    starts_at=duty.starts_at(),
                    kind="joint",
                    room=room,
                    booked_by=counselor,
                )
            )
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(room,)) for room in ("调解室一", "调解室二")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 1 and len(errors) == 1
    assert CounselingSession.objects.filter(lead_counselor=counselor).count() == 1
