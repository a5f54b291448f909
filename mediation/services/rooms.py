"""An office's rooms, kept by the office's supervisor: add one, change its name, seats and
whether it suits joint sessions, or take it out of use. May import models and audit."""

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .. import audit
from ..models import RegistryOffice, Room, User
from .errors import field_error


@transaction.atomic
def save_room(
    *,
    office: RegistryOffice,
    saved_by: User,
    name: str,
    capacity: int,
    joint_sessions: bool,
    active: bool = True,
    room: Room | None = None,
    request: HttpRequest | None = None,
) -> Room:
    """Add a room to the office (room None) or change one of its rooms. Names are unique per
    office ("name_taken"); a room is never deleted, only taken out of use (its past sessions
    keep naming it), and sessions already booked into it keep their booking."""
    if room is not None and room.office_id != office.pk:
        raise field_error("name", _("Choose one of this office's rooms."), "room_elsewhere")
    room = room or Room(office=office)
    room.name, room.capacity = name.strip(), capacity
    room.joint_sessions, room.active = joint_sessions, active
    room.full_clean(exclude=["office"], validate_constraints=False)
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:
        raise field_error(
            "name", _("This office already has a room of that name."), "name_taken"
        ) from None
    audit.record(
        actor=saved_by,
        action="room.save",
        obj=room,
        office=office,
        request=request,
        details={"capacity": capacity, "joint_sessions": joint_sessions, "active": active},
    )
    return room
