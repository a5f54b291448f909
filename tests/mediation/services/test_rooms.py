"""Rooms are an office's data: booked from a list, never twice at one moment (a conditional
unique constraint, so on both engines and under concurrency), fit for the session, kept by
the office's supervisor."""

from datetime import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, Room
from mediation.roles import Role
from tests.counselors.test_booking import at_the_same_moment
from tests.factories import make_user, open_divorce_case
from tests.helpers import error_codes

AT = timezone.make_aware(datetime(2026, 11, 25, 9, 30))


def book(case, counselor, room, *, kind="joint", party=None, at=AT):
    return services.book_session(
        case=case,
        kind=kind,
        party=party,
        booked_room=room,
        lead_counselor=counselor,
        booked_by=counselor,
        starts_at=at,
    )


@pytest.fixture
def room(xlt):
    return Room.objects.get(office=xlt, name="调解室一")


def test_each_office_has_its_rooms_from_the_start(db):
    rooms = {(r.office.code, r.name) for r in Room.objects.select_related("office")}

    assert {("XLT", "调解室一"), ("XLT", "调解室二"), ("PS", "调解室")} <= rooms


def test_a_room_is_never_booked_twice_at_one_moment(counselor, xlt, room):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_b")
    book(open_divorce_case(xlt, counselor), counselor, room)

    with pytest.raises(ValidationError) as error:
        book(open_divorce_case(xlt, colleague), colleague, room)

    assert error_codes(error.value) == {"room_busy"}


def test_a_cancelled_session_frees_its_room(counselor, xlt, room):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_b")
    first = book(open_divorce_case(xlt, counselor), counselor, room)
    services.cancel_session(session=first, cancelled_by=counselor, reason="party_asked")

    second = book(open_divorce_case(xlt, colleague), colleague, room)

    assert second.booked_room == room
    assert second.room == "调解室一"


def test_a_room_must_be_the_offices_fit_the_session_and_seat_everyone(counselor, xlt, ps, room):
    case = open_divorce_case(xlt, counselor)
    elsewhere = Room.objects.get(office=ps, name="调解室")
    small = Room.objects.create(office=xlt, name="咨询室", capacity=2, joint_sessions=True)
    quiet = Room.objects.create(office=xlt, name="单独面谈室", capacity=4, joint_sessions=False)

    for other, code in [(elsewhere, "room_elsewhere"), (small, "room_too_small")]:
        with pytest.raises(ValidationError) as error:
            book(case, counselor, other)
        assert error_codes(error.value) == {code}
    with pytest.raises(ValidationError) as error:
        book(case, counselor, quiet)
    assert error_codes(error.value) == {"room_not_joint"}
    individual = book(case, counselor, quiet, kind="individual", party=case.parties.first())
    assert individual.booked_room == quiet


def test_the_supervisor_keeps_the_rooms_and_names_are_unique(client, supervisor, counselor, xlt):
    url = reverse("mediation:room-list", args=["XLT"])
    client.force_login(supervisor)

    added = client.post(
        url, {"name": "家庭室", "capacity": 6, "joint_sessions": "on", "active": "on"}
    )
    twice = client.post(url, {"name": "家庭室", "capacity": 6, "active": "on"})
    client.force_login(counselor)

    assert added.status_code == HTTPStatus.FOUND
    assert Room.objects.get(office=xlt, name="家庭室").capacity == 6
    assert "同名" in twice.text
    assert AuditEvent.objects.filter(action="room.save", actor=supervisor).count() == 1
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_a_supervisor_cannot_keep_another_offices_rooms(client, supervisor, ps):
    client.force_login(supervisor)
    room = Room.objects.get(office=ps)

    assert client.get(reverse("mediation:room-list", args=["PS"])).status_code == 404
    assert client.get(reverse("mediation:room-edit", args=["XLT", room.pk])).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_counsellors_booking_one_room_at_the_same_moment_get_it_once(xlt):
    room = Room.objects.get(office=xlt, name="调解室一")
    people = [make_user(Role.COUNSELOR, xlt, username=f"c_room{i}") for i in range(8)]
    cases = [open_divorce_case(xlt, person) for person in people]

    outcomes = at_the_same_moment(len(people), lambda i: book(cases[i], people[i], room))

    booked = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(booked) == 1
    assert all(isinstance(o, ValidationError) for o in refused), refused
    assert {code for o in refused for code in error_codes(o)} == {"room_busy"}
