"""An office's rooms, kept by its supervisor. May import access, forms, models and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import RoomForm
from ..http import AuthenticatedHttpRequest
from ..models import Room
from .common import form_errors_from


def room_list(
    request: AuthenticatedHttpRequest, code: str, room_id: int | None = None
) -> HttpResponse:
    """The office's rooms, the form to add one, or (with room_id) to change one."""
    access.require(request.user, "mediation.supervise_office")
    office = access.office_for(request.user, code)
    room = None
    if room_id is not None:
        room = Room.objects.filter(office=office, pk=room_id).first()
        if room is None:
            raise Http404
    initial = (
        {
            "name": room.name,
            "capacity": room.capacity,
            "joint_sessions": room.joint_sessions,
            "active": room.active,
        }
        if room
        else None
    )
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_room(
                office=office,
                room=room,
                saved_by=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("mediation:room-list", code=office.code)
    return render(
        request,
        "mediation/room_list.html",
        {
            "office": office,
            "rooms": Room.objects.filter(office=office).order_by("-active", "name"),
            "form": form,
            "room": room,
        },
    )
